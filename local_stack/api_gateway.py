"""A local API Gateway (REST API: Lambda proxy and MOCK integrations), with its routes from template.yaml.

Each HTTP request becomes the proxy event API Gateway sends (the shape of ``sam local
generate-event apigateway aws-proxy``), the function the route integrates is invoked with it,
and its answer is written back. Written by hand because ``sam local start-api`` needs Docker;
only the parts of API Gateway this API uses are emulated.

Matching follows API Gateway: an exact resource beats a ``{proxy+}`` one, a method beats ``ANY``,
a single trailing slash leaves the resource the same (``ApiRoute.match``), and a path or method
no route covers answers 403 "Missing Authentication Token". An operation the template secures
with ``api_key`` needs the configured ``x-api-key`` (403 "Forbidden" otherwise); one secured
with ``sigv4`` needs a SigV4 Authorization header, whose signature is not checked locally (403
"Missing Authentication Token" without one). A MOCK integration answers as the template writes
its one response (static headers, or the request's Origin; a body with a few $context
variables), after refusing with 415 a body of a type it has no request template for
(passthroughBehavior NEVER). A function that fails (raises, times out, cannot initialise, returns
a malformed result) is answered 502 "Internal server error", as API Gateway answers a failed
Lambda proxy integration. API Gateway's own errors go through the template's DEFAULT_4XX and
DEFAULT_5XX gateway responses, as deployed; bodies over API Gateway's 10 MB quota get its 413.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from local_stack import settings, telemetry
from local_stack.cloudformation import ApiRoute, LocalTemplate, MockIntegration, StaticAnswer
from local_stack.http_server import SIGV4_PREFIX, log_access, log_event
from local_stack.telemetry import Metric

STAGE = "Prod"
COMPONENT = "local-api"
# API Gateway's payload quota for a REST API, "10 MB" (docs.aws.amazon.com/apigateway/latest/
# developerguide/limits.html), read as MiB; a larger request gets REQUEST_TOO_LARGE's 413.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
REQUEST_HEADER = "method.request.header."
JSON = "application/json"
# Where invoked() leaves the integration's latency for the stage's metrics: the request's own environ.
INTEGRATION_LATENCY = "local_stack.integration_latency_ms"


class Functions(Protocol):
    """Invokes a function by logical id: in this process, or in the Lambda runtime emulator."""

    def invoke(self, function_name: str, event: dict[str, Any]) -> Any: ...


def render(answer: StaticAnswer, status: int, request: Request, request_id: str, message: str = "") -> Response:
    """One of API Gateway's own answers, for this request: the template's headers and body."""
    variables = {
        "$context.requestId": request_id,
        "$context.httpMethod": request.method,
        "$context.error.messageString": json.dumps(message),
    }
    body = answer.body_template
    for name in sorted(variables, key=len, reverse=True):
        body = body.replace(name, variables[name])
    response = Response(body, status, content_type="application/json")
    for name, source in answer.headers.items():
        value = source[1:-1] if source.startswith("'") else request.headers.get(source.removeprefix(REQUEST_HEADER))
        if value is not None:
            response.headers[name] = value
    return response


def build_event(
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    query: Iterable[tuple[str, str]] = (),
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway REST proxy event (payload format 1.0) for one request."""
    header_list, query_list = list(headers), list(query)
    multi_headers: dict[str, list[str]] = {}
    for name, value in header_list:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query_list:
        multi_query.setdefault(name, []).append(value)
    try:
        text_body, is_base64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        # API Gateway hands binary bodies to Lambda base64-encoded.
        text_body, is_base64 = base64.b64encode(body).decode("ascii"), True
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": settings.ACCOUNT,
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": resource or path,
            "httpMethod": method,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "path": f"/{STAGE}{path}",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainName": "localhost",
            "identity": {
                "sourceIp": source_ip,
                "userAgent": multi_headers.get("User-Agent", [None])[-1],
                "accountId": None,
                "apiKey": None,
                "caller": None,
                "user": None,
                "userArn": None,
            },
        },
        "body": text_body or None,
        "isBase64Encoded": is_base64,
    }


@dataclass
class LocalRestApi:
    """A WSGI app that answers like the deployed REST API stage."""

    routes: tuple[ApiRoute, ...]
    functions: Functions
    gateway_responses: dict[str, StaticAnswer] = field(default_factory=dict)
    # The key of the usage plan, in API_KEY mode.
    api_key: str | None = None
    # Its metrics' ApiName, and its access log group.
    api_name: str = ""
    access_log_group: str = ""

    @classmethod
    def from_spec(cls, api: LocalTemplate, functions: Functions, api_key: str | None = None) -> LocalRestApi:
        return cls(api.routes, functions, api.gateway_responses, api_key, api.api_name, api.access_log_group)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def match(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
        """API Gateway's choice: the most specific resource, then the method over ANY."""
        resources: dict[str, list[ApiRoute]] = {}
        for route in sorted(self.routes, key=lambda r: (r.is_greedy, -r.path.count("/"))):
            resources.setdefault(route.path, []).append(route)
        for candidates in resources.values():
            parameters = candidates[0].match(path)
            if parameters is None:
                continue
            for wanted in (method, "ANY"):
                for route in candidates:
                    if route.method == wanted:
                        return route, parameters
            return None
        return None

    def gateway_error(self, request: Request, status: int, message: str, error_type: str, request_id: str) -> Response:
        """An answer API Gateway gives itself, through the template's gateway response for it."""
        template = self.gateway_responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
        if template is None:
            response = Response(json.dumps({"message": message}), status, content_type="application/json")
        else:
            response = render(template, status, request, request_id, message)
        response.headers["x-amzn-ErrorType"] = error_type
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def missing_authentication_token(self, request: Request) -> Response:
        """API Gateway's answer to a path or method no route covers, and to an unsigned IAM request."""
        return self.gateway_error(
            request, 403, "Missing Authentication Token", "MissingAuthenticationTokenException", str(uuid.uuid4())
        )

    def mocked(self, request: Request, mock: MockIntegration) -> Response:
        """A MOCK integration's answer; with passthroughBehavior NEVER, a body of a type it has no
        request template for is refused first (no Content-Type counts as application/json)."""
        request_id = str(uuid.uuid4())
        media_type = (request.headers.get("Content-Type") or JSON).split(";", 1)[0].strip().lower()
        if media_type not in mock.request_content_types:
            return self.gateway_error(
                request, 415, "Unsupported Media Type", "UnsupportedMediaTypeException", request_id
            )
        assert mock.answer.status is not None
        response = render(mock.answer, mock.answer.status, request, request_id)
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def unauthorised(self, request: Request, route: ApiRoute) -> Response | None:
        """API Gateway's answer when the operation's security is not met, else None."""
        if "api_key" in route.security and (self.api_key is None or request.headers.get("x-api-key") != self.api_key):
            return self.gateway_error(request, 403, "Forbidden", "ForbiddenException", str(uuid.uuid4()))
        if "sigv4" in route.security and not request.headers.get("Authorization", "").startswith(SIGV4_PREFIX):
            return self.missing_authentication_token(request)
        return None

    def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        response = self.answer(request)
        request_id = response.headers["x-amzn-RequestId"]
        log_access(COMPONENT, request, response, request_id, started)
        self.record(request, response, request_id, started)
        return response

    def record(self, request: Request, response: Response, request_id: str, started: float) -> None:
        """What API Gateway records of one request: the stage's metrics (docs.aws.amazon.com/apigateway/
        latest/developerguide/api-gateway-metrics-and-dimensions.html), by ApiName and by ApiName
        and Stage, and the access log line, with the fields of the template's access log format."""
        if not telemetry.recording_now():
            return
        latency_ms = (time.perf_counter() - started) * 1000
        integration_ms = float(request.environ.get(INTEGRATION_LATENCY, 0.0))
        status = response.status_code
        metrics = [
            ("Count", 1.0, "Count"),
            ("4XXError", float(400 <= status < 500), "Count"),
            ("5XXError", float(status >= 500), "Count"),
            ("Latency", latency_ms, "Milliseconds"),
            ("IntegrationLatency", integration_ms, "Milliseconds"),
        ]
        for dimensions in ({"ApiName": self.api_name}, {"ApiName": self.api_name, "Stage": STAGE}):
            telemetry.put_metrics(
                "AWS/ApiGateway", [Metric(name, value, unit, dimensions) for name, value, unit in metrics]
            )
        if self.access_log_group:
            line = {
                "requestId": request_id,
                "ip": request.remote_addr,
                "method": request.method,
                "path": request.path,
                "status": str(status),
                "latencyMs": str(round(latency_ms)),
                "integrationLatencyMs": str(round(integration_ms)),
                "responseLength": str(response.calculate_content_length() or 0),
                "userAgent": request.user_agent.string,
            }
            telemetry.write_log(self.access_log_group, STAGE, json.dumps(line))

    def answer(self, request: Request) -> Response:
        body = request.stream.read(MAX_PAYLOAD_BYTES + 1)
        if len(body) > MAX_PAYLOAD_BYTES:
            return self.gateway_error(request, 413, "Request Too Long", "RequestTooLargeException", str(uuid.uuid4()))
        matched = self.match(request.method, request.path)
        if matched is None:
            return self.missing_authentication_token(request)
        route, path_parameters = matched
        refused = self.unauthorised(request, route)
        if refused is not None:
            return refused
        if route.function is None:
            assert route.mock is not None
            return self.mocked(request, route.mock)
        return self.invoked(request, route, route.function, path_parameters, body)

    def invoked(
        self, request: Request, route: ApiRoute, function: str, path_parameters: dict[str, str], body: bytes
    ) -> Response:
        """The function's answer through the Lambda proxy integration, or API Gateway's 502 when it fails."""
        event = build_event(
            request.method,
            request.path,
            headers=list(request.headers.items()),
            body=body,
            query=list(request.args.items(multi=True)),
            resource=route.path,
            path_parameters=path_parameters,
            source_ip=request.remote_addr or "127.0.0.1",
        )
        request_id = event["requestContext"]["requestId"]
        started = time.perf_counter()
        failed = False
        try:
            response = to_http_response(self.functions.invoke(function, event))
        except Exception as error:  # noqa: BLE001 - API Gateway's answer to a failed invocation
            failed = True
            log_event(COMPONENT, message="invocation failed", function=function, error=repr(error))
            response = self.gateway_error(
                request, 502, "Internal server error", "InternalServerErrorException", request_id
            )
        duration_ms = (time.perf_counter() - started) * 1000
        record_function_invocation(function, failed, duration_ms)
        response.headers["x-amzn-RequestId"] = request_id
        request.environ[INTEGRATION_LATENCY] = duration_ms
        return response


def record_function_invocation(logical_id: str, failed: bool, duration_ms: float) -> None:
    """Lambda's AWS/Lambda metrics of one invocation, by FunctionName (docs.aws.amazon.com/lambda/latest/dg/
    monitoring-metrics-types.html): Errors counts an invocation that failed (an unhandled error or a timeout)."""
    if not telemetry.recording_now():
        return
    dimensions = {"FunctionName": settings.function_name(logical_id)}
    telemetry.put_metrics(
        "AWS/Lambda",
        [
            Metric("Invocations", 1, "Count", dimensions),
            Metric("Errors", float(failed), "Count", dimensions),
            Metric("Duration", duration_ms, "Milliseconds", dimensions),
        ],
    )


def to_http_response(result: dict[str, Any]) -> Response:
    """A proxy integration result as API Gateway writes it out; a malformed one is a 502."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise ValueError(f"malformed Lambda proxy response: {result!r:.200}")
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    response = Response(payload, status=result["statusCode"])
    response.headers.pop("Content-Type", None)
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        response.headers.remove(name)
        for value in values:
            response.headers.add(name, str(value))
    return response
