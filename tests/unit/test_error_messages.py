"""The exact words of every refusal, as a caller reads them in the JSON body.

Frontends show these messages to people and scripts match on them, so they are written out here in
full: a change of wording is a change of the API and should fail a test.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import ANY

from predict import errors
from tests.helpers import (
    base64_predict_event,
    call,
    endpoint_answer,
    load_event,
    predict_event,
    route_event,
    with_header,
)

NOT_JSON = "The request body is not valid JSON: "
WRONG_TYPE = "Send the body as application/json (the request had "


def _text_predict(text: str) -> dict:
    """A body as API Gateway hands it over, which for a JSON event may hold any string."""
    event = predict_event("{}")
    event["body"] = text
    return event


@pytest.mark.parametrize(
    ("event", "status", "message"),
    [
        (route_event("GET", "/nope"), 404, "No route for /nope; the API serves POST /predict and GET /health"),
        (route_event("GET", "/predict"), 405, "GET is not allowed on /predict; use POST or OPTIONS"),
        (route_event("PUT", "/health"), 405, "PUT is not allowed on /health; use GET or OPTIONS"),
        (predict_event("{}", "text/plain"), 415, WRONG_TYPE + "'text/plain')"),
        (predict_event("{}", None), 415, WRONG_TYPE + "no Content-Type)"),
        (
            predict_event("{}", "application/json; charset=latin-1"),
            415,
            WRONG_TYPE + "'application/json; charset=latin-1')",
        ),
        (predict_event(""), 400, NOT_JSON + "it is empty"),
        (predict_event('{"instances": [[5.1, 3.5]]'), 400, NOT_JSON + "Expecting ',' delimiter at line 1, column 27"),
        (predict_event('{\n  "instances": \n}'), 400, NOT_JSON + "Expecting value at line 3, column 1"),
        (predict_event("[" * 100_000 + "]" * 100_000), 400, NOT_JSON + "it is nested too deeply"),
        (predict_event(b"\xff{}"), 400, NOT_JSON + "it is not UTF-8 (invalid byte at position 0)"),
        (_text_predict('{"a": "\ud800"}'), 400, NOT_JSON + "it is not UTF-8 (invalid byte at position 7)"),
        (base64_predict_event("e30=!"), 400, NOT_JSON + "its base64 encoding is broken"),
        (base64_predict_event("e30"), 400, NOT_JSON + "its base64 encoding is broken"),
    ],
    ids=[
        "no-route",
        "wrong-method-predict",
        "wrong-method-health",
        "415-named",
        "415-absent",
        "415-charset",
        "empty",
        "syntax",
        "syntax-on-line-3",
        "nested",
        "not-utf8",
        "lone-surrogate",
        "base64-bad-character",
        "base64-bad-padding",
    ],
)
def test_refusals_before_the_schema(raising_client, event, status, message):
    client = raising_client(AssertionError("called the endpoint"))

    answer = call(event)

    assert (answer.status, answer.body["message"]) == (status, message)
    assert answer.body["errors"] == []
    assert client.calls == 0


ROW = [5.1, 3.5, 1.4, 0.2]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[*ROW[:3], -1]], "Invalid request: instances[0][3] (petal_width): must not be negative, got -1"),
        (
            [[*ROW[:3], -1], [*ROW[:3], -2]],
            "Invalid request: instances[0][3] (petal_width): must not be negative, got -1 (and 1 more problem)",
        ),
        (
            [[*ROW[:3], -1], [*ROW[:3], -2], [*ROW[:3], -3]],
            "Invalid request: instances[0][3] (petal_width): must not be negative, got -1 (and 2 more problems)",
        ),
    ],
    ids=["one", "two", "three"],
)
def test_the_summary_counts_the_problems_after_the_first(rows, message):
    answer = call(predict_event(json.dumps({"instances": rows})))

    assert (answer.status, answer.body["message"]) == (422, message)
    assert len(answer.body["errors"]) == len(rows)


def test_a_variant_choice_where_none_is_offered():
    answer = call(with_header(load_event("predict-one-row"), "X-Model-Variant", "primary"))

    assert (answer.status, answer.body["message"]) == (
        422,
        "Invalid request: headers.X-Model-Variant: this API does not let callers choose a model variant; "
        "send no such header",
    )


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (
            ClientError({"Error": {"Code": "ModelError"}}, "InvokeEndpoint"),
            502,
            "The model could not score this request",
        ),
        (
            ClientError({"Error": {"Code": "ThrottlingException"}}, "InvokeEndpoint"),
            503,
            "The model endpoint is busy or not ready; retry shortly",
        ),
        (
            ClientError({"Error": {"Code": "ValidationError"}}, "InvokeEndpoint"),
            502,
            "The service is misconfigured and cannot reach its model",
        ),
        (
            ClientError({"Error": {"Code": "InternalFailure"}}, "InvokeEndpoint"),
            502,
            "The model endpoint returned an unusable answer",
        ),
        (ReadTimeoutError(endpoint_url="http://endpoint"), 504, "The model endpoint did not answer in time"),
        (
            EndpointConnectionError(endpoint_url="http://endpoint"),
            503,
            "The model endpoint is busy or not ready; retry shortly",
        ),
    ],
    ids=["model-error", "throttled", "misconfigured", "service-error", "timeout", "unreachable"],
)
def test_endpoint_failures(raising_client, error, status, message):
    raising_client(error)

    answer = call(load_event("predict-one-row"))

    assert (answer.status, answer.body["message"], answer.body["errors"]) == (status, message, [])


@pytest.mark.parametrize("missing", ["requestId", "requestContext"])
def test_an_event_without_a_request_id_answers_and_invokes_without_one(runtime_stub, missing):
    # `sam local invoke` with a hand-written event may carry no requestContext.requestId.
    event = load_event("predict-one-row")
    if missing == "requestId":
        del event["requestContext"]["requestId"]
    else:
        del event["requestContext"]
    runtime_stub.add_response(
        "invoke_endpoint",
        endpoint_answer({"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]]}),
        {"EndpointName": "iris-endpoint", "ContentType": "application/json", "Accept": "application/json", "Body": ANY},
    )
    refused = call({key: value for key, value in route_event("GET", "/nope").items() if key != "requestContext"})

    answer = call(event)

    assert answer.status == 200
    assert answer.headers["x-request-id"] == ""
    assert refused.body["requestId"] == ""


@pytest.mark.parametrize(
    ("routes", "served"),
    [
        ({"/a": ("GET",)}, "GET /a"),
        ({"/a": ("GET", "PUT")}, "GET /a and PUT /a"),
        ({"/a": ("GET",), "/b": ("POST",), "/c": ("DELETE",)}, "GET /a, POST /b and DELETE /c"),
    ],
    ids=["one", "two", "three"],
)
def test_the_404_sentence_lists_every_route_served(routes, served):
    assert errors.not_found("/x", routes).message == f"No route for /x; the API serves {served}"
