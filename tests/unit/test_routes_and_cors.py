"""Routing (404, 405, health, preflight) and CORS on every kind of answer."""

from __future__ import annotations

import json

import pytest

from tests.helpers import ALLOWED_ORIGIN, call, load_event, route_event, with_header


def test_health_answers_without_calling_the_endpoint(runtime_stub):
    # The stub has no responses queued: any call to SageMaker would fail the test.
    answer = call(load_event("health"))

    assert answer.status == 200
    assert answer.body == {"status": "ok", "endpoint": "iris-endpoint"}


def test_unknown_route_is_a_json_404():
    answer = call(route_event("GET", "/predictions"))

    assert answer.status == 404
    assert set(answer.body) == {"message", "errors", "requestId"}
    assert "POST /predict" in answer.body["message"]


@pytest.mark.parametrize(
    ("method", "path", "allow"), [("GET", "/predict", "POST, OPTIONS"), ("DELETE", "/health", "GET, OPTIONS")]
)
def test_wrong_method_is_405_with_allow(method, path, allow):
    answer = call(route_event(method, path))

    assert answer.status == 405
    assert answer.headers["allow"] == allow
    assert method in answer.body["message"]


def test_preflight_allows_the_configured_origin():
    answer = call(load_event("predict-preflight"))

    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "Content-Type" in answer.headers["access-control-allow-headers"]
    assert answer.headers["vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path"), [("OPTIONS", "/predict"), ("GET", "/nowhere"), ("GET", "/predict"), ("GET", "/health")]
)
def test_other_origins_get_no_cors_grant(method, path):
    event = route_event(method, path, origin="https://evil.example")
    if method == "OPTIONS":
        event = with_header(event, "Access-Control-Request-Method", "POST")

    answer = call(event)

    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nowhere", 404), ("PUT", "/predict", 405), ("GET", "/health", 200)]
)
def test_each_configured_origin_is_echoed_on_every_answer(method, path, status):
    for origin in ("https://app.example.com", "https://admin.example.com"):
        answer = call(route_event(method, path, origin=origin))

        assert answer.status == status
        assert answer.headers["access-control-allow-origin"] == origin
        assert "X-Request-Id" in answer.headers["access-control-expose-headers"]


def test_no_route_answer_leaks_internals():
    answer = call(route_event("PATCH", "/predict/../../etc/passwd"))

    assert answer.status == 404
    assert "Traceback" not in json.dumps(answer.body)
