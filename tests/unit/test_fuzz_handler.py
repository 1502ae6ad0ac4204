"""Property-based fuzzing of the handler: whatever a client sends, the answer is never a 5xx,
never a traceback, and every error is the documented JSON shape with the request id.

The endpoint is a fake that answers like the model for as many rows as it is sent, so bodies
that pass validation go all the way through. Run with --hypothesis-show-statistics to see the
example counts (make test does).
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iris_contract import FEATURE_NAMES

from predict import endpoint_client
from tests import raw_requests
from tests.helpers import call, examples, load_event, predict_event, route_event, with_body, with_header

EXAMPLES = examples(400)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _no_repeated_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # What the endpoint is sent must read the same to every reader: a repeated name reads
    # differently to one that keeps the first value and one that keeps the last.
    assert len({name for name, _ in pairs}) == len(pairs), f"forwarded a repeated name: {pairs!r:.200}"
    return dict(pairs)


class ModelLikeEndpoint:
    def invoke_endpoint(self, Body: str, **_: Any) -> dict[str, Any]:
        rows = len(json.loads(Body, object_pairs_hook=_no_repeated_names)["instances"])
        answer = {"predictions": [0] * rows, "probabilities": [[1.0, 0.0, 0.0]] * rows}
        return {"Body": io.BytesIO(json.dumps(answer).encode())}


@pytest.fixture(autouse=True)
def model_like_endpoint(monkeypatch):
    endpoint = ModelLikeEndpoint()
    monkeypatch.setattr(endpoint_client, "runtime_client", lambda: endpoint)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=40,
)
measurement = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.text(max_size=5), st.none(), st.booleans()
)
near_valid_rows = st.one_of(
    st.lists(measurement, min_size=0, max_size=6),
    st.dictionaries(st.sampled_from([*FEATURE_NAMES, "colour", "sepal_lenght"]), measurement, max_size=6),
    json_values,
)
near_valid_documents = st.one_of(
    st.fixed_dictionaries({"instances": st.lists(near_valid_rows, max_size=8)}),
    st.fixed_dictionaries({"instances": st.lists(near_valid_rows, max_size=4)}, optional={"extra": json_values}),
    json_values,
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


def _assert_sane(answer) -> None:
    assert answer.status < 500, answer.body
    text = json.dumps(answer.body)
    assert "Traceback" not in text
    if answer.status >= 400 and answer.status != 405:
        assert set(answer.body) == {"message", "errors", "requestId"}
        assert answer.body["requestId"]
    if answer.status == 200:
        assert "predictions" in answer.body or answer.body.get("status") == "ok"


@FUZZ
@given(document=near_valid_documents)
def test_any_json_document(document):
    answer = call(predict_event(json.dumps(document)))

    _assert_sane(answer)
    assert answer.status in (200, 422)


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_bytes(body):
    answer = call(predict_event(body))

    _assert_sane(answer)
    assert answer.status in (200, 400, 422)


@FUZZ
@given(
    content_type=header_values,
    origin=header_values,
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
)
def test_any_headers_and_method(content_type, origin, method):
    event = with_header(
        predict_event('{"instances": [[5.1, 3.5, 1.4, 0.2]]}', content_type),
        "Origin",
        origin,
    )
    event["httpMethod"] = method

    _assert_sane(call(event))


@FUZZ
@given(path=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40))
def test_any_path(path):
    event = load_event("health")
    event["path"] = "/" + path

    _assert_sane(call(event))


# ---------------------------------------------------------------- raw text and raw headers
def _with_headers(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    for name, value in headers.items():
        event = with_header(event, name, value)
    return event


@FUZZ
@given(body=raw_requests.bodies, headers=raw_requests.headers)
def test_any_raw_body_and_headers_to_predict(body, headers, log_lines):
    answer = call(_with_headers(predict_event(body), headers))

    _assert_sane(answer)
    assert answer.status in (200, 400, 413, 415, 422)
    assert not [line for line in log_lines() if line["level"] == "ERROR"]


@FUZZ
@given(
    method=raw_requests.methods,
    path=raw_requests.paths,
    resource=st.sampled_from(["/predict", "/health", "/{proxy+}"]),
    body=raw_requests.bodies,
    headers=raw_requests.headers,
)
def test_any_raw_request_on_any_route(method, path, resource, body, headers, log_lines):
    event = _with_headers(route_event(method, path, resource=resource), headers)
    event = with_body(event, body, headers.get("Content-Type"))

    answer = call(event)

    _assert_sane(answer)
    scored = answer.status == 200 and "predictions" in answer.body
    assert not scored or (resource, method) == ("/predict", "POST")
    assert not [line for line in log_lines() if line["level"] == "ERROR"]
