"""Request and response schemas of the /predict API (pydantic), and how validation errors are worded."""

from __future__ import annotations

import difflib
import json
import math
from itertools import chain
from typing import Annotated, Any

from iris_contract import FEATURE_NAMES, MAX_MEASUREMENT_CM
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model
from pydantic_core import ErrorDetails

from .json_text import excerpt
from .limits import MAX_INSTANCES

FEATURE_LIST = ", ".join(FEATURE_NAMES)
# Keys longer than this are no typo of a known one: no "did you mean" is looked for.
MAX_SUGGESTED_KEY_LENGTH = 2 * max(map(len, ["instances", *FEATURE_NAMES]))

Measurement = Annotated[
    float,
    Field(strict=True, ge=0, le=MAX_MEASUREMENT_CM, allow_inf_nan=False, description="centimetres"),
]
MeasurementList = Annotated[
    list[Measurement],
    Field(
        min_length=len(FEATURE_NAMES),
        max_length=len(FEATURE_NAMES),
        description=f"{len(FEATURE_NAMES)} numbers in this order: {FEATURE_LIST}",
    ),
]
NamedMeasurements = create_model(
    "NamedMeasurements",
    __config__=ConfigDict(extra="forbid"),
    **{name: (Measurement, ...) for name in FEATURE_NAMES},
)
ROW_KINDS = ("list", "named")


def _row_kind(row: Any) -> str | None:
    if isinstance(row, list):
        return "list"
    if isinstance(row, dict | BaseModel):
        return "named"
    return None


Row = Annotated[
    Annotated[MeasurementList, Tag("list")] | Annotated[NamedMeasurements, Tag("named")],
    Discriminator(
        _row_kind,
        custom_error_type="row_type",
        custom_error_message=f"expected a list of {len(FEATURE_NAMES)} numbers or an object with {FEATURE_LIST}",
    ),
]


class PredictRequest(BaseModel):
    """The operator guide's request: rows of measurements, as lists or keyed by feature name."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"instances": [[5.1, 3.5, 1.4, 0.2]]}]},
    )

    instances: Annotated[list[Row], Field(min_length=1, max_length=MAX_INSTANCES)]

    @classmethod
    def from_document(cls, document: Any) -> PredictRequest:
        """The validated request; pydantic's ValidationError when the document breaks the schema."""
        if _is_plain_list_rows(document):
            return cls.model_construct(instances=document["instances"])
        return cls.model_validate(document)

    def has_named_rows(self) -> bool:
        return set(map(type, self.instances)) != {list}

    def rows(self) -> list[list[float]]:
        """Every row as a list in the model's feature order, which is what the endpoint takes."""
        return [
            row if isinstance(row, list) else [getattr(row, name) for name in FEATURE_NAMES] for row in self.instances
        ]


def _is_plain_list_rows(document: Any) -> bool:
    """Whether the document is valid in the schema's commonest shape: rows as lists of plain numbers.

    Written out because pydantic's value-by-value walk costs milliseconds at 10,000 rows, while
    these whole-list checks run in C. It accepts a subset of what PredictRequest accepts; anything
    else goes through pydantic, which also words the errors. The unit tests check they agree.
    """
    if type(document) is not dict or document.keys() != {"instances"}:
        return False
    rows = document["instances"]
    if type(rows) is not list or not 1 <= len(rows) <= MAX_INSTANCES:
        return False
    if set(map(type, rows)) != {list} or set(map(len, rows)) != {len(FEATURE_NAMES)}:
        return False
    values = list(chain.from_iterable(rows))
    # type() rather than isinstance: bool is an int subclass, and true/false is never a measurement.
    if not set(map(type, values)) <= {int, float}:
        return False
    # In bounds; the sum then cannot overflow, and is NaN only if a value is.
    return min(values) >= 0 and max(values) <= MAX_MEASUREMENT_CM and not math.isnan(sum(values))


class PredictResponse(BaseModel):
    """The endpoint's answer, passed through unchanged."""

    predictions: list[int] = Field(description="class index per row")
    probabilities: list[list[float]] = Field(description="class probabilities per row, in class order")
    classes: list[str] = Field(description="class names by index")
    model_version: str = Field(description="content hash of the model artifact")


class ErrorDetail(BaseModel):
    location: str
    message: str


class ErrorResponse(BaseModel):
    message: str
    errors: list[ErrorDetail]
    requestId: str


class HealthResponse(BaseModel):
    status: str


# The pydantic error types whose wording does not depend on the value; any other type keeps pydantic's own.
FIXED_MESSAGES = {
    "finite_number": "expected a finite number",
    "missing": "is missing",
    "model_type": 'the body must be a JSON object like {"instances": [[5.1, 3.5, 1.4, 0.2]]}',
    "list_type": "must be a list of rows",
}


def describe_validation_error(error: ErrorDetails) -> ErrorDetail:
    """A pydantic error in words a caller can act on, by error type (never by matching its text)."""
    location = _location(error["loc"])
    kind, context, value = error["type"], error.get("ctx") or {}, error.get("input")
    row_level = len(error["loc"]) == 3 and error["loc"][2] == "list"
    if kind in ("too_short", "too_long") and row_level:
        message = f"expected {len(FEATURE_NAMES)} numbers ({FEATURE_LIST}), got {context['actual_length']}"
    elif kind in ("too_short", "too_long"):
        message = f"expected 1 to {MAX_INSTANCES} rows, got {context['actual_length']}"
    elif kind == "float_type":
        message = f"expected a number, got {_json_excerpt(value)}"
    elif kind == "greater_than_equal":
        message = f"must not be negative, got {value}"
    elif kind == "less_than_equal":
        message = f"must be at most {MAX_MEASUREMENT_CM:g} cm (a sanity bound: is it in millimetres?), got {value}"
    elif kind == "extra_forbidden":
        message = "is not a known key" + _suggestion(str(error["loc"][-1]))
    elif kind == "string_unicode":
        message = "has a key that is not text a JSON object may hold (a lone surrogate)"
    else:
        message = FIXED_MESSAGES.get(kind, error["msg"])
    return ErrorDetail(location=location, message=message)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if part in ROW_KINDS:
            continue
        name = part if isinstance(part, int) else excerpt(part)
        text += f"[{name}]" if isinstance(part, int) else f".{name}" if text else name
    if len(loc) == 4 and loc[2] == "list" and isinstance(loc[3], int) and loc[3] < len(FEATURE_NAMES):
        text += f" ({FEATURE_NAMES[loc[3]]})"
    return text or "body"


def _suggestion(key: str) -> str:
    known = ["instances", *FEATURE_NAMES]
    if len(key) > MAX_SUGGESTED_KEY_LENGTH:
        return ""
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _json_excerpt(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
