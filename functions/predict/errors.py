"""Every error the API can answer with, as a typed exception carrying its status and safe message.

The endpoint client raises the ``Endpoint*`` kinds; request parsing raises the client kinds. The
resolver turns any ``ApiError`` into ``{"message", "errors", "requestId"}`` in one handler, so the
mapping from failure to status lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from .schemas import ErrorDetail

RETRY_AFTER_SECONDS = 2


@dataclass
class ApiError(Exception):
    status: HTTPStatus
    message: str
    errors: list[ErrorDetail] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    # The kind counted in metrics and logs; None for client errors, which are not endpoint errors.
    endpoint_error_kind: str | None = None

    def __str__(self) -> str:
        return f"{self.status.value} {self.message}"


def malformed_body(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"The request body is not valid JSON: {reason}")


def body_too_large(size: int, limit: int) -> ApiError:
    return ApiError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The request body is {size} bytes; the limit is {limit} bytes"
    )


def unsupported_media_type(content_type: str | None) -> ApiError:
    sent = f"'{content_type}'" if content_type else "no Content-Type"
    return ApiError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Send the body as application/json (the request had {sent})")


def invalid_request(errors: list[ErrorDetail], total: int) -> ApiError:
    first = f"{errors[0].location}: {errors[0].message}"
    more = f" (and {total - 1} more problem{'s' if total > 2 else ''})" if total > 1 else ""
    return ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, f"Invalid request: {first}{more}", errors)


def unknown_variant(header: str, asked: str, selectable: tuple[str, ...]) -> ApiError:
    if selectable:
        message = f"there is no model variant {asked!r} to ask for; use one of {', '.join(selectable)}"
    else:
        message = "this API does not let callers choose a model variant; send no such header"
    detail = ErrorDetail(location=f"headers.{header}", message=message)
    return ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, f"Invalid request: {detail.location}: {message}", [detail])


def not_found(path: str, routes: Mapping[str, tuple[str, ...]]) -> ApiError:
    """``routes``: the methods each path serves."""
    served = [f"{method} {route}" for route, methods in routes.items() for method in methods]
    return ApiError(HTTPStatus.NOT_FOUND, f"No route for {path}; the API serves {_in_words(served)}")


def method_not_allowed(method: str, path: str, allowed: list[str]) -> ApiError:
    return ApiError(
        HTTPStatus.METHOD_NOT_ALLOWED,
        f"{method} is not allowed on {path}; use {' or '.join(allowed)}",
        headers={"Allow": ", ".join(allowed)},
    )


def model_failed() -> ApiError:
    return ApiError(HTTPStatus.BAD_GATEWAY, "The model could not score this request", endpoint_error_kind="model_error")


def endpoint_busy(kind: str) -> ApiError:
    return ApiError(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The model endpoint is busy or not ready; retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        endpoint_error_kind=kind,
    )


def endpoint_timed_out() -> ApiError:
    return ApiError(
        HTTPStatus.GATEWAY_TIMEOUT, "The model endpoint did not answer in time", endpoint_error_kind="timeout"
    )


def endpoint_misconfigured() -> ApiError:
    return ApiError(
        HTTPStatus.BAD_GATEWAY, "The service is misconfigured and cannot reach its model", endpoint_error_kind="config"
    )


def endpoint_bad_response(kind: str = "bad_response") -> ApiError:
    return ApiError(HTTPStatus.BAD_GATEWAY, "The model endpoint returned an unusable answer", endpoint_error_kind=kind)


def _in_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def internal_error() -> ApiError:
    return ApiError(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal error; it has been logged")
