"""A/B variants at the facade: a caller may ask for an allowed variant; every answer names the one
that served it, in a header, the logs and the metrics; the request id is the InferenceId."""

from __future__ import annotations

import json

import pytest
from botocore.stub import ANY

from predict.settings import get_settings
from tests.helpers import ALLOWED_ORIGIN, call, emf_metrics, endpoint_answer, json_lines, load_event, with_header

ONE_ROW = {"predictions": [1], "probabilities": [[0.0, 0.9, 0.1]], "classes": ["a", "b", "c"], "model_version": "v"}


@pytest.fixture
def two_variants(monkeypatch):
    monkeypatch.setenv("SELECTABLE_VARIANTS", "primary, challenger")
    get_settings.cache_clear()


def _answer_from(variant: str) -> dict:
    return {**endpoint_answer(ONE_ROW), "InvokedProductionVariant": variant}


def _expected_call(event: dict, **extra: str) -> dict:
    return {
        "EndpointName": "iris-endpoint",
        "ContentType": "application/json",
        "Accept": "application/json",
        "Body": ANY,
        "InferenceId": event["requestContext"]["requestId"],
        **extra,
    }


def test_without_a_choice_the_endpoint_splits_and_the_answer_names_the_variant(
    runtime_stub, two_variants, capsys, log_lines
):
    event = load_event("predict-one-row")
    runtime_stub.add_response("invoke_endpoint", _answer_from("challenger"), _expected_call(event))

    answer = call(event)

    assert answer.status == 200
    assert answer.headers["x-model-variant"] == "challenger"
    scored = [line for line in log_lines() if line.get("message") == "scored"]
    assert [(line["variant"], line.get("asked_variant"), line["rows"]) for line in scored] == [("challenger", None, 1)]
    metrics = emf_metrics(json_lines(capsys.readouterr().out))
    assert [(m["value"], m["service"], m["variant"]) for m in metrics["InstancesScored"]] == [
        ([1.0], "iris-gateway", "challenger")
    ]
    assert metrics["Predicted_versicolor"][0]["variant"] == "challenger"


@pytest.mark.parametrize("asked", ["challenger", "primary", " challenger "])
def test_an_allowed_variant_is_asked_of_the_endpoint(runtime_stub, two_variants, asked):
    event = with_header(load_event("predict-one-row"), "X-Model-Variant", asked)
    runtime_stub.add_response(
        "invoke_endpoint", _answer_from(asked.strip()), _expected_call(event, TargetVariant=asked.strip())
    )

    answer = call(event)

    assert (answer.status, answer.headers["x-model-variant"]) == (200, asked.strip())


def test_an_unknown_variant_is_422_naming_the_allowed_ones_and_never_reaches_the_endpoint(raising_client, two_variants):
    client = raising_client(AssertionError("called the endpoint"))

    answer = call(with_header(load_event("predict-one-row"), "X-Model-Variant", "champion"))

    assert answer.status == 422
    assert answer.body["errors"] == [
        {
            "location": "headers.X-Model-Variant",
            "message": "there is no model variant 'champion' to ask for; use one of primary, challenger",
        }
    ]
    assert answer.body["message"].startswith("Invalid request: headers.X-Model-Variant: ")
    assert client.calls == 0


def test_with_no_selectable_variants_any_choice_is_refused(raising_client):
    client = raising_client(AssertionError("called the endpoint"))

    answer = call(with_header(load_event("predict-one-row"), "X-Model-Variant", "primary"))

    assert answer.status == 422
    assert "does not let callers choose" in answer.body["errors"][0]["message"]
    assert client.calls == 0


def test_an_answer_without_a_variant_sends_no_variant_header(runtime_stub):
    answer_without = endpoint_answer(ONE_ROW)
    del answer_without["InvokedProductionVariant"]
    runtime_stub.add_response("invoke_endpoint", answer_without)

    answer = call(load_event("predict-one-row"))

    assert answer.status == 200
    assert "x-model-variant" not in answer.headers


def test_browsers_may_send_and_read_the_variant_header():
    preflight = with_header(load_event("predict-preflight"), "Access-Control-Request-Headers", "x-model-variant")

    answer = call(preflight)

    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-model-variant" in answer.headers["access-control-allow-headers"].lower()
    assert "x-model-variant" in answer.headers["access-control-expose-headers"].lower()


def test_the_endpoint_answer_is_passed_through_whichever_variant_served_it(runtime_stub, two_variants):
    runtime_stub.add_response("invoke_endpoint", _answer_from("primary"))

    answer = call(load_event("predict-one-row"))

    assert json.dumps(answer.body) == json.dumps(ONE_ROW)
