"""Hypothesis strategies for what callers really send: raw request text and raw header values, not
documents made by json.dumps (which cannot write a 5,000-digit integer, a repeated name, a byte
order mark or a lone surrogate). The unit fuzzing feeds them to the handler, the integration
fuzzing to the live local stack in every AuthMode.
"""

from __future__ import annotations

from hypothesis import strategies as st
from iris_contract import FEATURE_NAMES

NAMES = ("instances", *FEATURE_NAMES, "extra", "", "\\ud800", "\\u0000")
BYTE_ORDER_MARK = "\ufeff"

# Lengths around float64's 309 digits and Python's 4,300-digit limit on int().
_long = st.one_of(st.sampled_from([308, 309, 310, 4_300, 4_301, 6_000]), st.integers(min_value=300, max_value=6_000))
_digits = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=12),
    _long.map(lambda length: "9" * length),
    _long.map(lambda length: "1" + "0" * (length - 1)),
)
# Integers Python's int() refuses to read from text (more than 4,300 digits), with and without a sign.
long_integers = st.builds(
    lambda sign, length: sign + "7" * length, st.sampled_from(["", "-"]), st.integers(min_value=4_301, max_value=6_000)
)
numbers = st.one_of(
    long_integers,
    st.builds(
        lambda sign, whole, fraction, exponent: f"{sign}{whole}{fraction}{exponent}",
        st.sampled_from(["", "-"]),
        _digits,
        st.one_of(st.just(""), _digits.map(lambda digits: "." + digits)),
        st.one_of(
            st.just(""),
            st.builds(lambda e, s, d: f"{e}{s}{d}", st.sampled_from("eE"), st.sampled_from(["", "+", "-"]), _digits),
        ),
    ),
    st.sampled_from(
        [
            "-0",
            "-0.0",
            "0",
            "1e400",
            "-1e400",
            "1e-400",
            "3.4028235e38",
            "1.7976931348623157e308",
            "30",
            "30.000000000000004",
        ]
    ),
    st.floats(min_value=0, max_value=30).map(repr),
)
strings = st.one_of(
    st.text(max_size=12).map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\\n\\t"', '"é"', '"\U0001f33a"']),
)
scalars = st.one_of(numbers, strings, st.sampled_from(["true", "false", "null"]))


def _object(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # Names drawn from a small set, so repeated names come up often.
    member = st.builds(lambda name, value: f'"{name}": {value}', st.sampled_from(NAMES), children)
    return st.lists(member, max_size=6).map(lambda members: "{" + ", ".join(members) + "}")


json_texts = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6).map(lambda items: "[" + ",".join(items) + "]"), _object(children)
    ),
    max_leaves=30,
)
rows = st.one_of(
    st.lists(numbers, min_size=4, max_size=4).map(lambda values: "[" + ", ".join(values) + "]"),
    st.lists(numbers, min_size=0, max_size=6).map(lambda values: "[" + ",".join(values) + "]"),
    st.fixed_dictionaries({name: numbers for name in FEATURE_NAMES}).map(
        lambda row: "{" + ", ".join(f'"{name}": {value}' for name, value in row.items()) + "}"
    ),
    json_texts,
)


def _wide(width: int) -> str:
    return '{"instances": [' + ",".join(["[1,1,1,1]"] * width) + "]}"


predict_texts = st.one_of(
    # The guide's row with one measurement replaced by any number, long ones included.
    numbers.map(lambda number: f'{{"instances": [[{number}, 3.5, 1.4, 0.2]]}}'),
    st.lists(rows, min_size=1, max_size=6).map(lambda items: '{"instances": [' + ", ".join(items) + "]}"),
    # The same name twice, at the top or in a row: the first value, then the one that looks valid.
    st.builds(lambda junk, row: f'{{"instances": {junk}, "instances": [{row}]}}', json_texts, rows),
    st.builds(
        lambda value: (
            '{"instances": [{"sepal_length": ' + value + ', "sepal_length": 5.1, "sepal_width": 3.5, '
            '"petal_length": 1.4, "petal_width": 0.2}]}'
        ),
        json_texts,
    ),
    json_texts,
    # Deep and wide.
    st.integers(min_value=1, max_value=5_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(min_value=1, max_value=5_000).map(
        lambda width: '{"instances": [' + ",".join(["[1,1,1,1]"] * width) + "]}"
    ),
)


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return (BYTE_ORDER_MARK + text).encode("utf-8", errors="surrogatepass")
    return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")


bodies = st.one_of(
    st.builds(_encoded, predict_texts, st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-bom", "utf-16", "latin-1"])),
    st.binary(max_size=200),
    # Overlong and truncated UTF-8, and a lone surrogate written as raw bytes.
    st.sampled_from([b"\xc0\xaf", b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}\xe2\x82', b'"\xed\xa0\x80"', b""]),
)

# Header values as HTTP carries them: visible ASCII and spaces, sometimes long, sometimes Latin-1.
header_text = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"), max_size=20),
    st.integers(min_value=100, max_value=8_000).map(lambda length: "v" * length),
)
# The types the API takes as JSON, as callers write them.
json_content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON;charset=UTF-8",
        'application/json; charset="utf-8"',
    ]
)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON;charset=UTF-8",
            'application/json; charset="utf-8"',
            "application/json; charset=utf-16",
            "application/json;;",
            "text/plain",
            "",
        ]
    ),
    header_text,
)
# Every header the API reads, or API Gateway reads before it (the key, the signature).
headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": content_types,
        "Origin": st.one_of(st.sampled_from(["https://app.example.com", "https://evil.example", "null"]), header_text),
        "X-Model-Variant": st.one_of(st.sampled_from(["primary", "challenger", " primary ", "PRIMARY"]), header_text),
        "x-api-key": header_text,
        "Authorization": st.one_of(st.just("AWS4-HMAC-SHA256 Credential=x"), header_text),
        "Access-Control-Request-Method": st.sampled_from(["POST", "GET", "DELETE"]),
    },
)
methods = st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
paths = st.one_of(
    st.sampled_from(["/predict", "/predict/", "/predict//", "/Predict", "/health", "/health/", "/", "/predict/x"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#%"), max_size=30).map(
        lambda path: "/" + path
    ),
)
