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
from tests.helpers import call, load_event, predict_event, with_header

EXAMPLES = 400
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class ModelLikeEndpoint:
    def invoke_endpoint(self, Body: str, **_: Any) -> dict[str, Any]:
        rows = len(json.loads(Body)["instances"])
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
