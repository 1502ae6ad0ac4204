"""The serving hooks at their edges: float32's range, CSV layout, media types, refusals word for word,
and forests written by hand, whose answers can be worked out on paper."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from iris_contract import CLASS_NAMES, FEATURE_NAMES

from model_training import forest_export
from serving import inference

# The largest float32, which scikit-learn's trees can still compare; the next float64 up is past it.
FLOAT32_MAX = float(np.finfo(np.float32).max)
PAST_FLOAT32 = float(np.nextafter(FLOAT32_MAX, np.inf))
BOTH_TYPES = "application/json or text/csv"


def _hand_forest(counts: list[int], bounds: list[float], cell_rows: list[int], rows: list[list[float]]) -> dict:
    """The arrays forest_export writes, for a forest small enough to check by hand."""
    return {
        "bounds": np.array(bounds, dtype=np.float64),
        "bound_counts": np.array(counts, dtype=np.int64),
        "cell_rows": np.array(cell_rows, dtype=np.uint16),
        "rows": np.array(rows, dtype=np.float64),
    }


# One split, petal_length <= 2.5: setosa below, virginica above. The other features have no bounds.
ONE_SPLIT = _hand_forest([0, 0, 1, 0], [2.5], [0, 1], [[1.0, 0.0, 0.0], [0.0, 0.2, 0.8]])


def _model(stored: dict) -> dict:
    forest = inference._prepared_forest(stored, len(FEATURE_NAMES), len(CLASS_NAMES))
    metadata = {"feature_names": FEATURE_NAMES, "class_names": CLASS_NAMES, "model_version": "by-hand"}
    return {"forest": forest, "metadata": metadata}


@pytest.mark.parametrize("rows", [1, 20], ids=["python-path", "numpy-path"])
def test_a_hand_written_forest_scores_as_worked_out_on_paper(rows):
    # A split goes left when the value is at most its bound, so 2.5 itself is setosa.
    model = _model(ONE_SPLIT)
    petal_lengths = [2.5, np.nextafter(2.5, np.inf), 0.0, 6.9] * rows
    features = np.array([[5.0, 3.0, petal_length, 1.0] for petal_length in petal_lengths])

    probabilities = inference.forest_probabilities(model["forest"], features)

    assert probabilities.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.2, 0.8], [1.0, 0.0, 0.0], [0.0, 0.2, 0.8]] * rows


def test_a_forest_that_never_splits_is_one_answer_for_everything():
    model = _model(_hand_forest([0, 0, 0, 0], [], [0], [[0.25, 0.5, 0.25]]))

    prediction = inference.predict_fn([[0.0, 0.0, 0.0, 0.0], [FLOAT32_MAX] * 4], model)

    assert prediction["probabilities"].tolist() == [[0.25, 0.5, 0.25]] * 2
    assert prediction["predictions"].tolist() == [1, 1]


def _exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


DAMAGED = "forest arrays are inconsistent: forest.npz is damaged"


@pytest.mark.parametrize(
    "damage",
    [
        {"bound_counts": np.array([0, 0, 1, 0], dtype=np.float64)},
        {"bound_counts": np.array([0, 0, -1, 0], dtype=np.int64)},
        {"cell_rows": np.array([0, 2], dtype=np.uint16)},
        {
            "bounds": np.array([2.5, 2.5]),
            "bound_counts": np.array([0, 0, 2, 0]),
            "cell_rows": np.array([0, 1, 1], dtype=np.uint16),
        },
        {"bounds": np.array(2.5)},
        {"rows": np.zeros((0, 3))},
    ],
    ids=["float-counts", "negative-count", "row-index-one-past-the-end", "repeated-bound", "0-d-bounds", "no-rows"],
)
def test_a_damaged_forest_is_refused_in_those_words(damage):
    with pytest.raises(ValueError, match=_exactly(DAMAGED)):
        _model({**ONE_SPLIT, **{name: np.asarray(value) for name, value in damage.items()}})


def test_a_missing_array_is_named(model_dir, tmp_path):
    (tmp_path / inference.METADATA_FILE).write_bytes((model_dir / inference.METADATA_FILE).read_bytes())
    without_rows = {name: value for name, value in ONE_SPLIT.items() if name != "rows"}
    (tmp_path / inference.FOREST_FILE).write_bytes(forest_export.npz_bytes(without_rows))

    with pytest.raises(ValueError, match=_exactly("forest.npz has no array 'rows': it is damaged")):
        inference.model_fn(str(tmp_path))


def test_an_artifact_in_another_format_is_refused_in_those_words(model_dir, tmp_path):
    metadata = json.loads((model_dir / inference.METADATA_FILE).read_text())
    (tmp_path / inference.METADATA_FILE).write_text(json.dumps({**metadata, "forest_format": "iris-gateway-forest/1"}))

    refusal = (
        "metadata.json says forest_format 'iris-gateway-forest/1', but this inference.py reads "
        "'iris-gateway-forest/2': build the artifact again with the inference.py it is served by (make model)"
    )
    with pytest.raises(ValueError, match=_exactly(refusal)):
        inference.model_fn(str(tmp_path))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps({"instances": [[FLOAT32_MAX, 1, 1, 1]]}), "application/json"),
        (f"{FLOAT32_MAX!r},1,1,1\n", "text/csv"),
        (f"{-FLOAT32_MAX!r},1,1,1\n", "text/csv"),
    ],
    ids=["json", "csv", "csv-negative"],
)
def test_the_largest_float32_is_still_scored(served_model, body, content_type):
    prediction = inference.predict_fn(inference.input_fn(body, content_type), served_model)

    assert prediction["probabilities"].shape == (1, len(CLASS_NAMES))


def test_rows_walked_one_by_one_take_the_largest_float32_too(served_model):
    # Rows of different widths are walked value by value; the largest float32 passes that walk,
    # so the refusal is about the short row.
    body = json.dumps({"instances": [[FLOAT32_MAX, 1, 1, 1], [1, 1, 1]]})

    with pytest.raises(inference.PayloadError) as refused:
        inference.predict_fn(inference.input_fn(body, "application/json"), served_model)

    assert str(refused.value) == "row 2 has 3 values, expected 4: " + ", ".join(FEATURE_NAMES)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.ones(4), "expected a 2-D array of rows with 4 columns, got shape (4,)"),
        (np.ones((0, 4)), "expected a 2-D array of rows with 4 columns, got shape (0, 4)"),
        ([], "expected a non-empty list of rows with 4 values each"),
        (np.array([[1.0, 1, 1, 1], [1, 1, 1, PAST_FLOAT32]]), "row 2 has a value that is not a finite number"),
        # The largest float32 is in range; the row named is the one past it.
        (np.array([[FLOAT32_MAX, 1, 1, 1], [1, 1, 1, np.inf]]), "row 2 has a value that is not a finite number"),
        (np.array([[1.0, 1, 1, 1], [1, 1, 1, 1], [np.nan, 1, 1, 1]]), "row 3 has a value that is not a finite number"),
    ],
    ids=["1-d", "no-rows", "empty-list", "past-float32", "max-then-inf", "nan-in-column-1"],
)
def test_arrays_predict_fn_refuses_say_why(served_model, array, message):
    with pytest.raises(inference.PayloadError) as refused:
        inference.predict_fn(array, served_model)

    assert str(refused.value) == message


def test_csv_skips_blank_and_whitespace_lines_anywhere():
    rows = inference.input_fn("\n5.1,3.5,1.4,0.2\n  ,  \n\n6.7,3.0,5.2,2.3\n \n", "text/csv")

    assert rows == [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


def test_csv_answers_hold_the_label_then_each_probability_as_python_writes_it():
    prediction = {"predictions": np.array([2, 0]), "probabilities": np.array([[0.0, 0.1, 0.9], [1.0, 0.0, 0.0]])}

    assert inference.output_fn(prediction, "text/csv; charset=utf-8") == ("2,0.0,0.1,0.9\n0,1.0,0.0,0.0\n", "text/csv")


@pytest.mark.parametrize("accept", [None, "", "*/*", "application/json", "application/json; q=1; charset=utf-8"])
def test_json_is_the_answer_unless_csv_is_asked_for(accept):
    prediction = {
        "predictions": np.array([0]),
        "probabilities": np.array([[1.0, 0.0, 0.0]]),
        "classes": list(CLASS_NAMES),
        "model_version": "v1",
    }

    body, content_type = inference.output_fn(prediction, accept)

    assert content_type == "application/json"
    assert json.loads(body)["probabilities"] == [[1.0, 0.0, 0.0]]


def test_a_content_type_with_several_parameters_is_read_by_its_media_type():
    rows = inference.input_fn("5.1,3.5,1.4,0.2\n", "text/csv; charset=utf-8; header=absent")

    assert rows == [[5.1, 3.5, 1.4, 0.2]]


def test_unsupported_types_are_refused_in_those_words():
    prediction = {"predictions": np.array([0]), "probabilities": np.array([[1.0, 0.0, 0.0]])}

    with pytest.raises(inference.UnsupportedContentTypeError) as refused_in:
        inference.input_fn(b"\x93NUMPY", "application/x-npy")
    with pytest.raises(inference.UnsupportedContentTypeError) as refused_out:
        inference.output_fn(prediction, "text/html")

    assert str(refused_in.value) == f"unsupported content type 'application/x-npy': send {BOTH_TYPES}"
    assert str(refused_out.value) == f"unsupported accept type 'text/html': ask for {BOTH_TYPES}"
