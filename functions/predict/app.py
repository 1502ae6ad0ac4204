"""POST /predict and GET /health behind API Gateway (REST, proxy integration).

The handler stays thin: parse the request, ask the endpoint, pass its JSON through. Everything
that can go wrong is an ``errors.ApiError`` turned into one JSON shape by ``api_error`` below.

Routes live on a module-level ``Router``, registered through ``route`` below, which also writes
each into ``ROUTES``: the one list of the routes, from which the 405 answers, the 404
sentence and the tests of the template's paths all read. The resolver that serves them is built
from the function's settings on first use, because Powertools fixes CORS when routes are registered.

With SnapStart (template parameter SnapStart), the SageMaker client is built before the snapshot,
so restored environments skip loading its service model, and rebuilt after every restore, so that
no two environments share its connections, credentials or retry jitter (docs/operations.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from iris_contract import CLASS_NAMES

from . import endpoint_client, errors
from .observability import count_endpoint_error, count_scored, logger, metrics
from .parsing import VARIANT_HEADER, parse_predict_request, requested_variant
from .schemas import ErrorResponse, HealthResponse, PredictResponse
from .settings import Settings, get_settings

EXPOSED_HEADERS = ["X-Request-Id", "Retry-After", VARIANT_HEADER]
PREFLIGHT_MAX_AGE_SECONDS = 600

router = Router()
# The methods each path serves, in the order they are registered: written by ``route`` only.
ROUTES: dict[str, tuple[str, ...]] = {}
RouteHandler = TypeVar("RouteHandler", bound=Callable[..., Any])


def route(method: str, path: str, **openapi: Any) -> Callable[[RouteHandler], RouteHandler]:
    """Registers a route on the router (``openapi``: Powertools' summary, responses and so on) and in ROUTES."""
    ROUTES[path] = (*ROUTES.get(path, ()), method)
    return router.route(path, method, **openapi)


def _error_responses() -> dict[int, Any]:
    body = {"application/json": {"model": ErrorResponse}}
    return {
        status.value: {"description": status.phrase, "content": body}
        for status in (
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            HTTPStatus.UNPROCESSABLE_ENTITY,
            HTTPStatus.BAD_GATEWAY,
            HTTPStatus.SERVICE_UNAVAILABLE,
            HTTPStatus.GATEWAY_TIMEOUT,
        )
    }


@route(
    "POST",
    "/predict",
    summary="Classify Iris flowers",
    description="Rows of measurements in, the endpoint's predictions and class probabilities out.",
    operation_id="predict",
    responses={
        200: {"description": "Predictions", "content": {"application/json": {"model": PredictResponse}}},
        **_error_responses(),
    },
)
def predict() -> Response[PredictResponse]:
    settings = get_settings()
    variant = requested_variant(router.current_event, settings.selectable_variants)
    parsed = parse_predict_request(router.current_event)
    rows = len(parsed.request.instances)
    started = time.perf_counter()
    request_id = _request_id()
    prediction = endpoint_client.score(settings.endpoint_name, parsed.endpoint_body(), rows, request_id, variant)
    endpoint_ms = round((time.perf_counter() - started) * 1000, 3)
    count_scored(rows, prediction.predictions, CLASS_NAMES, prediction.variant, endpoint_ms)
    logger.info(
        "scored",
        extra={"rows": rows, "variant": prediction.variant, "asked_variant": variant, "endpoint_ms": endpoint_ms},
    )
    headers = {"X-Request-Id": request_id}
    if prediction.variant:
        headers[VARIANT_HEADER] = prediction.variant
    return Response(
        status_code=HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=prediction.body.decode("utf-8"),
        headers=headers,
    )


@route(
    "GET",
    "/health",
    summary="Liveness of the API (does not call the endpoint)",
    operation_id="health",
    responses={200: {"description": "Healthy", "content": {"application/json": {"model": HealthResponse}}}},
)
def health() -> dict[str, str]:
    return HealthResponse(status="ok", endpoint=get_settings().endpoint_name).model_dump()


def route_not_found(_: NotFoundError) -> Response:
    event = router.current_event
    allowed = ROUTES.get(event.path)
    if allowed:
        return api_error(errors.method_not_allowed(event.http_method, event.path, [*allowed, "OPTIONS"]))
    return api_error(errors.not_found(event.path, ROUTES))


@router.exception_handler(errors.ApiError)
def api_error(error: errors.ApiError) -> Response:
    if error.endpoint_error_kind:
        count_endpoint_error(error.endpoint_error_kind)
    elif error.status < HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.info("request refused", extra={"status": error.status.value, "reason": error.message})
    body = ErrorResponse(message=error.message, errors=error.errors, requestId=_request_id())
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers={**error.headers, "X-Request-Id": _request_id()},
    )


@router.exception_handler(Exception)
def unexpected_error(error: Exception) -> Response:
    # A bug of ours: log it whole, answer without internals.
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return api_error(errors.internal_error())


def _request_id() -> str:
    # A hand-written event (sam local invoke -e) may have no requestContext, or no requestId in it.
    request_context = router.current_event.get("requestContext") or {}
    return request_context.get("requestId") or ""


@cache
def resolver_for(settings: Settings) -> APIGatewayRestResolver:
    """The API for these settings: CORS from the allowed origins, then the routes above."""
    resolver = APIGatewayRestResolver(
        cors=CORSConfig(
            allow_origin=settings.allowed_origins[0],
            extra_origins=list(settings.allowed_origins[1:]),
            allow_headers=[VARIANT_HEADER],
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )
    )
    resolver.include_router(router)
    resolver.not_found(route_not_found)
    return resolver


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    response = resolver_for(settings).resolve(event, context)
    if not settings.allows_any_origin:
        # The allowed origin is echoed per request, so caches must key on Origin.
        response.setdefault("multiValueHeaders", {})["Vary"] = ["Origin"]
    return response


# ---------------------------------------------------------------- SnapStart runtime hooks
def warm_endpoint_client() -> None:
    """Before the snapshot: build the client, so the snapshot holds its loaded service model."""
    endpoint_client.runtime_client()


def rebuild_endpoint_client() -> None:
    """After a restore: a client of this environment's own, and fresh entropy for botocore's retry jitter."""
    random.seed()
    endpoint_client.runtime_client.cache_clear()
    endpoint_client.runtime_client()


def register_snapshot_hooks(
    before_snapshot: Callable[[Callable[[], None]], object], after_restore: Callable[[Callable[[], None]], object]
) -> None:
    before_snapshot(warm_endpoint_client)
    after_restore(rebuild_endpoint_client)


try:
    # Lambda's Python runtimes (3.12 and later) ship snapshot_restore_py; elsewhere there is no snapshot to hook.
    import snapshot_restore_py
except ImportError:
    pass
else:
    register_snapshot_hooks(snapshot_restore_py.register_before_snapshot, snapshot_restore_py.register_after_restore)
