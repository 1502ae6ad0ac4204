"""What the API reads as JSON, and the words for what it does not, at the edges Python's json leaves
open: long numbers, repeated names, byte order marks, lone surrogates. Every answer is a 4xx with
the API's error shape; none is a 500."""

from __future__ import annotations

import json
import sys

import pytest

from predict import json_text
from tests.helpers import call, predict_event, with_header

NOT_JSON = "The request body is not valid JSON: "
LONGER_THAN_INT_READS = sys.get_int_max_str_digits() + 1


def _row(value: str) -> str:
    return f'{{"instances": [[{value}, 3.5, 1.4, 0.2]]}}'


@pytest.mark.parametrize(
    "value",
    [
        "7" * LONGER_THAN_INT_READS,
        "-" + "7" * LONGER_THAN_INT_READS,
        "1" + "0" * 309,
        "9" * 309,
        "-" + "9" * 309,
        "1e400",
        "1" + "0" * 400 + ".5",
    ],
    ids=[
        "over-int-limit",
        "negative-over-int-limit",
        "310-digits",
        "309-digits-over-the-largest-float",
        "negative-309-digits",
        "exponent",
        "long-fraction",
    ],
)
def test_a_number_too_large_for_a_float_is_not_finite_whatever_its_length(value):
    answer = call(predict_event(_row(value)))

    assert (answer.status, answer.body["errors"][0]["message"]) == (422, "expected a finite number")


def test_the_longest_finite_integer_is_read_as_a_number_over_the_bound():
    largest = str(int(sys.float_info.max))

    answer = call(predict_event(_row(largest)))

    assert answer.status == 422
    # Echoed as the caller wrote it: read as the integer it is, not as a float.
    assert (
        answer.body["errors"][0]["message"]
        == f"must be at most 30 cm (a sanity bound: is it in millimetres?), got {largest}"
    )


@pytest.mark.parametrize("value", ["-0", "-0.0", "1e-400", "0.00000000000000000000000000000001"])
def test_zero_in_any_spelling_is_a_measurement(runtime_stub, value):
    from tests.helpers import endpoint_answer

    runtime_stub.add_response("invoke_endpoint", endpoint_answer({"predictions": [0], "probabilities": [[1, 0, 0]]}))

    assert call(predict_event(_row(value))).status == 200


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ('{"instances": [[1, 1, 1, 1]], "instances": [[5.1, 3.5, 1.4, 0.2]]}', "instances"),
        ('{"instances": [{"sepal_length": 9, "sepal_length": 5.1}]}', "sepal_length"),
        ('{"instances": [[1, 1, 1, 1]], "x": {"a": 1, "b": {"c": 1, "c": 2}}}', "c"),
    ],
    ids=["top-level", "in-a-row", "deep"],
)
def test_a_name_repeated_in_one_object_at_any_depth_is_refused(body, name):
    answer = call(predict_event(body))

    assert (answer.status, answer.body["message"]) == (
        400,
        f"{NOT_JSON}the name {name} appears more than once in one object",
    )


def test_the_same_name_in_two_objects_is_no_repeat():
    document = json_text.loads('[{"a": 1}, {"a": 2}]')

    assert document == [{"a": 1}, {"a": 2}]


def test_a_byte_order_mark_is_named():
    answer = call(predict_event("\ufeff" + _row("5.1")))

    assert (answer.status, answer.body["message"]) == (
        400,
        f"{NOT_JSON}it starts with a byte order mark (U+FEFF); send the JSON without one",
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("petal", "petal"),
        ("a b", "a b"),
        ("x" * 40, "x" * 40),
        ("x" * 41, '"' + "x" * 35 + '..."'),
        ("\ud800", '"\\ud800"'),
        ("tab\there", '"tab\\there"'),
        ("é", '"\\u00e9"'),
    ],
    ids=["plain", "space", "at-the-limit", "over-the-limit", "lone-surrogate", "control", "non-ascii"],
)
def test_an_echo_is_the_text_itself_or_a_short_json_string(text, shown):
    assert json_text.excerpt(text) == shown


def test_a_megabyte_name_comes_back_in_a_few_characters_and_so_does_the_log_line(log_lines):
    name = "k" * (1024 * 1024)

    answer = call(predict_event(json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]], name: 1})))

    assert answer.status == 422
    assert len(json.dumps(answer.body)) < 500
    (refused,) = [line for line in log_lines() if line["message"] == "request refused"]
    assert len(json.dumps(refused)) < 2000


def test_a_key_with_a_lone_surrogate_gets_a_422_not_a_500():
    answer = call(predict_event('{"instances": [[5.1, 3.5, 1.4, 0.2]], "\\ud800": 1}'))

    assert answer.status == 422
    assert answer.body["errors"][0]["message"] == "has a key that is not text a JSON object may hold (a lone surrogate)"


@pytest.mark.parametrize(
    ("header", "value", "echoed"),
    [
        ("Content-Type", "text/" + "x" * 5000, "(the request had '\"text/" + "x" * 30 + "...\"')"),
        ("X-Model-Variant", "v" * 5000, "there is no model variant '\"" + "v" * 35 + "...\"' to ask for"),
    ],
    ids=["content-type", "variant"],
)
def test_a_long_header_value_is_echoed_short(monkeypatch, header, value, echoed):
    monkeypatch.setenv("SELECTABLE_VARIANTS", "primary")

    answer = call(with_header(predict_event(_row("5.1")), header, value))

    assert echoed in answer.body["message"]
    assert len(answer.body["message"]) < 200


def test_a_309_digit_integer_a_float_holds_is_echoed_as_the_caller_wrote_it():
    # As many digits as the largest float, and smaller: read as the integer it is.
    written = "1" + "0" * 308

    answer = call(predict_event(_row(written)))

    assert answer.status == 422
    assert (
        answer.body["errors"][0]["message"]
        == f"must be at most 30 cm (a sanity bound: is it in millimetres?), got {written}"
    )


def test_the_repeated_name_is_the_one_named_wherever_it_is_in_the_object():
    answer = call(predict_event('{"first": 1, "instances": [[5.1, 3.5, 1.4, 0.2]], "instances": []}'))

    assert (answer.status, answer.body["message"]) == (
        400,
        NOT_JSON + "the name instances appears more than once in one object",
    )


def test_an_excerpt_exactly_as_long_as_the_limit_is_whole():
    text = "a" * 32 + "\u00e9"  # quoted: 2 quotes, 32 letters and \u00e9, 40 characters
    quoted = json.dumps(text)
    assert len(quoted) == 40

    assert json_text.excerpt(text) == quoted
    assert json_text.excerpt(text + "b").endswith('..."')
