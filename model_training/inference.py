"""Serving hooks for the SageMaker scikit-learn container: model_fn, input_fn, predict_fn, output_fn.

This file ships inside ``model.tar.gz`` as ``code/inference.py``. It depends on numpy and the
standard library only, so it runs unchanged on the 1.2-1 image (Python 3.9) and the 1.4-2 image
(Python 3.12, numpy 2.1), and it never unpickles anything: the forest is plain arrays in an
``.npz`` loaded with ``allow_pickle=False``, described by ``metadata.json``.

Requests: ``application/json`` ``{"instances": [[sepal_length, sepal_width, petal_length,
petal_width], ...]}`` or ``text/csv`` (one row of numbers per line).
Responses: ``application/json`` ``{"predictions": [...], "probabilities": [[...], ...],
"classes": [...], "model_version": "..."}`` or ``text/csv`` (one line per row).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from typing import Any, Dict, List, Sequence, Tuple, Union

import numpy as np

FOREST_FILE = "forest.npz"
METADATA_FILE = "metadata.json"
# The layout of the arrays in FOREST_FILE that forest_probabilities walks; training records it in
# the metadata, and model_fn refuses any other rather than misread it.
FOREST_FORMAT = "iris-gateway-forest/1"
JSON = "application/json"
CSV = "text/csv"
SUPPORTED_CONTENT_TYPES = (JSON, CSV)
# What the container sends when the caller names no Accept type.
ANY_TYPE = "*/*"
# sklearn's trees compare float32 inputs; a value past float32's range cannot be scored the same.
FLOAT32_MAX = float(np.finfo(np.float32).max)

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
        forest = {name: arrays[name] for name in arrays.files}
    n_nodes = forest["feature"].shape[0]
    if forest["children"].shape != (2 * n_nodes,) or forest["leaf_proba"].shape[0] != n_nodes:
        raise ValueError("forest arrays are inconsistent: " + FOREST_FILE + " is damaged")
    return {"metadata": metadata, "forest": forest}


def input_fn(input_data: Union[bytes, str], content_type: str) -> Rows:
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
    features = np.asarray(_checked_rows(input_data, metadata["feature_names"]), dtype=np.float64)
    probabilities = forest_probabilities(model["forest"], features)
    return {
        "predictions": np.argmax(probabilities, axis=1),
        "probabilities": probabilities,
        "classes": metadata["class_names"],
        "model_version": metadata["model_version"],
    }


def output_fn(prediction: Dict[str, Any], accept: str) -> Tuple[str, str]:
    media_type = _media_type(accept)
    if media_type in ("", ANY_TYPE, JSON):
        body = {
            "predictions": prediction["predictions"].tolist(),
            "probabilities": prediction["probabilities"].tolist(),
            "classes": list(prediction["classes"]),
            "model_version": prediction["model_version"],
        }
        return json.dumps(body), JSON
    if media_type == CSV:
        lines = [
            ",".join([str(int(label))] + [repr(float(p)) for p in row])
            for label, row in zip(prediction["predictions"], prediction["probabilities"])
        ]
        return "\n".join(lines) + "\n", CSV
    raise UnsupportedContentTypeError(
        "unsupported accept type '%s': ask for %s" % (accept, " or ".join(SUPPORTED_CONTENT_TYPES))
    )


def forest_probabilities(forest: Dict[str, np.ndarray], features: np.ndarray) -> np.ndarray:
    """Class probabilities of every row, all trees walked at once, as sklearn's predict_proba.

    Trees are flattened into shared node arrays. Leaves point to themselves and have an infinite
    threshold, so walking ``max_depth`` steps leaves every (tree, row) pair on its leaf without a
    per-tree loop. Inputs are rounded to float32 first because sklearn's trees compare float32.
    """
    n_rows, n_features = features.shape
    roots = forest["roots"]
    flat_features = features.astype(np.float32).astype(np.float64).ravel()
    node = np.repeat(roots, n_rows)
    row_offset = np.tile(np.arange(n_rows) * n_features, roots.shape[0])
    feature, threshold, children = forest["feature"], forest["threshold"], forest["children"]
    for _ in range(int(forest["max_depth"])):
        goes_right = flat_features[row_offset + feature[node]] > threshold[node]
        node = children[2 * node + goes_right]
    per_tree = forest["leaf_proba"][node].reshape(roots.shape[0], n_rows, -1)
    # Summed tree by tree in order, then divided, exactly as sklearn accumulates them.
    return np.add.reduce(per_tree, axis=0) / roots.shape[0]


def _media_type(header: str) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _decode(input_data: Union[bytes, str]) -> str:
    if isinstance(input_data, str):
        return input_data
    try:
        return bytes(input_data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError("the body is not UTF-8 text (byte %d)" % error.start) from None


def _rows_from_json(text: str) -> Rows:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PayloadError("the body is not valid JSON: %s" % error) from None
    if not isinstance(document, dict) or "instances" not in document:
        raise PayloadError('expected a JSON object {"instances": [[...], ...]}')
    instances = document["instances"]
    if not isinstance(instances, list) or not instances:
        raise PayloadError('"instances" must be a non-empty list of rows')
    rows = []
    for index, row in enumerate(instances):
        where = "row %d (instances[%d])" % (index + 1, index)
        if not isinstance(row, list):
            raise PayloadError("%s is not a list of numbers" % where)
        rows.append([_number(value, where) for value in row])
    return rows


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
    return _finite(float(value), where)


def _number_from_text(cell: str, where: str) -> float:
    try:
        return _finite(float(cell), where)
    except ValueError:
        raise PayloadError("%s has a non-number value %r" % (where, cell.strip())) from None


def _finite(value: float, where: str) -> float:
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise PayloadError("%s has a value that is not a finite number: %r" % (where, value))
    return value


def _checked_rows(rows: Union[Rows, np.ndarray], feature_names: Sequence[str]) -> Union[Rows, np.ndarray]:
    expected = len(feature_names)
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2 or rows.shape[1] != expected or rows.shape[0] == 0:
            raise PayloadError("expected a 2-D array of rows with %d columns, got shape %s" % (expected, rows.shape))
        out_of_range = ~np.isfinite(rows) | (np.abs(rows) > FLOAT32_MAX)
        if out_of_range.any():
            raise PayloadError("row %d has a value that is not a finite number" % (np.argwhere(out_of_range)[0][0] + 1))
        return rows
    for index, row in enumerate(rows):
        if len(row) != expected:
            raise PayloadError(
                "row %d has %d values, expected %d: %s" % (index + 1, len(row), expected, ", ".join(feature_names))
            )
    return rows
