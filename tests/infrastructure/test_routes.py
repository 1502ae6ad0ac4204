"""The template's REST API invokes the function on exactly the routes the function serves."""

from __future__ import annotations

import json

import pytest

from local_stack.cloudformation import load_template
from predict import errors
from predict.app import ROUTES
from tests.helpers import MODEL_URI, call, route_event, with_header

pytestmark = pytest.mark.infrastructure

# The methods the function answers on every route without serving them: CORS preflight, and the
# 405 for any other method (x-amazon-apigateway-any-method).
ANSWERED_ON_EVERY_ROUTE = {"OPTIONS", "ANY"}
SERVED = {(path, method) for path, methods in ROUTES.items() for method in methods}


@pytest.mark.parametrize("auth_mode", ["NONE", "API_KEY", "IAM"])
def test_every_route_the_function_serves_is_a_template_route_and_no_other(auth_mode):
    template_routes = {
        (route.path, route.method)
        for route in load_template(parameters={"AuthMode": auth_mode}).routes
        if not route.is_greedy and route.method not in ANSWERED_ON_EVERY_ROUTE
    }

    assert template_routes == {(path, method) for path, methods in ROUTES.items() for method in methods}


def test_every_served_path_answers_other_methods_through_the_function():
    covered = {route.path for route in load_template().routes if route.method == "ANY" and not route.is_greedy}

    assert covered == set(ROUTES)


LOCKS = {"NONE": frozenset(), "API_KEY": frozenset({"api_key"}), "IAM": frozenset({"sigv4"})}


@pytest.mark.parametrize("auth_mode", LOCKS)
def test_in_every_auth_mode_the_function_is_invoked_only_behind_the_lock_and_the_rest_is_mocked(deploy, auth_mode):
    (api,) = deploy(ModelDataUrl=MODEL_URI, AuthMode=auth_mode).of_type("AWS::ApiGateway::RestApi").values()

    for path, methods in api["Properties"]["Body"]["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            schemes = {scheme for requirement in operation["security"] for scheme in requirement}
            integration = operation["x-amazon-apigateway-integration"]["type"]
            if integration == "aws_proxy":
                assert (path, method.upper()) in SERVED
                assert schemes == LOCKS[auth_mode], (path, method)
            else:
                assert (integration, schemes) == ("mock", set()), (path, method)


def _mock(path: str, method: str):
    (route,) = [r for r in load_template().routes if (r.path, r.method) == (path, method)]
    assert route.mock is not None
    return route.mock.answer


def test_api_gateways_404_is_the_functions():
    answer = _mock("/{proxy+}", "ANY")

    assert (answer.status, json.loads(answer.body_template.replace("$context.requestId", "r"))["message"]) == (
        404,
        errors.not_found(ROUTES).message,
    )


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_api_gateways_405_is_the_functions(path):
    answer = _mock(path, "ANY")
    allowed = [*ROUTES[path], "OPTIONS"]
    expected = errors.method_not_allowed("DELETE", path, allowed)

    rendered = answer.body_template.replace("$context.httpMethod", "DELETE").replace("$context.requestId", "r")
    assert (answer.status, json.loads(rendered)["message"]) == (405, expected.message)
    assert answer.headers["Allow"] == f"'{expected.headers['Allow']}'"


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_api_gateways_preflight_allows_what_the_functions_would(path, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "*")
    event = route_event("OPTIONS", path, resource=path)
    event = with_header(event, "Access-Control-Request-Method", ROUTES[path][0])
    functions = call(event)

    answer = _mock(path, "OPTIONS")

    assert answer.status == functions.status == 204
    for header in ("Access-Control-Allow-Headers", "Access-Control-Max-Age"):
        assert answer.headers[header] == f"'{functions.headers[header.lower()]}'"
    assert answer.headers["Access-Control-Allow-Methods"] == f"'{','.join([*ROUTES[path], 'OPTIONS'])}'"
