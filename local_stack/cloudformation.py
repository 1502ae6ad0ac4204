"""Reads template.yaml for the local stack: the REST API's routes, the functions they invoke, the
answers API Gateway gives by itself, the parameters' defaults, and the model container's
environment. Each reader parses the template once.

The template is read as SAM reads it (``samtranslator.yaml_helper``: short-form tags become
``{"Fn::Sub": ...}``). Intrinsic functions are kept as they are: the local stack uses literal
settings, and supplies the values a deployment would resolve. The one exception is each
operation's ``security``, an ``!If`` on the auth mode: it is resolved for the parameters given,
by the template's own Conditions (``local_stack/intrinsics.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from local_stack.intrinsics import Intrinsics, parameter_defaults
from project import ROOT

TEMPLATE = ROOT / "template.yaml"
# Lambda's own defaults for a function that does not set them.
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128

OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
ANY_METHOD = "x-amazon-apigateway-any-method"
FUNCTION_IN_URI = re.compile(r"\$\{(\w+)\.Arn\}")


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


@dataclass(frozen=True)
class ApiRoute:
    path: str  # an OpenAPI path, e.g. /predict or /{proxy+}
    method: str  # upper case, or ANY
    function: str  # the logical id of the function the integration invokes
    # The security schemes the operation requires (api_key, sigv4), for the auth mode loaded.
    security: frozenset[str] = frozenset()

    @property
    def is_greedy(self) -> bool:
        return "+}" in self.path

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters when ``path`` is this resource, else None."""
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", self.path)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        found = re.fullmatch(regex, path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class LocalTemplate:
    routes: tuple[ApiRoute, ...]
    functions: dict[str, FunctionSpec]
    # x-amazon-apigateway-gateway-responses: the application/json template of each, by type.
    gateway_responses: dict[str, str]
    parameter_defaults: dict[str, str]


def load_template(template: Path = TEMPLATE, parameters: dict[str, str] | None = None) -> LocalTemplate:
    """Every method of the REST API's OpenAPI body, the functions its integrations invoke, and
    the parameters' defaults; security as the given parameters (or the defaults) make it."""
    document = yaml_parse(template.read_text())
    defaults = parameter_defaults(document)
    intrinsics = Intrinsics(document.get("Conditions", {}), {**defaults, **(parameters or {})})
    resources: dict[str, Any] = document.get("Resources", {})
    globals_ = document.get("Globals", {}).get("Function", {})
    apis = [r for r in resources.values() if r.get("Type") == "AWS::Serverless::Api"]
    if len(apis) != 1:
        raise ValueError(f"{template} should have one AWS::Serverless::Api, it has {len(apis)}")
    body = apis[0]["Properties"]["DefinitionBody"]
    routes = tuple(
        ApiRoute(
            path,
            "ANY" if method == ANY_METHOD else method.upper(),
            _integrated_function(operation),
            frozenset(
                scheme for requirement in intrinsics.resolve(operation.get("security", [])) for scheme in requirement
            ),
        )
        for path, methods in body["paths"].items()
        for method, operation in methods.items()
        if method in OPENAPI_METHODS or method == ANY_METHOD
    )
    functions = {
        name: _function_spec(name, {**globals_, **resources[name]["Properties"]}, template.parent)
        for name in sorted({route.function for route in routes})
    }
    gateway_responses = {
        kind: response["responseTemplates"]["application/json"]
        for kind, response in body.get("x-amazon-apigateway-gateway-responses", {}).items()
    }
    return LocalTemplate(routes, functions, gateway_responses, defaults)


def model_container_environment(template: Path = TEMPLATE, model: str = "Model") -> dict[str, Any]:
    """The Environment of an AWS::SageMaker::Model's PrimaryContainer, intrinsic functions kept as they are."""
    document = yaml_parse(template.read_text())
    return dict(document["Resources"][model]["Properties"]["PrimaryContainer"]["Environment"])


def _function_spec(logical_id: str, properties: dict[str, Any], folder: Path) -> FunctionSpec:
    variables: dict[str, Any] = properties.get("Environment", {}).get("Variables", {})
    return FunctionSpec(
        logical_id=logical_id,
        code_uri=folder / properties["CodeUri"],
        handler=properties["Handler"],
        runtime=properties["Runtime"],
        timeout_seconds=int(properties.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
        memory_mb=int(properties.get("MemorySize", DEFAULT_MEMORY_MB)),
        environment={name: str(value) for name, value in variables.items() if isinstance(value, str | int | float)},
        declared_environment=frozenset(variables),
    )


def _integrated_function(operation: dict[str, Any]) -> str:
    """The logical id in the integration's uri, e.g. !Sub ...functions/${PredictFunction.Arn}:live/invocations."""
    uri = operation["x-amazon-apigateway-integration"]["uri"]
    found = FUNCTION_IN_URI.search(uri["Fn::Sub"] if isinstance(uri, dict) else uri)
    if not found:
        raise ValueError(f"cannot tell which function {uri!r} invokes")
    return found.group(1)
