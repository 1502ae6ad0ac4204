"""The template's REST API invokes the function on exactly the routes the function serves."""

from __future__ import annotations

import pytest

from local_stack.cloudformation import load_template
from predict.app import ROUTES

pytestmark = pytest.mark.infrastructure

# The methods the function answers on every route without serving them: CORS preflight, and the
# 405 for any other method (x-amazon-apigateway-any-method).
ANSWERED_ON_EVERY_ROUTE = {"OPTIONS", "ANY"}


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
