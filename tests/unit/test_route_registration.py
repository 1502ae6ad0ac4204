"""How routes are registered, run as Lambda's init runs it: the module imported afresh. A reload
makes the decorators register every route again within the test (mutmut credits calls made at
import to the first test only, so the routes' registration is pinned here)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from predict import app
from tests.helpers import call, route_event


@pytest.fixture
def fresh_app() -> Iterator[object]:
    reloaded = importlib.reload(app)
    try:
        yield reloaded
    finally:
        importlib.reload(app)  # whatever the test registered goes


def test_each_route_is_registered_once_with_its_method(fresh_app):
    assert fresh_app.ROUTES == {"/predict": ("POST",), "/health": ("GET",)}


def test_a_second_method_on_a_path_joins_the_first(fresh_app):
    fresh_app.route("DELETE", "/health")(lambda: {"status": "gone"})

    assert fresh_app.ROUTES["/health"] == ("GET", "DELETE")


@pytest.mark.parametrize(("method", "path"), [("GET", "/health"), ("POST", "/predict")])
def test_a_route_runs_only_for_requests_api_gateway_matched_to_its_own_resource(fresh_app, method, path):
    # The served path and method, but matched to the catch-all resource: the function's 404.
    answer = call(route_event(method, path, resource="/{proxy+}"))

    assert answer.status == 404
    assert answer.body["message"] == "No route for this path; the API serves POST /predict and GET /health"
