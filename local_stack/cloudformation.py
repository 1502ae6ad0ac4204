"""Reads template.yaml for the local stack: the REST API's routes, the functions they invoke, the
answers API Gateway gives by itself (MOCK integrations, gateway responses), the parameters'
defaults, and the model container's environment. Each reader parses the template once.

The template is read as SAM reads it (``samtranslator.yaml_helper``: short-form tags become
``{"Fn::Sub": ...}``). Intrinsic functions are kept as they are: the local stack uses literal
settings, and supplies the values a deployment would resolve. The exception is the API's OpenAPI
body: its ``!If`` (each operation's security on the auth mode, the CORS origin of API Gateway's
own answers on AllowedOrigins) and the parameters it names are resolved for the parameters given,
by the template's own Conditions (``local_stack/intrinsics.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from local_stack.intrinsics import Intrinsics, parameter_defaults
from local_stack.settings import STACK_NAME
from project import ROOT

TEMPLATE = ROOT / "template.yaml"
# Lambda's own defaults for a function that does not set them.
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128

OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
ANY_METHOD = "x-amazon-apigateway-any-method"
FUNCTION_IN_URI = re.compile(r"\$\{(\w+)\.Arn\}")
# The $context variables of API Gateway's own answers the local API Gateway renders
# (local_stack/api_gateway.py); a template using another fails to load rather than render wrong.
CONTEXT_VARIABLE = re.compile(r"\$context\.[A-Za-z.]+[A-Za-z]")
RENDERED_VARIABLES = {"$context.requestId", "$context.httpMethod", "$context.error.messageString"}


@dataclass(frozen=True)
class FunctionSpec:
    """An AWS::Serverless::Function with the Globals applied."""

    logical_id: str
    code_uri: Path
    handler: str
    runtime: str
    timeout_seconds: int
    memory_mb: int
    # Only the variables with literal values; the others are the deployment's to resolve.
    environment: dict[str, str]
    declared_environment: frozenset[str]
    log_group: str = ""  # where Lambda writes its logs (LoggingConfig.LogGroup), for the stack's name


@dataclass(frozen=True)
class StaticAnswer:
    """An answer API Gateway gives by itself, as the template writes it: a MOCK integration's
    response, or a gateway response (x-amazon-apigateway-gateway-responses)."""

    status: int | None  # None for a gateway response: the status of the error it answers
    # Header name -> its source: a quoted static value ("'Origin'") or a request header
    # (method.request.header.Origin), resolved for the parameters loaded.
    headers: dict[str, str]
    body_template: str  # application/json, with $context variables

    def __post_init__(self) -> None:
        unknown = set(CONTEXT_VARIABLE.findall(self.body_template)) - RENDERED_VARIABLES
        if unknown:
            raise ValueError(f"the local API Gateway cannot render {sorted(unknown)} in {self.body_template!r}")


@dataclass(frozen=True)
class MockIntegration:
    # The content types of the request templates: with passthroughBehavior NEVER, a request body of
    # any other type is refused with 415 before the MOCK answers.
    request_content_types: frozenset[str]
    answer: StaticAnswer


@dataclass(frozen=True)
class ApiRoute:
    path: str  # an OpenAPI path, e.g. /predict or /{proxy+}
    method: str  # upper case, or ANY
    function: str | None  # the logical id of the function the integration invokes, if it invokes one
    # The security schemes the operation requires (api_key, sigv4), for the auth mode loaded.
    security: frozenset[str] = frozenset()
    mock: MockIntegration | None = None  # what API Gateway answers itself, for a MOCK integration

    @property
    def is_greedy(self) -> bool:
        return "+}" in self.path

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters when ``path`` is this resource, else None. As API Gateway (REST)
        does, a single trailing slash leaves the resource the same, while letter case, empty
        segments and anything else make it another path, which only a greedy resource matches."""
        if not self.is_greedy and path.endswith("/") and path != "/":
            path = path[:-1]
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", self.path)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        found = re.fullmatch(regex, path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class LocalTemplate:
    routes: tuple[ApiRoute, ...]
    functions: dict[str, FunctionSpec]
    # x-amazon-apigateway-gateway-responses, by type (DEFAULT_4XX, DEFAULT_5XX, ...).
    gateway_responses: dict[str, StaticAnswer]
    parameter_defaults: dict[str, str]
    # The REST API's name (its metrics' ApiName) and its access log group.
    api_name: str = ""
    access_log_group: str = ""


def load_template(
    template: Path = TEMPLATE, parameters: dict[str, str] | None = None, stack_name: str = STACK_NAME
) -> LocalTemplate:
    """Every method of the REST API's OpenAPI body, the functions its integrations invoke, and
    the parameters' defaults; security and API Gateway's own answers as the given parameters (or
    the defaults) make them."""
    document = yaml_parse(template.read_text())
    defaults = parameter_defaults(document)
    intrinsics = Intrinsics(document.get("Conditions", {}), {**defaults, **(parameters or {})})
    resources: dict[str, Any] = document.get("Resources", {})
    globals_ = document.get("Globals", {}).get("Function", {})
    apis = [r for r in resources.values() if r.get("Type") == "AWS::Serverless::Api"]
    if len(apis) != 1:
        raise ValueError(f"{template} should have one AWS::Serverless::Api, it has {len(apis)}")
    body = intrinsics.resolve(apis[0]["Properties"]["DefinitionBody"])
    routes = tuple(
        _route(path, "ANY" if method == ANY_METHOD else method.upper(), operation)
        for path, methods in body["paths"].items()
        for method, operation in methods.items()
        if method in OPENAPI_METHODS or method == ANY_METHOD
    )
    named = Intrinsics(document.get("Conditions", {}), {**intrinsics.parameters, "AWS::StackName": stack_name}, {})
    names = log_group_names(resources, named)
    functions = {
        name: _function_spec(name, {**globals_, **resources[name]["Properties"]}, template.parent, names)
        for name in sorted({route.function for route in routes if route.function})
    }
    gateway_responses = {
        kind: _answer(None, response, "gatewayresponse.header.")
        for kind, response in body.get("x-amazon-apigateway-gateway-responses", {}).items()
    }
    properties = apis[0]["Properties"]
    access_log = properties.get("AccessLogSetting", {}).get("DestinationArn", {}).get("Fn::GetAtt", [""])[0]
    return LocalTemplate(
        routes,
        functions,
        gateway_responses,
        defaults,
        named.resolve(properties.get("Name", "")),
        names.get(access_log, ""),
    )


def log_group_names(resources: dict[str, Any], named: Intrinsics) -> dict[str, str]:
    """Each log group's name, by logical id, as ``named`` (a deployment's resolver: parameters and
    the stack's name) resolves its LogGroupName, e.g. /aws/sagemaker/Endpoints/${EndpointName}."""
    return {
        logical_id: named.resolve(resource["Properties"]["LogGroupName"])
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Logs::LogGroup"
    }


def _route(path: str, method: str, operation: dict[str, Any]) -> ApiRoute:
    integration = operation["x-amazon-apigateway-integration"]
    security = frozenset(scheme for requirement in operation.get("security", []) for scheme in requirement)
    if integration["type"] == "aws_proxy":
        return ApiRoute(path, method, _integrated_function(integration), security)
    if integration["type"] != "mock" or set(integration["responses"]) != {"default"}:
        raise ValueError(f"the local API Gateway serves aws_proxy and one-answer MOCK integrations, not {integration}")
    if integration.get("passthroughBehavior") != "never":
        raise ValueError(f"a MOCK for {method} {path} should refuse bodies it has no template for (never)")
    response = integration["responses"]["default"]
    mock = MockIntegration(
        frozenset(integration.get("requestTemplates", {})),
        _answer(int(response["statusCode"]), response, "method.response.header."),
    )
    return ApiRoute(path, method, None, security, mock)


def _answer(status: int | None, response: dict[str, Any], header_prefix: str) -> StaticAnswer:
    headers = {
        name.removeprefix(header_prefix): source for name, source in response.get("responseParameters", {}).items()
    }
    return StaticAnswer(status, headers, response.get("responseTemplates", {}).get("application/json", ""))


def model_container_environment(template: Path = TEMPLATE, model: str = "Model") -> dict[str, Any]:
    """The Environment of an AWS::SageMaker::Model's PrimaryContainer, intrinsic functions kept as they are."""
    document = yaml_parse(template.read_text())
    return dict(document["Resources"][model]["Properties"]["PrimaryContainer"]["Environment"])


def _function_spec(logical_id: str, properties: dict[str, Any], folder: Path, names: dict[str, str]) -> FunctionSpec:
    variables: dict[str, Any] = properties.get("Environment", {}).get("Variables", {})
    log_group = properties.get("LoggingConfig", {}).get("LogGroup", {})
    log_group_id = log_group.get("Ref", "") if isinstance(log_group, dict) else ""
    return FunctionSpec(
        logical_id=logical_id,
        code_uri=folder / properties["CodeUri"],
        handler=properties["Handler"],
        runtime=properties["Runtime"],
        timeout_seconds=int(properties.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
        memory_mb=int(properties.get("MemorySize", DEFAULT_MEMORY_MB)),
        environment={name: str(value) for name, value in variables.items() if isinstance(value, str | int | float)},
        declared_environment=frozenset(variables),
        log_group=names.get(log_group_id) or f"/aws/lambda/{logical_id}",
    )


def _integrated_function(integration: dict[str, Any]) -> str:
    """The logical id in the integration's uri, e.g. !Sub ...functions/${PredictFunction.Arn}:live/invocations."""
    uri = integration["uri"]
    found = FUNCTION_IN_URI.search(uri["Fn::Sub"] if isinstance(uri, dict) else uri)
    if not found:
        raise ValueError(f"cannot tell which function {uri!r} invokes")
    return found.group(1)
