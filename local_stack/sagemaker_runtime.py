"""A local SageMaker Runtime: InvokeEndpoint over HTTP, as botocore and the AWS CLI speak it.

    python -m local_stack.sagemaker_runtime [--model PATH] [--port 8080] [--endpoint-name iris-endpoint]

Point any client at it by URL alone: ``boto3.client("sagemaker-runtime", endpoint_url=...)``,
``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=...``, or ``aws sagemaker-runtime invoke-endpoint --endpoint-url ...``.

Wire format, from botocore's service model ``sagemaker-runtime/2017-05-13/service-2.json``
(protocol ``rest-json``):
- ``InvokeEndpoint`` is ``POST /endpoints/{EndpointName}/invocations``; the payload is the body,
  with ``Content-Type``, ``Accept``, ``X-Amzn-SageMaker-Custom-Attributes``,
  ``X-Amzn-SageMaker-Target-Variant`` and ``X-Amzn-SageMaker-Inference-Id`` as headers.
- The output carries the body, its ``Content-Type`` and ``x-Amzn-Invoked-Production-Variant``:
  the container's body and Content-Type as it answered them, when it answered 2xx.
- Errors: botocore's rest-json parser takes the code from the ``x-amzn-ErrorType`` header and
  modelled fields (``Message`` in every shape) from the JSON body. ``ValidationError`` is 400,
  ``ModelError`` 424 (the container answered anything but 2xx) with ``OriginalStatusCode``,
  ``OriginalMessage`` and ``LogStreamArn``, ``ModelNotReadyException`` 429, ``ServiceUnavailable``
  503, ``InternalFailure`` 500.
- ``BodyBlob`` has ``max: 6291456`` (6 MiB); ``EndpointName`` and ``TargetVariant`` have ``max: 63``
  and ``pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*``; ``InferenceId`` has ``min: 1``, ``max: 64`` and
  ``pattern: \\A\\S[\\p{Print}]*\\z``; ``CustomAttributesHeader`` ``max: 1024``, ASCII.

An endpoint has production variants with weights. Without a TargetVariant each invocation goes to
one of them at random, in proportion to its weight, as SageMaker splits traffic; an unknown
TargetVariant is a ValidationError. With data capture configured, sampled invocations are written
as SageMaker writes them (``local_stack/data_capture.py``).

Written by hand because no maintained library emulates SageMaker Runtime (moto answers
InvokeEndpoint with canned results and never runs a model).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from traceback import format_exc
from typing import Any, Protocol

from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from local_stack import settings, telemetry
from local_stack.data_capture import CapturedInvocation, DataCapture
from local_stack.http_server import SIGV4_PREFIX, build_server, log_access, log_event
from local_stack.sagemaker_container import InvocationResult, ServingContainer
from local_stack.telemetry import Metric
from predict.limits import SAGEMAKER_NAME_MAX_LENGTH, SAGEMAKER_NAME_PATTERN

MAX_BODY_BYTES = 6 * 1024 * 1024
MAX_CUSTOM_ATTRIBUTES_LENGTH = 1024
# Endpoint and variant names share one pattern and length limit, the function's to name.
NAME_PATTERN = re.compile(SAGEMAKER_NAME_PATTERN)
INFERENCE_ID_MAX_LENGTH = 64
# The guide's single variant; the template names its variants the same way.
PRIMARY_VARIANT = "primary"
COMPONENT = "local-endpoint"


@dataclass
class ServiceError(Exception):
    """An error the way SageMaker Runtime sends it: a code, a status and a JSON body."""

    code: str
    status: int
    message: str
    fields: dict[str, Any] = field(default_factory=dict)


class Container(Protocol):
    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult: ...


@dataclass(frozen=True)
class ProductionVariant:
    name: str
    container: Container
    weight: float = 1.0
    instance_count: int = 1  # what InvocationsPerInstance divides by


@dataclass
class Endpoint:
    """An endpoint's production variants, the traffic split between them, and its data capture."""

    variants: Sequence[ProductionVariant]
    capture: DataCapture | None = None
    rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.variants or sum(v.weight for v in self.variants) <= 0:
            raise ValueError("an endpoint needs at least one variant with a positive weight")

    @classmethod
    def single(cls, container: Container) -> Endpoint:
        return cls([ProductionVariant(PRIMARY_VARIANT, container)])

    def variant(self, endpoint_name: str, target: str | None) -> ProductionVariant:
        if target is None:
            with self._lock:
                return self.rng.choices(self.variants, weights=[v.weight for v in self.variants])[0]
        _check_name("targetVariant", target, SAGEMAKER_NAME_MAX_LENGTH)
        for variant in self.variants:
            if variant.name == target:
                return variant
        raise ServiceError(
            "ValidationError",
            400,
            f"The variant {target} does not exist for endpoint {endpoint_name}. Variants: "
            + ", ".join(v.name for v in self.variants),
        )


class Route(Protocol):
    """Where an endpoint's requests go: its variants (``Endpoint``), or two fleets during an update."""

    @property
    def capture(self) -> DataCapture | None: ...

    def variant(self, endpoint_name: str, target: str | None) -> ProductionVariant: ...


@dataclass
class SageMakerRuntime:
    """A WSGI app serving InvokeEndpoint for the endpoints it is given, by name."""

    endpoints: dict[str, Route]
    region: str = settings.REGION
    url_map: Map = field(
        default_factory=lambda: Map(
            [
                Rule("/endpoints/<endpoint_name>/invocations", endpoint="invoke", methods=["POST"]),
                Rule("/ping", endpoint="ping", methods=["GET"]),
            ]
        )
    )
    _routes: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _in_flight: dict[int, int] = field(default_factory=dict, init=False, repr=False)

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
        log_access(
            COMPONENT,
            request,
            response,
            request_id,
            started,
            endpoint=endpoint_name or None,
            variant=response.headers.get("x-Amzn-Invoked-Production-Variant"),
            inference_id=request.headers.get("X-Amzn-SageMaker-Inference-Id"),
            error=response.headers.get("x-amzn-ErrorType"),
        )
        return response

    def invoke_endpoint(self, request: Request, endpoint_name: str) -> Response:
        started = time.perf_counter()
        require_signature(request)
        with self.routed(endpoint_name) as endpoint:
            return self._invoke(request, endpoint_name, endpoint, started)

    @contextmanager
    def routed(self, name: str) -> Iterator[Route]:
        """The endpoint ``name`` routes to now, counted as in use until the block ends, so that
        ``wait_until_idle`` knows when a route replaced by ``route`` has finished its requests."""
        with self._routes:
            endpoint = self.endpoint(name)
            self._in_flight[id(endpoint)] = self._in_flight.get(id(endpoint), 0) + 1
        try:
            yield endpoint
        finally:
            with self._routes:
                self._in_flight[id(endpoint)] -= 1
                if not self._in_flight[id(endpoint)]:
                    del self._in_flight[id(endpoint)]
                    self._routes.notify_all()

    def route(self, name: str, endpoint: Route | None) -> Route | None:
        """Routes ``name`` to ``endpoint`` (None: removes it) from the next request on; returns the
        route it replaces. A request takes its route and is counted under one lock, so none can take
        the replaced route afterwards."""
        with self._routes:
            previous = self.endpoints.pop(name, None)
            if endpoint is not None:
                self.endpoints[name] = endpoint
            return previous

    def wait_until_idle(self, endpoint: Route, timeout: float) -> bool:
        """Whether every request that took ``endpoint`` (a replaced route) finished within ``timeout``."""
        with self._routes:
            return self._routes.wait_for(lambda: id(endpoint) not in self._in_flight, timeout)

    def _invoke(self, request: Request, endpoint_name: str, endpoint: Route, started: float) -> Response:
        validate_custom_attributes(request.headers.get("X-Amzn-SageMaker-Custom-Attributes"))
        inference_id = request.headers.get("X-Amzn-SageMaker-Inference-Id")
        if inference_id is not None:
            validate_inference_id(inference_id)
        variant = endpoint.variant(endpoint_name, request.headers.get("X-Amzn-SageMaker-Target-Variant"))
        body = read_body(request)
        content_type = request.headers.get("Content-Type", "")
        model_started = time.perf_counter()
        try:
            result = variant.container.invoke(body, content_type, request.headers.get("Accept", ""))
        except Exception:  # noqa: BLE001 - any exception from the model's code is the model's error
            # What the image's Flask worker does with an exception from a hook: the traceback goes
            # to the endpoint's log, the caller gets the generic 500 page (werkzeug's, as Flask's is).
            traceback = format_exc()
            log_event(
                COMPONENT, log_group=log_group(endpoint_name), log_stream=log_stream(variant.name), message=traceback
            )
            telemetry.write_log(log_group(endpoint_name), log_stream(variant.name), traceback)
            result = InvocationResult(InternalServerError().get_body().encode(), "text/html; charset=utf-8", 500)
        model_seconds = time.perf_counter() - model_started
        record_invocation(endpoint_name, variant, result.status, model_seconds, time.perf_counter() - started)
        if not 200 <= result.status < 300:
            raise self.model_error(endpoint_name, variant.name, result)
        if endpoint.capture is not None and endpoint.capture.sampled():
            endpoint.capture.record(
                CapturedInvocation(
                    endpoint_name, variant.name, inference_id, body, content_type, result.body, result.content_type
                )
            )
        # The container's body and Content-Type as it sent them, e.g. Flask's "text/csv; charset=utf-8".
        response = Response(result.body, status=200, content_type=result.content_type or None)
        response.headers["x-Amzn-Invoked-Production-Variant"] = variant.name
        return response

    def endpoint(self, name: str) -> Route:
        _check_name("endpointName", name, SAGEMAKER_NAME_MAX_LENGTH)
        if name not in self.endpoints:
            raise ServiceError("ValidationError", 400, f"Endpoint {name} of account {settings.ACCOUNT} not found.")
        return self.endpoints[name]

    def model_error(self, endpoint_name: str, variant_name: str, result: InvocationResult) -> ServiceError:
        """A container's non-2xx answer as SageMaker Runtime reports it: its status and body as they
        were, and a message ending with a link to the endpoint's log group in the CloudWatch console.
        ``ErrorCode`` is in AWS's answer though botocore's model of ModelError leaves it out."""
        original_message = result.body.decode("utf-8", errors="replace")
        group = log_group(endpoint_name)
        console = (
            f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
            f"#logEventViewer:group={group}"
        )
        side = "server" if result.status >= 500 else "client"
        return ServiceError(
            "ModelError",
            424,
            f'Received {side} error ({result.status}) from {variant_name} with message "{original_message}". '
            f"See {console} in account {settings.ACCOUNT} for more information.",
            {
                "ErrorCode": f"{side.upper()}_ERROR_FROM_MODEL",
                "OriginalStatusCode": result.status,
                "OriginalMessage": original_message,
                "LogStreamArn": f"arn:aws:logs:{self.region}:{settings.ACCOUNT}:log-group:{group}",
            },
        )


def record_invocation(
    endpoint_name: str, variant: ProductionVariant, status: int, model_seconds: float, total_seconds: float
) -> None:
    """The AWS/SageMaker metrics of one invocation that reached a variant's container, with the
    names, units and dimensions SageMaker documents (docs.aws.amazon.com/sagemaker/latest/dg/
    monitoring-cloudwatch.html): the error counts by the container's status, latencies in
    microseconds, and the invocation normalised by the variant's instance count."""
    if not telemetry.recording_now():
        return
    dimensions = {"EndpointName": endpoint_name, "VariantName": variant.name}
    model_us = model_seconds * 1e6
    telemetry.put_metrics(
        "AWS/SageMaker",
        [
            Metric("Invocations", 1, "None", dimensions),
            Metric("Invocation4XXErrors", float(400 <= status < 500), "None", dimensions),
            Metric("Invocation5XXErrors", float(status >= 500), "None", dimensions),
            Metric("InvocationsPerInstance", 1 / variant.instance_count, "None", dimensions),
            Metric("ModelLatency", model_us, "Microseconds", dimensions),
            Metric("OverheadLatency", max(0.0, total_seconds * 1e6 - model_us), "Microseconds", dimensions),
        ],
    )


def log_group(endpoint_name: str) -> str:
    """Where SageMaker writes an endpoint's container logs."""
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def log_stream(variant_name: str) -> str:
    """A variant's container's stream in the log group: SageMaker's <variant>/<instance id>, one local instance."""
    return f"{variant_name}/local"


def require_signature(request: Request) -> None:
    """Like AWS, refuse requests that were not signed; the signature itself is not checked locally."""
    if not request.headers.get("Authorization", "").startswith(SIGV4_PREFIX):
        raise ServiceError("MissingAuthenticationTokenException", 403, "Missing Authentication Token")


def _check_name(member: str, value: str, max_length: int) -> None:
    if len(value) > max_length or not NAME_PATTERN.match(value):
        raise ServiceError(
            "ValidationError",
            400,
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {NAME_PATTERN.pattern} "
            f"and have length less than or equal to {max_length}",
        )


def validate_inference_id(value: str) -> None:
    printable = value.isprintable() and not value[:1].isspace()
    if not 1 <= len(value) <= INFERENCE_ID_MAX_LENGTH or not printable:
        raise ServiceError(
            "ValidationError",
            400,
            "1 validation error detected: Value at 'inferenceId' failed to satisfy constraint: "
            f"Member must have length between 1 and {INFERENCE_ID_MAX_LENGTH}, start with a non-space and be printable",
        )


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
    # Every error shape in the service model names its text Message.
    body = {"Message": error.message, **error.fields}
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
    server = build_server(SageMakerRuntime({args.endpoint_name: Endpoint.single(container)}), args.host, args.port)
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
