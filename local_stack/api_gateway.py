"""A local API Gateway (REST API, Lambda proxy integration) driven by template.yaml.

It reads the routes from the REST API's OpenAPI body in the SAM template, so the local routes are
the deployed ones. Each HTTP request becomes the proxy event API Gateway sends (the shape of
``sam local generate-event apigateway aws-proxy``), the real handler runs with a Lambda-like
context, and its answer is written back. Written by hand because ``sam local start-api`` needs
Docker; only the parts of API Gateway this API uses are emulated.

Matching follows API Gateway: an exact resource beats a ``{proxy+}`` one, a method beats ``ANY``,
and a resource without the method answers 403 "Missing Authentication Token".
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from werkzeug.wrappers import Request, Response

from local_stack.serving import log_event

TEMPLATE = Path("template.yaml")
STAGE = "Prod"
LOCAL_ACCOUNT = "000000000000"
COMPONENT = "local-api"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class ApiRoute:
    path: str
    method: str  # upper case, or ANY
    function: str
    code_uri: str
    handler: str
    timeout: int
    memory_size: int

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", self.path)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")

    @property
    def is_greedy(self) -> bool:
        return "+}" in self.path


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt and friends as plain values; only the routes are needed."""


_CloudFormationLoader.add_multi_constructor(
    "!",
    lambda loader, suffix, node: {
        suffix: (
            loader.construct_scalar(node)
            if isinstance(node, yaml.ScalarNode)
            else loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_mapping(node)
        )
    },
)


OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
ANY_METHOD = "x-amazon-apigateway-any-method"
FUNCTION_IN_URI = re.compile(r"\$\{(\w+)\.Arn\}")


def load_routes(template: Path = TEMPLATE) -> list[ApiRoute]:
    """Every method of every REST API's OpenAPI body, with the function its integration invokes."""
    document = yaml.load(template.read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    resources = document.get("Resources", {})
    defaults = document.get("Globals", {}).get("Function", {})
    routes = []
    for resource in resources.values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        for path, methods in resource["Properties"]["DefinitionBody"]["paths"].items():
            for method, operation in methods.items():
                if method not in OPENAPI_METHODS and method != ANY_METHOD:
                    continue
                function = _integrated_function(operation)
                properties = {**defaults, **resources[function]["Properties"]}
                routes.append(
                    ApiRoute(
                        path=path,
                        method="ANY" if method == ANY_METHOD else method.upper(),
                        function=function,
                        code_uri=str(properties["CodeUri"]),
                        handler=properties["Handler"],
                        timeout=int(properties.get("Timeout", 3)),
                        memory_size=int(properties.get("MemorySize", 128)),
                    )
                )
    return routes


@dataclass(frozen=True)
class GatewayResponse:
    """An answer API Gateway gives by itself (x-amazon-apigateway-gateway-responses)."""

    body_template: str

    def render(self, status: int, message: str, request_id: str, allowed_origins: str) -> Response:
        # Only the two variables the template uses; API Gateway itself renders full VTL.
        body = self.body_template.replace("$context.error.messageString", json.dumps(message)).replace(
            "$context.requestId", request_id
        )
        response = Response(body, status, content_type="application/json")
        # As the template does: the first allowed origin, !Select [0, !Split [",", AllowedOrigins]].
        response.headers["Access-Control-Allow-Origin"] = allowed_origins.split(",")[0]
        return response


def load_default_4xx(template: Path = TEMPLATE) -> GatewayResponse:
    document = yaml.load(template.read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    for resource in document.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Api":
            responses = resource["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
            return GatewayResponse(responses["DEFAULT_4XX"]["responseTemplates"]["application/json"])
    raise ValueError(f"{template} has no REST API")


def _integrated_function(operation: dict[str, Any]) -> str:
    """The logical id in the integration's uri, e.g. !Sub ...functions/${PredictFunction.Arn}/invocations."""
    uri = operation["x-amazon-apigateway-integration"]["uri"]
    found = FUNCTION_IN_URI.search(uri["Sub"] if isinstance(uri, dict) else uri)
    if not found:
        raise ValueError(f"cannot tell which function {uri!r} invokes")
    return found.group(1)


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as ``context``, with the remaining time counting down."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{LOCAL_ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


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
            "accountId": LOCAL_ACCOUNT,
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


def load_handler(route: ApiRoute) -> Handler:
    code_dir = str(Path(route.code_uri).resolve())
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    module_name, function_name = route.handler.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), function_name)


@dataclass
class LocalRestApi:
    """A WSGI app that answers like the deployed REST API stage."""

    routes: list[ApiRoute]
    handlers: dict[str, Handler] = field(default_factory=dict)
    default_4xx: GatewayResponse | None = None

    @classmethod
    def from_template(cls, template: Path = TEMPLATE) -> LocalRestApi:
        routes = load_routes(template)
        handlers = {route.function: load_handler(route) for route in routes}
        return cls(routes, handlers, load_default_4xx(template))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def match(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
        """API Gateway's choice: the most specific resource, then the method over ANY."""
        resources = sorted({route.path for route in self.routes}, key=lambda p: ("+}" in p, -p.count("/")))
        for resource in resources:
            candidates = [route for route in self.routes if route.path == resource]
            found = candidates[0].pattern.match(path)
            if not found:
                continue
            for wanted in (method, "ANY"):
                for route in candidates:
                    if route.method == wanted:
                        return route, found.groupdict()
            return None
        return None

    def missing_authentication_token(self) -> Response:
        """What API Gateway answers for a path or method no route covers."""
        request_id = str(uuid.uuid4())
        message = "Missing Authentication Token"
        if self.default_4xx is None:
            response = Response(json.dumps({"message": message}), 403, content_type="application/json")
        else:
            response = self.default_4xx.render(403, message, request_id, os.environ.get("ALLOWED_ORIGINS", "*"))
        response.headers["x-amzn-ErrorType"] = "MissingAuthenticationTokenException"
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        matched = self.match(request.method, request.path)
        if matched is None:
            return self.missing_authentication_token()
        route, path_parameters = matched
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
        context = LambdaContext(route.function, route.memory_size, route.timeout)
        try:
            result = self.handlers[route.function](event, context)
            response = to_http_response(result)
        except Exception as error:  # noqa: BLE001 - API Gateway's answer to a failed invocation
            log_event(COMPONENT, message="handler failed", function=route.function, error=repr(error))
            response = Response('{"message": "Internal server error"}', 502, content_type="application/json")
        response.headers["x-amzn-RequestId"] = event["requestContext"]["requestId"]
        log_event(
            COMPONENT,
            request_id=event["requestContext"]["requestId"],
            method=request.method,
            path=request.path,
            status=response.status_code,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )
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
