"""Reads a request body as JSON the way RFC 8259 and I-JSON (RFC 7493) define it, and says in words
why a text is not JSON this API takes.

Python's ``json`` is lenient and, at its edges, raises errors that are not ``JSONDecodeError``:
- ``NaN``, ``Infinity`` and ``-Infinity`` are Python's, not JSON's: refused.
- A name repeated in one object is refused. RFC 8259 (section 4) leaves what a parser does with
  one unpredictable and I-JSON forbids it; Python keeps the last value, while the endpoint, data
  capture or any later reader may keep the first, so they would see content that was never
  validated. Refusing is the only answer that leaves no reader to guess.
- An integer of more than 4,300 digits makes ``int()`` raise ``ValueError`` (Python's limit on
  converting long strings, ``sys.get_int_max_str_digits()``). Every integer too long to be a
  finite float64 is read as a float instead, which is infinity, so it meets the schema's bound
  and is refused in its words, like ``1e999``.
- Nesting deeper than Python's recursion limit raises ``RecursionError``.
- A leading byte order mark is refused (RFC 8259 section 8.1 lets a parser do so) with its name,
  rather than Python's advice to decode with utf-8-sig.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any, NoReturn

BYTE_ORDER_MARK = "\ufeff"
# The longest integer whose float64 value can be finite (sys.float_info.max has 309 digits).
MAX_FINITE_INTEGER_DIGITS = len(str(int(sys.float_info.max)))


class NotJsonError(ValueError):
    """Why a body is not a JSON text this API reads, in words for the caller."""


def loads(text: str) -> Any:
    """The document ``text`` holds; NotJsonError says why there is none."""
    if text.startswith(BYTE_ORDER_MARK):
        raise NotJsonError("it starts with a byte order mark (U+FEFF); send the JSON without one")
    try:
        return json.loads(
            text, parse_constant=_reject_constant, parse_int=_integer, object_pairs_hook=_object_without_repeats
        )
    except json.JSONDecodeError as error:
        raise NotJsonError(f"{error.msg} at line {error.lineno}, column {error.colno}") from None
    except RecursionError:
        raise NotJsonError("it is nested too deeply") from None


def _integer(digits: str) -> int | float:
    """The integer, or infinity when no float64 holds it: the schema converts numbers to floats."""
    if len(digits.lstrip("-")) > MAX_FINITE_INTEGER_DIGITS:
        return float(digits)
    value = int(digits)
    # As many digits as the largest float, and larger: float() would raise OverflowError.
    return float(digits) if abs(value) > sys.float_info.max else value


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        repeated = next(name for name, count in Counter(name for name, _ in pairs).items() if count > 1)
        raise NotJsonError(f"the name {excerpt(repeated)} appears more than once in one object")
    return document


def _reject_constant(name: str) -> NoReturn:
    raise NotJsonError(f"{name} is not a JSON value")


def excerpt(text: str, limit: int = 40) -> str:
    """``text`` as it is when it is short printable ASCII, else as a JSON string of at most ``limit``
    characters: safe to echo in an answer or a log line whatever it holds (control characters,
    lone surrogates, megabytes)."""
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text
    quoted = json.dumps(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 4] + '..."'
