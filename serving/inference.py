"""Serving hooks for the SageMaker scikit-learn container: model_fn, input_fn, predict_fn, output_fn.

This file ships inside ``model.tar.gz`` as ``code/inference.py``. It depends on numpy and the
standard library only, so it runs unchanged on the scikit-learn images 1.9-0 (the template's:
Python 3.12, numpy 2.5), 1.4-2-py312 (numpy 2.1) and 1.2-1 (Python 3.9, numpy 1.24), and it
never unpickles anything: the forest is plain arrays in an ``.npz`` loaded with
``allow_pickle=False``, described by ``metadata.json``.

Requests: ``application/json`` ``{"instances": [[sepal_length, sepal_width, petal_length,
petal_width], ...]}`` or ``text/csv`` (one row of numbers per line).
Responses: ``application/json`` ``{"predictions": [...], "probabilities": [[...], ...],
"classes": [...], "model_version": "..."}`` or ``text/csv`` (one line per row).

How the forest is scored (format ``iris-gateway-forest/2``, written by ``forest_export.py``):
a random forest is a piecewise-constant function. Every split of every tree compares one feature
with one threshold, so the thresholds of feature ``f`` cut its axis into intervals, and inside one
cell of the grid those intervals make, every tree ends on the same leaf and ``predict_proba`` gives
the same row. Training evaluates the forest once per cell with scikit-learn itself and stores the
cell -> row table; scoring is then a binary search per feature and one table look-up per row.

The interval search is exact. scikit-learn rounds inputs to float32 and goes left when
``float32(x) <= threshold``. For each threshold the exporter stores the largest float64 ``bound``
with ``float32(bound) <= threshold``; as float32 rounding is monotonic, ``float32(x) <= threshold``
holds exactly when ``x <= bound``, so float64 inputs are searched as they are, without rounding.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import json
import math
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

FOREST_FILE = "forest.npz"
METADATA_FILE = "metadata.json"
# The layout of the arrays in FOREST_FILE that forest_probabilities reads; training records it in
# the metadata, and model_fn refuses any other rather than misread it.
FOREST_FORMAT = "iris-gateway-forest/2"
JSON = "application/json"
CSV = "text/csv"
SUPPORTED_CONTENT_TYPES = (JSON, CSV)
# What the container sends when the caller names no Accept type.
ANY_TYPE = "*/*"
# sklearn's trees compare float32 inputs; a value past float32's range cannot be scored the same.
FLOAT32_MAX = float(np.finfo(np.float32).max)
# Up to this many rows, Python's bisect on lists beats numpy's per-call overhead (measured: one
# row scores in a few microseconds this way). Both paths give the same cells.
SMALL_BATCH_ROWS = 8
# Under this many rows, json.dumps of the whole body is as fast as formatting distinct values once.
SMALL_RESPONSE_ROWS = 64
# What JSON numbers decode to; bool is deliberately absent (true/false is never a measurement).
NUMBER_TYPES = frozenset((int, float))

Model = Dict[str, Any]
Rows = List[List[float]]


class PayloadError(ValueError):
    """The request body cannot be scored; the message says what to change."""


class UnsupportedContentTypeError(ValueError):
    """The Content-Type or Accept type is not one this model speaks."""


def model_fn(model_dir: str) -> Model:
    with open(os.path.join(model_dir, METADATA_FILE), encoding="utf-8") as metadata_file:
        metadata = json.load(metadata_file)
    found_format = metadata.get("forest_format")
    if found_format != FOREST_FORMAT:
        raise ValueError(
            "%s says forest_format %r, but this inference.py reads %r: build the artifact again with the "
            "inference.py it is served by (make model)" % (METADATA_FILE, found_format, FOREST_FORMAT)
        )
    with np.load(os.path.join(model_dir, FOREST_FILE), allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    forest = _prepared_forest(stored, len(metadata["feature_names"]), len(metadata["class_names"]))
    return {"metadata": metadata, "forest": forest}


def input_fn(input_data: Union[bytes, str], content_type: str) -> Union[Rows, np.ndarray]:
    """The rows: a float64 array if all have one width, else lists of floats (predict_fn then names the bad row)."""
    media_type = _media_type(content_type) or JSON
    if media_type not in SUPPORTED_CONTENT_TYPES:
        raise UnsupportedContentTypeError(
            "unsupported content type '%s': send %s" % (content_type, " or ".join(SUPPORTED_CONTENT_TYPES))
        )
    text = _decode(input_data)
    if media_type == JSON:
        return _rows_from_json(text)
    return _rows_from_csv(text)


def predict_fn(input_data: Union[Rows, np.ndarray], model: Model) -> Dict[str, Any]:
    metadata = model["metadata"]
    forest = model["forest"]
    row_ids = forest_row_ids(forest, _checked_features(input_data, metadata["feature_names"]))
    return {
        "predictions": forest["labels"][row_ids],
        "probabilities": forest["rows"][row_ids],
        "classes": metadata["class_names"],
        "model_version": metadata["model_version"],
    }


def output_fn(prediction: Dict[str, Any], accept: str) -> Tuple[str, str]:
    media_type = _media_type(accept)
    if media_type in ("", ANY_TYPE, JSON):
        return _json_body(prediction), JSON
    if media_type == CSV:
        lines = [
            ",".join([str(int(label))] + [repr(float(p)) for p in row])
            for label, row in zip(prediction["predictions"], prediction["probabilities"])
        ]
        return "\n".join(lines) + "\n", CSV
    raise UnsupportedContentTypeError(
        "unsupported accept type '%s': ask for %s" % (accept, " or ".join(SUPPORTED_CONTENT_TYPES))
    )


def forest_probabilities(forest: Dict[str, Any], features: np.ndarray) -> np.ndarray:
    """Class probabilities of every row, bit for bit what sklearn's predict_proba gives.

    ``features`` must be finite and inside float32's range, as predict_fn checks.
    """
    return forest["rows"][forest_row_ids(forest, np.asarray(features, dtype=np.float64))]


def forest_row_ids(forest: Dict[str, Any], features: np.ndarray) -> np.ndarray:
    """For each row, the index (an integer array) of its probability row in ``forest["rows"]``.

    The cell of a row is its interval index on each feature (how many bounds lie below the value),
    combined C-order like a multi-dimensional array index. ``features`` is float64, finite and
    inside float32's range (checked by the caller).
    """
    strides = forest["strides"]
    if features.shape[0] <= SMALL_BATCH_ROWS:
        bound_lists = forest["bound_lists"]
        cell_rows = forest["cell_rows"]
        ids = [
            cell_rows.item(sum([bisect.bisect_left(b, x) * s for b, x, s in zip(bound_lists, row, strides)]))
            for row in features.tolist()
        ]
        return np.array(ids, dtype=np.intp)
    cells = np.zeros(features.shape[0], dtype=np.intp)
    for column, (bounds, stride) in enumerate(zip(forest["feature_bounds"], strides)):
        # side="left": the number of bounds strictly below x, i.e. of thresholds where x goes right.
        cells += np.searchsorted(bounds, features[:, column]) * stride
    return forest["cell_rows"].take(cells)


def _prepared_forest(stored: Dict[str, np.ndarray], n_features: int, n_classes: int) -> Dict[str, Any]:
    """Checks the stored arrays fit together and adds what scoring reads per request."""
    try:
        bounds, counts = stored["bounds"], stored["bound_counts"]
        cell_rows, rows = stored["cell_rows"], stored["rows"]
    except KeyError as missing:
        raise ValueError("%s has no array %s: it is damaged" % (FOREST_FILE, missing)) from None
    if counts.shape != (n_features,) or counts.dtype.kind not in "iu":
        raise ValueError("forest arrays are inconsistent: " + FOREST_FILE + " is damaged")
    shape = tuple(int(count) + 1 for count in counts.tolist())
    consistent = (
        bounds.dtype == np.float64
        and bounds.ndim == 1
        and int(counts.sum()) == bounds.size
        and min(shape) >= 1
        and cell_rows.dtype in (np.uint16, np.uint32)
        and cell_rows.shape == (int(np.prod(shape)),)
        and rows.dtype == np.float64
        and rows.ndim == 2
        and rows.shape[1] == n_classes
        and rows.shape[0] > 0
        and bool(np.isfinite(bounds).all())
        and bool(np.isfinite(rows).all())
        and int(cell_rows.max()) < rows.shape[0]
    )
    per_feature = np.split(bounds, np.cumsum(counts)[:-1]) if consistent else []
    if not consistent or any(np.any(np.diff(b) <= 0) for b in per_feature):
        raise ValueError("forest arrays are inconsistent: " + FOREST_FILE + " is damaged")
    strides = [1] * n_features
    for axis in range(n_features - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    return {
        **stored,
        "feature_bounds": tuple(per_feature),
        "bound_lists": tuple(b.tolist() for b in per_feature),
        "strides": tuple(strides),
        # np.argmax of each distinct row is np.argmax of every scored row that has it.
        "labels": np.argmax(rows, axis=1),
    }


def _media_type(header: str) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _decode(input_data: Union[bytes, str]) -> str:
    if isinstance(input_data, str):
        return input_data
    try:
        return bytes(input_data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError("the body is not UTF-8 text (byte %d)" % error.start) from None


def _rows_from_json(text: str) -> Union[Rows, np.ndarray]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PayloadError("the body is not valid JSON: %s" % error) from None
    if not isinstance(document, dict) or "instances" not in document:
        raise PayloadError('expected a JSON object {"instances": [[...], ...]}')
    instances = document["instances"]
    if not isinstance(instances, list) or not instances:
        raise PayloadError('"instances" must be a non-empty list of rows')
    features = _rectangle_of_numbers(instances)
    if features is not None:
        return features
    # Something is off (or the rows differ in width): walk the rows to name the first bad one.
    rows = []
    for index, row in enumerate(instances):
        where = "row %d (instances[%d])" % (index + 1, index)
        if not isinstance(row, list):
            raise PayloadError("%s is not a list of numbers" % where)
        rows.append([_number(value, where) for value in row])
    return rows


def _rectangle_of_numbers(instances: List[Any]) -> Optional[np.ndarray]:
    """The rows as a float64 array if all are lists of one width of finite float32-range numbers, else None.

    Whole-list checks run in C (set/map/chain); anything unusual returns None and the caller's
    per-row walk finds it and says where it is.
    """
    if set(map(type, instances)) != {list}:
        return None
    widths = set(map(len, instances))
    if len(widths) != 1 or 0 in widths:
        return None
    if not set(map(type, itertools.chain.from_iterable(instances))) <= NUMBER_TYPES:
        return None
    count = len(instances) * widths.pop()
    try:
        flat = np.fromiter(itertools.chain.from_iterable(instances), dtype=np.float64, count=count)
    except (OverflowError, ValueError):  # OverflowError: an integer too large for a float
        return None
    # Also False for NaN, so one comparison refuses NaN, infinities and values past float32.
    if not np.abs(flat).max() <= FLOAT32_MAX:
        return None
    return flat.reshape(len(instances), -1)


def _rows_from_csv(text: str) -> Rows:
    rows = []
    for line_number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not cells or all(not cell.strip() for cell in cells):
            continue
        where = "row %d" % line_number
        rows.append([_number_from_text(cell, where) for cell in cells])
    if not rows:
        raise PayloadError("the CSV body has no rows")
    return rows


def _number(value: Any, where: str) -> float:
    # bool is an int subclass in Python, but true/false is never a measurement.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError("%s has a non-number value %s" % (where, json.dumps(value)))
    try:
        return _finite(float(value), where)
    except OverflowError:  # a JSON integer with hundreds of digits
        return _finite(math.inf if value > 0 else -math.inf, where)


def _number_from_text(cell: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise PayloadError("%s has a non-number value %r" % (where, cell.strip())) from None
    return _finite(value, where)


def _finite(value: float, where: str) -> float:
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise PayloadError("%s has a value that is not a finite number: %r" % (where, value))
    return value


def _checked_features(rows: Union[Rows, np.ndarray], feature_names: Sequence[str]) -> np.ndarray:
    """The rows as a float64 array, refused with the row named if any is the wrong width or not finite."""
    expected = len(feature_names)
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2 or rows.shape[0] == 0:
            raise PayloadError("expected a 2-D array of rows with %d columns, got shape %s" % (expected, rows.shape))
        if rows.shape[1] != expected:
            # What input_fn returns when every row has the same (wrong) width.
            raise PayloadError(_width_message(1, rows.shape[1], feature_names))
        features = np.asarray(rows, dtype=np.float64)
    else:
        if not rows:
            raise PayloadError("expected a non-empty list of rows with %d values each" % expected)
        if set(map(len, rows)) != {expected}:
            for index, row in enumerate(rows):
                if len(row) != expected:
                    raise PayloadError(_width_message(index + 1, len(row), feature_names))
        # fromiter over the chained rows is about twice as fast as np.array on a list of lists.
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64, count=len(rows) * expected)
        features = flat.reshape(len(rows), expected)
    # Also False for NaN; the search for the row only runs when something is wrong.
    if not np.abs(features).max() <= FLOAT32_MAX:
        out_of_range = ~(np.abs(features) <= FLOAT32_MAX)
        raise PayloadError("row %d has a value that is not a finite number" % (np.argwhere(out_of_range)[0][0] + 1))
    return features


def _width_message(row_number: int, width: int, feature_names: Sequence[str]) -> str:
    return "row %d has %d values, expected %d: %s" % (row_number, width, len(feature_names), ", ".join(feature_names))


def _json_body(prediction: Dict[str, Any]) -> str:
    """json.dumps of the response, byte for byte, with each distinct number formatted once.

    A response of 10,000 rows holds 40,000 numbers but only about a hundred distinct ones (the
    probabilities are sums of leaf fractions), and formatting floats is most of json.dumps' time.
    """
    predictions = np.asarray(prediction["predictions"])
    probabilities = np.asarray(prediction["probabilities"])
    if predictions.shape[0] < SMALL_RESPONSE_ROWS:
        return json.dumps(
            {
                "predictions": predictions.tolist(),
                "probabilities": probabilities.tolist(),
                "classes": list(prediction["classes"]),
                "model_version": prediction["model_version"],
            }
        )
    n_rows, n_classes = probabilities.shape
    # Tokens of "[a, b, c], [d, e, f]": a row opener, then each value followed by ", " or "]".
    tokens = np.empty((n_rows, 2 * n_classes + 1), dtype=object)
    tokens[:, 0] = ", ["
    tokens[0, 0] = "["
    tokens[:, 2:-1:2] = ", "
    tokens[:, -1] = "]"
    tokens[:, 1::2] = _json_texts(probabilities)
    return "".join(
        [
            '{"predictions": [',
            ", ".join(_json_texts(predictions).tolist()),
            '], "probabilities": [',
            "".join(tokens.ravel().tolist()),
            '], "classes": ',
            json.dumps(list(prediction["classes"])),
            ', "model_version": ',
            json.dumps(prediction["model_version"]),
            "}",
        ]
    )


def _json_texts(values: np.ndarray) -> np.ndarray:
    """The JSON text json.dumps writes for each element (same shape, dtype object)."""
    values = np.ascontiguousarray(values)
    # Distinct by bit pattern, so -0.0 and 0.0 keep their own texts.
    distinct, inverse = np.unique(values.view("u%d" % values.itemsize), return_inverse=True)
    # json.dumps of the list formats every value as it would inside the body; ", " never occurs in a number.
    texts = json.dumps(distinct.view(values.dtype).tolist())[1:-1].split(", ")
    return np.array(texts, dtype=object)[inverse.reshape(values.shape)]
