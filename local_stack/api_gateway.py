"""A local API Gateway (REST API, Lambda proxy integration), with its routes from template.yaml.

Each HTTP request becomes the proxy event API Gateway sends (the shape of ``sam local
generate-event apigateway aws-proxy``), the function the route integrates is invoked with it,
and its answer is written back. Written by hand because ``sam local start-api`` needs Docker;
only the parts of API Gateway this API uses are emulated.

Matching follows API Gateway: an exact resource beats a ``{proxy+}`` one, a method beats ``ANY``,
and a path or method no route covers answers 403 "Missing Authentication Token". An operation
the template secures with ``api_key`` needs the configured ``x-api-key`` (403 "Forbidden"
otherwise); one secured with ``sigv4`` needs a SigV4 Authorization header, whose signature is
not checked locally (403 "Missing Authentication Token" without one). A function that
fails (raises, times out, cannot initialise, returns a malformed result) is answered 502
"Internal server error", as API Gateway answers a failed Lambda proxy integration; both through
the template's DEFAULT_4XX and DEFAULT_5XX gateway responses, as deployed.
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

from local_stack import settings
from local_stack.cloudformation import ApiRoute, LocalTemplate
from local_stack.http_server import SIGV4_PREFIX, log_access, log_event

STAGE = "Prod"
COMPONENT = "local-api"


class Functions(Protocol):
    """Invokes a function by logical id: in this process, or in the Lambda runtime emulator."""

    def invoke(self, function_name: str, event: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class GatewayResponse:
    """An answer API Gateway gives by itself (x-amazon-apigateway-gateway-responses)."""

    body_template: str
    allowed_origins: tuple[str, ...]

    def render(self, status: int, message: str, request_id: str, request_origin: str | None) -> Response:
        # Only the two variables the template uses; API Gateway itself renders full VTL.
        body = self.body_template.replace("$context.error.messageString", json.dumps(message)).replace(
            "$context.requestId", request_id
        )
        response = Response(body, status, content_type="application/json")
        # As the template does: one origin (or *) as it is; with several, the caller's Origin.
        origin = request_origin if len(self.allowed_origins) > 1 else self.allowed_origins[0]
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
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
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)
    # The key of the usage plan, in API_KEY mode.
    api_key: str | None = None

    @classmethod
    def from_spec(
        cls, api: LocalTemplate, functions: Functions, allowed_origins: tuple[str, ...], api_key: str | None = None
    ) -> LocalRestApi:
        responses = {kind: GatewayResponse(body, allowed_origins) for kind, body in api.gateway_responses.items()}
        return cls(api.routes, functions, responses, api_key)

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
            response = template.render(status, message, request_id, request.headers.get("Origin"))
        response.headers["x-amzn-ErrorType"] = error_type
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def missing_authentication_token(self, request: Request) -> Response:
        """API Gateway's answer to a path or method no route covers, and to an unsigned IAM request."""
        return self.gateway_error(
            request, 403, "Missing Authentication Token", "MissingAuthenticationTokenException", str(uuid.uuid4())
        )

    def unauthorised(self, request: Request, route: ApiRoute) -> Response | None:
        """API Gateway's answer when the operation's security is not met, else None."""
        if "api_key" in route.security and (self.api_key is None or request.headers.get("x-api-key") != self.api_key):
            return self.gateway_error(request, 403, "Forbidden", "ForbiddenException", str(uuid.uuid4()))
        if "sigv4" in route.security and not request.headers.get("Authorization", "").startswith(SIGV4_PREFIX):
            return self.missing_authentication_token(request)
        return None

    def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        matched = self.match(request.method, request.path)
        if matched is None:
            return self.missing_authentication_token(request)
        route, path_parameters = matched
        refused = self.unauthorised(request, route)
        if refused is not None:
            return refused
        event = build_event(
            request.method,
            request.path,
            headers=list(request.headers.items()),
            body=request.get_data(),
            query=list(request.args.items(multi=True)),
            resource=route.path,
            path_parameters=path_parameters,
            source_ip=request.remote_addr or "127.0.0.1",
        )
        request_id = event["requestContext"]["requestId"]
        try:
            response = to_http_response(self.functions.invoke(route.function, event))
        except Exception as error:  # noqa: BLE001 - API Gateway's answer to a failed invocation
            log_event(COMPONENT, message="invocation failed", function=route.function, error=repr(error))
            response = self.gateway_error(
                request, 502, "Internal server error", "InternalServerErrorException", request_id
            )
        response.headers["x-amzn-RequestId"] = request_id
        log_access(COMPONENT, request, response, request_id, started)
        return response


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
