"""A local SageMaker Runtime: InvokeEndpoint over HTTP, as botocore and the AWS CLI speak it.

    python -m local_stack.sagemaker_runtime [--model PATH] [--port 8080] [--endpoint-name iris-endpoint]

Point any client at it by URL alone: ``boto3.client("sagemaker-runtime", endpoint_url=...)``,
``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=...``, or ``aws sagemaker-runtime invoke-endpoint --endpoint-url ...``.

Wire format, from botocore's service model ``sagemaker-runtime/2017-05-13/service-2.json``
(protocol ``rest-json``):
- ``InvokeEndpoint`` is ``POST /endpoints/{EndpointName}/invocations``; the payload is the body,
  with ``Content-Type``, ``Accept`` and ``X-Amzn-SageMaker-Custom-Attributes`` as headers.
- The output carries the body, its ``Content-Type`` and ``x-Amzn-Invoked-Production-Variant``.
- Errors: botocore's rest-json parser takes the code from the ``x-amzn-ErrorType`` header and
  modelled fields from the JSON body. ``ValidationError`` is 400, ``ModelError`` 424 with
  ``OriginalStatusCode``, ``OriginalMessage`` and ``LogStreamArn``, ``ModelNotReadyException`` 429,
  ``ServiceUnavailable`` 503, ``InternalFailure`` 500.
- ``BodyBlob`` has ``max: 6291456`` (6 MiB); ``EndpointName`` has ``max: 63`` and
  ``pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*``; ``CustomAttributesHeader`` ``max: 1024``, ASCII.
Written by hand because no maintained library emulates SageMaker Runtime (moto answers
InvokeEndpoint with canned results and never runs a model).
"""

from __future__ import annotations

import argparse
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from local_stack import settings
from local_stack.http_server import build_server, log_event
from local_stack.sagemaker_container import ServingContainer

MAX_BODY_BYTES = 6 * 1024 * 1024
MAX_CUSTOM_ATTRIBUTES_LENGTH = 1024
ENDPOINT_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
ENDPOINT_NAME_MAX_LENGTH = 63
VARIANT_NAME = "primary"
SIGV4_PREFIX = "AWS4-HMAC-SHA256"
COMPONENT = "local-endpoint"


@dataclass
class ServiceError(Exception):
    """An error the way SageMaker Runtime sends it: a code, a status and a JSON body."""

    code: str
    status: int
    message: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class SageMakerRuntime:
    """A WSGI app serving InvokeEndpoint for the endpoints it is given, by name."""

    endpoints: dict[str, ServingContainer]
    region: str = settings.REGION
    url_map: Map = field(
        default_factory=lambda: Map(
            [
                Rule("/endpoints/<endpoint_name>/invocations", endpoint="invoke", methods=["POST"]),
                Rule("/ping", endpoint="ping", methods=["GET"]),
            ]
        )
    )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        endpoint_name = ""
        try:
            route, arguments = self.url_map.bind_to_environ(request.environ).match()
            if route == "ping":
                response = Response(status=200)
            else:
                endpoint_name = arguments["endpoint_name"]
                response = self.invoke_endpoint(request, endpoint_name)
        except ServiceError as error:
            response = error_response(error)
        except (NotFound, MethodNotAllowed) as error:
            response = error_response(_unknown_operation(error))
        response.headers["x-amzn-RequestId"] = request_id
        log_event(
            COMPONENT,
            request_id=request_id,
            method=request.method,
            path=request.path,
            endpoint=endpoint_name or None,
            status=response.status_code,
            error=response.headers.get("x-amzn-ErrorType"),
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        return response

    def invoke_endpoint(self, request: Request, endpoint_name: str) -> Response:
        require_signature(request)
        container = self.endpoint(endpoint_name)
        validate_custom_attributes(request.headers.get("X-Amzn-SageMaker-Custom-Attributes"))
        body = read_body(request)
        try:
            result = container.invoke(body, request.headers.get("Content-Type", ""), request.headers.get("Accept", ""))
        except Exception as error:
            raise self.model_error(endpoint_name, error) from error
        response = Response(result.body, status=200, content_type=result.content_type)
        response.headers["x-Amzn-Invoked-Production-Variant"] = VARIANT_NAME
        return response

    def endpoint(self, name: str) -> ServingContainer:
        if len(name) > ENDPOINT_NAME_MAX_LENGTH or not ENDPOINT_NAME_PATTERN.match(name):
            raise ServiceError(
                "ValidationError",
                400,
                f"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {ENDPOINT_NAME_PATTERN.pattern} "
                f"and have length less than or equal to {ENDPOINT_NAME_MAX_LENGTH}",
            )
        if name not in self.endpoints:
            raise ServiceError("ValidationError", 400, f"Endpoint {name} of account {settings.ACCOUNT} not found.")
        return self.endpoints[name]

    def model_error(self, endpoint_name: str, error: Exception) -> ServiceError:
        # The scikit-learn container answers 500 for any exception raised by the user's hooks.
        original_status = 500
        original_message = f"{type(error).__name__}: {error}"
        log_group = f"/aws/sagemaker/Endpoints/{endpoint_name}"
        return ServiceError(
            "ModelError",
            424,
            f'Received server error ({original_status}) from {VARIANT_NAME} with message "{original_message}". '
            f"See the log group {log_group} for more information.",
            {
                "OriginalStatusCode": original_status,
                "OriginalMessage": original_message,
                "LogStreamArn": f"arn:aws:logs:{self.region}:{settings.ACCOUNT}:log-group:{log_group}",
            },
        )


def require_signature(request: Request) -> None:
    """Like AWS, refuse requests that were not signed; the signature itself is not checked locally."""
    if not request.headers.get("Authorization", "").startswith(SIGV4_PREFIX):
        raise ServiceError("MissingAuthenticationTokenException", 403, "Missing Authentication Token")


def validate_custom_attributes(value: str | None) -> None:
    if value is None:
        return
    if len(value) > MAX_CUSTOM_ATTRIBUTES_LENGTH or not value.isascii():
        raise ServiceError(
            "ValidationError",
            400,
            "1 validation error detected: Value at 'customAttributes' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_CUSTOM_ATTRIBUTES_LENGTH} and be ASCII",
        )


def read_body(request: Request) -> bytes:
    """The body, refused before it is read when it is declared over the limit, or found to be once read."""
    too_large = ServiceError(
        "ValidationError",
        400,
        f"1 validation error detected: Value at 'body' failed to satisfy constraint: "
        f"Member must have length less than or equal to {MAX_BODY_BYTES}",
    )
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise too_large
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise too_large
    return body


def error_response(error: ServiceError) -> Response:
    body = {"message": error.message, **error.fields}
    response = Response(json.dumps(body), status=error.status, content_type="application/json")
    response.headers["x-amzn-ErrorType"] = error.code
    return response


def _unknown_operation(error: HTTPException) -> ServiceError:
    if isinstance(error, MethodNotAllowed):
        return ServiceError("UnknownOperationException", 405, "This method is not supported on this path.")
    return ServiceError("UnknownOperationException", 404, "No such operation.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=settings.model_artifact())
    parser.add_argument("--host", default=settings.host())
    parser.add_argument("--port", type=int, default=settings.endpoint_port())
    parser.add_argument("--endpoint-name", default=settings.endpoint_name())
    args = parser.parse_args(argv)
    container = ServingContainer(args.model)
    server = build_server(SageMakerRuntime({args.endpoint_name: container}), args.host, args.port)
    log_event(COMPONENT, message="serving", endpoint=args.endpoint_name, url=f"http://{args.host}:{server.port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        container.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
