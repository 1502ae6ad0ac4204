"""Routing (404, 405, health, preflight) and CORS on every kind of answer, and the rule that a route
runs only for a request API Gateway matched to that route's own resource and method."""

from __future__ import annotations

import json

import pytest

from tests.helpers import ALLOWED_ORIGIN, GUIDE_CURL_BODY, call, load_event, route_event, with_body, with_header

NOT_SERVED = "No route for this path; the API serves POST /predict and GET /health"


def test_health_answers_without_calling_the_endpoint_or_naming_it(runtime_stub):
    # The stub has no responses queued: any call to SageMaker would fail the test.
    answer = call(load_event("health"))

    assert answer.status == 200
    assert answer.body == {"status": "ok"}


def test_unknown_route_is_a_json_404():
    answer = call(route_event("GET", "/predictions"))

    assert answer.status == 404
    assert set(answer.body) == {"message", "errors", "requestId"}
    assert answer.body["message"] == NOT_SERVED


@pytest.mark.parametrize(
    ("method", "path", "allow"), [("GET", "/predict", "POST, OPTIONS"), ("DELETE", "/health", "GET, OPTIONS")]
)
def test_wrong_method_on_a_served_resource_is_405_with_allow(method, path, allow):
    answer = call(route_event(method, path, resource=path))

    assert answer.status == 405
    assert answer.headers["allow"] == allow
    assert method in answer.body["message"]


# Every served route's path (with a trailing slash or an empty segment too), through any other resource.
OWN_RESOURCE = {"POST": "/predict", "GET": "/health"}
ELSEWHERE = [
    (method, path, resource)
    for method, paths in (("POST", ("/predict", "/predict/", "/predict//")), ("GET", ("/health", "/health/")))
    for path in paths
    for resource in ("/{proxy+}", None, "/health", "/predict")
    if resource != OWN_RESOURCE[method]
]


@pytest.mark.parametrize(("method", "path", "resource"), ELSEWHERE)
def test_a_route_never_runs_for_a_request_matched_to_another_resource_or_method(runtime_stub, method, path, resource):
    # Whatever the path names, a route runs only when API Gateway matched the request to that route's
    # own resource and method, whose security it applied. The stub fails any call to SageMaker.
    event = with_body(route_event(method, path, resource=resource), GUIDE_CURL_BODY)
    if resource is None:
        del event["resource"]

    answer = call(event)

    assert answer.status in (404, 405)
    assert answer.body["message"] in (
        NOT_SERVED,
        f"{method} is not allowed on {resource}; use {'GET' if resource == '/health' else 'POST'} or OPTIONS",
    )


@pytest.mark.parametrize("path", ["/predict", "/predict/"])
def test_the_predict_resource_scores_whatever_trailing_slash_the_path_has(runtime_stub, path):
    # API Gateway matches /predict/ to the /predict resource (its method's security applied) and
    # passes the path as sent: the route runs.
    from tests.helpers import endpoint_answer

    runtime_stub.add_response("invoke_endpoint", endpoint_answer({"predictions": [0], "probabilities": [[1, 0, 0]]}))
    event = load_event("predict-one-row")
    event["path"] = path

    assert call(event).status == 200


def test_preflight_allows_the_configured_origin():
    answer = call(load_event("predict-preflight"))

    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "Content-Type" in answer.headers["access-control-allow-headers"]
    assert answer.headers["vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path", "resource"),
    [
        ("OPTIONS", "/predict", "/predict"),
        ("GET", "/nowhere", "/{proxy+}"),
        ("GET", "/predict", "/predict"),
        ("GET", "/health", "/health"),
    ],
)
def test_other_origins_get_no_cors_grant(method, path, resource):
    event = route_event(method, path, origin="https://evil.example", resource=resource)
    if method == "OPTIONS":
        event = with_header(event, "Access-Control-Request-Method", "POST")

    answer = call(event)

    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(
    ("method", "path", "resource", "status"),
    [("GET", "/nowhere", "/{proxy+}", 404), ("PUT", "/predict", "/predict", 405), ("GET", "/health", "/health", 200)],
)
def test_each_configured_origin_is_echoed_on_every_answer(method, path, resource, status):
    for origin in ("https://app.example.com", "https://admin.example.com"):
        answer = call(route_event(method, path, origin=origin, resource=resource))

        assert answer.status == status
        assert answer.headers["access-control-allow-origin"] == origin
        assert "X-Request-Id" in answer.headers["access-control-expose-headers"]


def test_no_route_answer_leaks_internals():
    answer = call(route_event("PATCH", "/predict/../../etc/passwd"))

    assert answer.status == 404
    assert "Traceback" not in json.dumps(answer.body)
    assert "passwd" not in json.dumps(answer.body)
