"""Every rule /predict applies to a request, each with its status and wording."""

from __future__ import annotations

import base64
import json
import math

import pytest
from botocore.stub import ANY
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from iris_contract import FEATURE_NAMES, GUIDE_EXAMPLE_INSTANCES, MAX_MEASUREMENT_CM
from pydantic import ValidationError

from predict import parsing
from predict.limits import MAX_INSTANCES, MAX_REPORTED_ERRORS
from predict.schemas import PredictRequest
from tests.helpers import (
    ALLOWED_ORIGIN,
    base64_predict_event,
    call,
    endpoint_answer,
    examples,
    predict_event,
)

FEATURES = ", ".join(FEATURE_NAMES)
LAST_VALUE = "instances[0][3] (petal_width)"


def _answer_for(rows: int) -> dict:
    return {"predictions": [0] * rows, "probabilities": [[1.0, 0.0, 0.0]] * rows, "classes": [], "model_version": "x"}


def _expect_invocation(stub, rows, body=None):
    stub.add_response(
        "invoke_endpoint",
        endpoint_answer(_answer_for(len(rows))),
        {
            "EndpointName": "iris-endpoint",
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": json.dumps({"instances": rows}) if body is None else body,
            "InferenceId": ANY,
        },
    )


def test_list_rows_are_sent_to_the_endpoint_as_they_are(runtime_stub):
    _expect_invocation(runtime_stub, [list(row) for row in GUIDE_EXAMPLE_INSTANCES])

    answer = call(predict_event(json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES})))

    assert answer.status == 200


def test_named_rows_are_sent_in_the_models_feature_order(runtime_stub):
    # Given rows keyed by name, in an order other than the model's
    named = [dict(reversed(list(zip(FEATURE_NAMES, row, strict=True)))) for row in GUIDE_EXAMPLE_INSTANCES]
    _expect_invocation(runtime_stub, [list(row) for row in GUIDE_EXAMPLE_INSTANCES])

    answer = call(predict_event(json.dumps({"instances": named})))

    assert answer.status == 200


def test_integers_and_a_charset_parameter_are_fine(runtime_stub):
    _expect_invocation(runtime_stub, [[7, 3, 6, 2]])

    answer = call(predict_event('{"instances": [[7, 3, 6, 2]]}', "application/json; charset=UTF-8"))

    assert answer.status == 200


def test_list_rows_reach_the_endpoint_as_the_caller_wrote_them(runtime_stub):
    # Nothing is re-encoded: the endpoint parses the same document the API validated.
    body = '{ "instances" : [ [5.1,3.5, 1.4 ,0.2], [6.2, 2.9, 4.3, 1.30000] ] }'
    _expect_invocation(runtime_stub, [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]], body=body)

    assert call(predict_event(body)).status == 200


def test_a_mix_of_list_and_named_rows_is_sent_in_the_models_feature_order(runtime_stub):
    named = dict(zip(reversed(FEATURE_NAMES), reversed(GUIDE_EXAMPLE_INSTANCES[1]), strict=True))
    _expect_invocation(runtime_stub, [list(GUIDE_EXAMPLE_INSTANCES[0]), list(GUIDE_EXAMPLE_INSTANCES[1])])

    answer = call(predict_event(json.dumps({"instances": [GUIDE_EXAMPLE_INSTANCES[0], named]})))

    assert answer.status == 200


def test_the_endpoints_json_is_passed_through_unchanged(runtime_stub):
    endpoint_body = b'{"predictions": [1], "probabilities": [[0.0, 0.99, 0.01]], "extra": {"kept": true}}'
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(endpoint_body))

    result = call(predict_event('{"instances": [[6.2, 2.9, 4.3, 1.3]]}'))

    assert result.status == 200
    assert json.dumps(result.body).encode() == json.dumps(json.loads(endpoint_body)).encode()


UNPROCESSABLE = [
    (
        {"instances": [[1, 2, 3, 4], [1, 2, 3, 4], [5.1, 3.5, 1.4]]},
        "instances[2]",
        f"expected 4 numbers ({FEATURES}), got 3",
    ),
    ({"instances": [[5.1, 3.5, 1.4, 0.2, 9]]}, "instances[0]", f"expected 4 numbers ({FEATURES}), got 5"),
    ({"instances": [[5.1, "3.5", 1.4, 0.2]]}, "instances[0][1] (sepal_width)", 'expected a number, got "3.5"'),
    ({"instances": [[5.1, 3.5, True, 0.2]]}, "instances[0][2] (petal_length)", "expected a number, got true"),
    ({"instances": [[5.1, 3.5, 1.4, None]]}, "instances[0][3] (petal_width)", "expected a number, got null"),
    ({"instances": [[-5.1, 3.5, 1.4, 0.2]]}, "instances[0][0] (sepal_length)", "must not be negative, got -5.1"),
    (
        {"instances": [[51, 35, 14, 2]]},
        "instances[0][0] (sepal_length)",
        f"must be at most {MAX_MEASUREMENT_CM:g} cm (a sanity bound: is it in millimetres?), got 51",
    ),
    ({"instances": []}, "instances", f"expected 1 to {MAX_INSTANCES} rows, got 0"),
    ({"instances": "5.1,3.5,1.4,0.2"}, "instances", "must be a list of rows"),
    ({"instances": ["5.1,3.5,1.4,0.2"]}, "instances[0]", f"expected a list of 4 numbers or an object with {FEATURES}"),
    ({}, "instances", "is missing"),
    ({"instance": [[5.1, 3.5, 1.4, 0.2]]}, "instance", "is not a known key (did you mean 'instances'?)"),
    (
        {"instances": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4}]},
        "instances[0].petal_width",
        "is missing",
    ),
    (
        {"instances": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_widht": 0.2}]},
        "instances[0].petal_widht",
        "is not a known key (did you mean 'petal_width'?)",
    ),
    (
        {"instances": [{"sepal_length": "5.1", "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]},
        "instances[0].sepal_length",
        'expected a number, got "5.1"',
    ),
    ([[5.1, 3.5, 1.4, 0.2]], "body", 'the body must be a JSON object like {"instances": [[5.1, 3.5, 1.4, 0.2]]}'),
    ("just a string", "body", 'the body must be a JSON object like {"instances": [[5.1, 3.5, 1.4, 0.2]]}'),
    # A value is quoted up to 40 characters of its JSON; a longer one is cut to 37 and "...".
    ({"instances": [[5.1, 3.5, 1.4, "x" * 38]]}, LAST_VALUE, f'expected a number, got "{"x" * 38}"'),
    ({"instances": [[5.1, 3.5, 1.4, "x" * 39]]}, LAST_VALUE, f'expected a number, got "{"x" * 36}...'),
    ({"instances": [[5.1, 3.5, 1.4, 0.2]], "zzz": 1}, "zzz", "is not a known key"),
    # A typo is looked for in keys up to twice the longest known name (24 characters), not beyond.
    (
        {"instances": [[5.1, 3.5, 1.4, 0.2]], "sepal_lengthsepal_length": 1},
        "sepal_lengthsepal_length",
        "is not a known key (did you mean 'sepal_length'?)",
    ),
    (
        {"instances": [[5.1, 3.5, 1.4, 0.2]], "sepal_lengthsepal_lengths": 1},
        "sepal_lengthsepal_lengths",
        "is not a known key",
    ),
]


@pytest.mark.parametrize(("document", "location", "message"), UNPROCESSABLE)
def test_schema_violations_are_422_naming_where_and_what(document, location, message):
    answer = call(predict_event(json.dumps(document)))

    assert answer.status == 422
    messages = {error["location"]: error["message"] for error in answer.body["errors"]}
    assert messages[location] == message
    first = answer.body["errors"][0]
    assert answer.body["message"].startswith(f"Invalid request: {first['location']}: {first['message']}")


def test_numbers_too_large_for_a_float_are_422():
    # 1e400 is valid JSON; it overflows to infinity when read.
    answer = call(predict_event('{"instances": [[5.1, 3.5, 1.4, 1e400]]}'))

    assert answer.status == 422
    assert answer.body["errors"] == [
        {"location": "instances[0][3] (petal_width)", "message": "expected a finite number"}
    ]


def test_too_many_rows_is_422_before_the_endpoint_is_called():
    rows = [[5.1, 3.5, 1.4, 0.2]] * (MAX_INSTANCES + 1)

    answer = call(predict_event(json.dumps({"instances": rows})))

    assert answer.status == 422
    assert answer.body["errors"] == [
        {"location": "instances", "message": f"expected 1 to {MAX_INSTANCES} rows, got {MAX_INSTANCES + 1}"}
    ]


def test_the_maximum_batch_is_accepted(runtime_stub):
    rows = [[5.1, 3.5, 1.4, 0.2]] * MAX_INSTANCES
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(_answer_for(MAX_INSTANCES)))

    answer = call(predict_event(json.dumps({"instances": rows})))

    assert answer.status == 200


def test_many_problems_are_capped_and_counted():
    rows = [["x", "x", "x", "x"]] * 10

    answer = call(predict_event(json.dumps({"instances": rows})))

    assert answer.status == 422
    assert len(answer.body["errors"]) == MAX_REPORTED_ERRORS
    assert answer.body["message"].endswith(f"(and {40 - 1} more problems)")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"instances": [[5.1, 3.5, 1.4, 0.2]]', "not valid JSON"),
        (b'{"instances": [[5.1, NaN, 1.4, 0.2]]}', "NaN is not a JSON value"),
        (b'{"instances": [[5.1, -Infinity, 1.4, 0.2]]}', "-Infinity is not a JSON value"),
        (b"", "it is empty"),
        (b"   ", "it is empty"),
        ('{"instances": [[5.1, 3.5, 1.4, 0.2]]}'.encode("utf-16"), "it is not UTF-8"),
        (b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}\xff', "it is not UTF-8"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    ],
)
def test_bodies_that_are_not_json_are_400(body, reason):
    answer = call(predict_event(body))

    assert answer.status == 400
    assert reason in answer.body["message"]


def test_broken_base64_is_400():
    answer = call(base64_predict_event("not base64!"))

    assert answer.status == 400
    assert "base64" in answer.body["message"]


# The documented limits (README, "Limits"), written out here rather than imported from the code.
DOCUMENTED_BODY_LIMIT = 2 * 1024 * 1024
DOCUMENTED_ROW_LIMIT = 10_000


def _padded_json(size: int) -> bytes:
    """A valid request of exactly ``size`` bytes: the guide's rows, then spaces JSON allows."""
    document = json.dumps({"instances": [list(row) for row in GUIDE_EXAMPLE_INSTANCES]}).encode()
    return document[:-1] + b" " * (size - len(document)) + b"}"


def _base64_event(raw: bytes) -> dict:
    return base64_predict_event(base64.b64encode(raw).decode())


def test_over_size_body_is_413_even_when_it_is_not_json():
    # Not JSON and the wrong type as well: size is checked first, before anything is parsed.
    answer = call(predict_event(b"x" * (DOCUMENTED_BODY_LIMIT + 1), "text/plain"))

    assert answer.status == 413
    assert answer.body["message"] == (
        f"The request body is {DOCUMENTED_BODY_LIMIT + 1} bytes; the limit is {DOCUMENTED_BODY_LIMIT} bytes"
    )


@pytest.mark.parametrize("encoded", [False, True], ids=["text", "base64"])
def test_a_body_of_exactly_the_limit_is_scored(runtime_stub, encoded):
    raw = _padded_json(DOCUMENTED_BODY_LIMIT)
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(_answer_for(len(GUIDE_EXAMPLE_INSTANCES))))

    answer = call(_base64_event(raw) if encoded else predict_event(raw))

    assert answer.status == 200


@pytest.mark.parametrize("encoded", [False, True], ids=["text", "base64"])
def test_one_byte_over_the_limit_is_413(raising_client, encoded):
    client = raising_client(AssertionError("called the endpoint"))
    raw = _padded_json(DOCUMENTED_BODY_LIMIT + 1)

    answer = call(_base64_event(raw) if encoded else predict_event(raw))

    assert answer.status == 413
    assert f"is {DOCUMENTED_BODY_LIMIT + 1} bytes" in answer.body["message"]
    assert client.calls == 0


def test_an_over_size_base64_body_is_refused_without_decoding_it(monkeypatch, raising_client):
    # The pre-check exists for its cost: a body whose encoding alone is over the limit is not decoded.
    client = raising_client(AssertionError("called the endpoint"))

    def must_not_decode(*_args, **_kwargs):
        raise AssertionError("decoded a base64 body that was over the limit by its length alone")

    monkeypatch.setattr(parsing.base64, "b64decode", must_not_decode)
    answer = call(base64_predict_event("A" * (DOCUMENTED_BODY_LIMIT * 4 // 3 + 8)))

    assert answer.status == 413
    assert client.calls == 0


@pytest.mark.parametrize("over", [2, 3, 4])
def test_a_base64_body_too_long_to_fit_is_refused_with_its_decoded_size(monkeypatch, raising_client, over):
    # Base64 of 2 MiB + 2 bytes and more is longer than any encoding of 2 MiB; the size is still exact.
    raising_client(AssertionError("called the endpoint"))
    event = _base64_event(_padded_json(DOCUMENTED_BODY_LIMIT + over))
    monkeypatch.setattr(parsing.base64, "b64decode", lambda *_args, **_kwargs: pytest.fail("decoded the body"))

    answer = call(event)

    assert (answer.status, answer.body["message"]) == (
        413,
        f"The request body is {DOCUMENTED_BODY_LIMIT + over} bytes; the limit is {DOCUMENTED_BODY_LIMIT} bytes",
    )


@pytest.mark.parametrize("unit", [b"\x5d\x75\xd7", b"\xff\xff\xff", b"\x00\x00\x00"], ids=["XXXX", "////", "AAAA"])
def test_the_decoded_size_does_not_depend_on_what_the_encoding_ends_with(monkeypatch, raising_client, unit):
    # Any bytes may be sent base64-encoded; these three-byte units encode as the four characters in the id.
    raising_client(AssertionError("called the endpoint"))
    raw = unit * ((DOCUMENTED_BODY_LIMIT + 4) // 3)
    monkeypatch.setattr(parsing.base64, "b64decode", lambda *_args, **_kwargs: pytest.fail("decoded the body"))

    answer = call(_base64_event(raw))

    assert (answer.status, answer.body["message"]) == (
        413,
        f"The request body is {len(raw)} bytes; the limit is {DOCUMENTED_BODY_LIMIT} bytes",
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json;charset=utf-8;version=1",
        'application/json; charset="UTF-8"',
        "Application/JSON ; Charset=utf8",
    ],
)
def test_json_with_parameters_is_accepted(runtime_stub, content_type):
    _expect_invocation(runtime_stub, [[5.1, 3.5, 1.4, 0.2]])

    answer = call(predict_event('{"instances": [[5.1, 3.5, 1.4, 0.2]]}', content_type))

    assert answer.status == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=x=utf-8",
        "application/json; charset=UTF-8X",
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/csv",
        "application/jsonp",
        "application/json; charset=latin-1",
        None,
    ],
)
def test_other_content_types_are_415(content_type):
    answer = call(predict_event('{"instances": [[5.1, 3.5, 1.4, 0.2]]}', content_type))

    assert answer.status == 415
    assert "application/json" in answer.body["message"]


def test_every_error_has_message_errors_request_id_and_no_internals():
    event = predict_event('{"instances": [[1, 2, 3]]}')

    answer = call(event)

    assert set(answer.body) == {"message", "errors", "requestId"}
    assert answer.body["requestId"] == event["requestContext"]["requestId"]
    assert answer.headers["x-request-id"] == event["requestContext"]["requestId"]
    assert "Traceback" not in json.dumps(answer.body)
    assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (predict_event(b"{"), 400),
        (predict_event(b"x" * (DOCUMENTED_BODY_LIMIT + 1)), 413),
        (predict_event("{}", "text/plain"), 415),
        (predict_event('{"instances": []}'), 422),
    ],
    ids=["400", "413", "415", "422"],
)
def test_client_errors_carry_cors_headers(event, status):
    answer = call(event)

    assert answer.status == status
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert answer.headers["vary"] == "Origin"


MEASUREMENT_LIKE = st.one_of(
    st.floats(min_value=-1, max_value=31),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-2, max_value=32),
    st.just(10**400),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.just([1.0]),
)
ROWS = st.lists(st.lists(MEASUREMENT_LIKE, min_size=3, max_size=5), max_size=4)
PLAIN_ROWS = st.lists(
    st.lists(
        st.one_of(st.floats(min_value=0, max_value=30), st.integers(min_value=0, max_value=30)), min_size=4, max_size=4
    ),
    min_size=1,
    max_size=4,
)
# Values at the edges of what the schema takes, and just past them.
EDGES = st.sampled_from([0, 0.0, -0.0, 30, 30.0, 30.000000000000004, 31, -1e-300, math.nan, math.inf, True, False])
# Rows of four where most values are good and now and then one is not: where a lax check would slip.
NEARLY_PLAIN_ROWS = st.lists(
    st.lists(
        st.one_of(
            st.floats(min_value=0, max_value=30), st.integers(min_value=0, max_value=30), EDGES, MEASUREMENT_LIKE
        ),
        min_size=4,
        max_size=4,
    ),
    min_size=1,
    max_size=3,
)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries({"instances": PLAIN_ROWS}),
    st.fixed_dictionaries({"instances": NEARLY_PLAIN_ROWS}),
    st.fixed_dictionaries({"instances": PLAIN_ROWS, "extra": st.integers()}),
    st.fixed_dictionaries({"instances": ROWS}),
    st.fixed_dictionaries({"instances": ROWS, "extra": st.integers()}),
    st.fixed_dictionaries({"instances": st.one_of(st.none(), st.text(max_size=3), st.just([[1, 2, 3, 4], 7]))}),
    st.lists(ROWS, max_size=1),
)


@settings(max_examples=examples(600), deadline=None, suppress_health_check=list(HealthCheck))
@given(document=DOCUMENTS)
@example(document={"instances": [[0, 0, 0, 0]]})
@example(document={"instances": [[30, 30.0, 0.0, -0.0]]})
@example(document={"instances": [[5.1, 3.5, 1.4, -1e-300]]})
@example(document={"instances": [[5.1, 3.5, 1.4, 30.000000000000004]]})
@example(document={"instances": [[5.1, 3.5, math.nan, 0.2]]})
@example(document={"instances": [[math.nan, 3.5, 1.4, 0.2]]})
@example(document={"instances": [[5.1, 3.5, 1.4, math.inf]]})
@example(document={"instances": [[5.1, 3.5, 1.4, True]]})
@example(document={"instances": [[5.1, 3.5, 1.4, 10**400]]})
@example(document={"instances": [[5.1, 3.5, 1.4]]})
@example(document={"instances": [[5.1, 3.5, 1.4, 0.2], [1, 2, 3]]})
@example(document={"instances": []})
@example(document={"instances": [[1, 1, 1, 1]] * MAX_INSTANCES})
@example(document={"instances": [[1, 1, 1, 1]] * (MAX_INSTANCES + 1)})
@example(document={"instances": [[5.1, 3.5, 1.4, 0.2]], "extra": 1})
def test_the_quick_check_of_plain_rows_accepts_and_refuses_exactly_as_the_schema_does(document):
    # PredictRequest.from_document skips pydantic's value-by-value walk for plain rows; it must
    # never let through what the schema refuses, nor refuse what it accepts.
    def outcome(validate):
        try:
            return validate(document).rows()
        except ValidationError:
            return "refused"

    assert outcome(PredictRequest.from_document) == outcome(PredictRequest.model_validate)


@pytest.mark.parametrize(
    "rows",
    [
        [[0, 0, 0, 0]],
        [[30, 30.0, 0.0, 5]],
        [list(row) for row in GUIDE_EXAMPLE_INSTANCES] * (MAX_INSTANCES // 3),
        [[5.1, 3.5, 1.4, 0.2]] * DOCUMENTED_ROW_LIMIT,
    ],
    ids=["zeros", "bounds", "guide-rows", "row-limit"],
)
def test_plain_rows_skip_the_value_by_value_walk(monkeypatch, rows):
    # The quick check exists for its cost: valid rows of plain numbers must not reach pydantic's walk.
    def walk(*_args, **_kwargs):
        raise AssertionError("validated value by value")

    monkeypatch.setattr(PredictRequest, "model_validate", walk)

    assert PredictRequest.from_document({"instances": rows}).rows() == rows
