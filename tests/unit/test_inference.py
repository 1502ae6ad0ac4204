"""The serving hooks' contract, and parity with scikit-learn on the same forest."""

from __future__ import annotations

import json

import numpy as np
import pytest
from iris_contract import (
    CLASS_NAMES,
    FEATURE_NAMES,
    FEATURES,
    GUIDE_EXAMPLE_INSTANCES,
    GUIDE_EXAMPLE_PREDICTIONS,
)

from model_training import forest_export
from serving import inference
from tests.helpers import BAD_PAYLOADS

PARITY_POINTS = 12_000
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _serve(served_model, body, content_type="application/json", accept="application/json"):
    rows = inference.input_fn(body, content_type)
    return inference.output_fn(inference.predict_fn(rows, served_model), accept)


def _random_points(count: int, seed: int) -> np.ndarray:
    """Spread over and well beyond the guide's ranges, including zeros and values near them."""
    rng = np.random.default_rng(seed)
    low = np.array([f.observed_min for f in FEATURES])
    high = np.array([f.observed_max for f in FEATURES])
    width = high - low
    points = rng.uniform(np.maximum(low - width, 0.0), high + width, size=(count, len(FEATURES)))
    # Exactly on training thresholds is where a float32/float64 slip would show.
    points[: count // 10] = np.round(points[: count // 10], 1)
    return points


def _threshold_edges(estimator, base_rows: np.ndarray) -> np.ndarray:
    """Each split threshold, its float32 neighbours, the float64 midpoint between those (where
    float32 rounding flips) and one float64 step either side, put into real rows of Iris data."""
    rng = np.random.default_rng(3)
    rows = []
    for feature in range(len(FEATURES)):
        thresholds = np.unique(
            np.concatenate(
                [
                    e.tree_.threshold[(e.tree_.children_left != -1) & (e.tree_.feature == feature)]
                    for e in estimator.estimators_
                ]
            )
        )
        down = thresholds.astype(np.float32)
        down = np.where(down.astype(np.float64) > thresholds, np.nextafter(down, np.float32(-np.inf)), down)
        up = np.nextafter(down, np.float32(np.inf))
        midpoint = (down.astype(np.float64) + up.astype(np.float64)) / 2
        values = np.concatenate([thresholds, down, up, midpoint]).astype(np.float64)
        values = np.unique(np.concatenate([values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)]))
        chosen = base_rows[rng.choice(base_rows.shape[0], size=values.size)].copy()
        chosen[:, feature] = values
        rows.append(chosen)
    return np.concatenate(rows)


def _same_bits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    return ours.shape == theirs.shape and np.array_equal(ours.view(np.uint64), theirs.view(np.uint64))


def test_probabilities_are_scikit_learns_bit_for_bit(trained, served_model):
    points = _random_points(PARITY_POINTS, seed=7)

    ours = inference.forest_probabilities(served_model["forest"], points)
    theirs = trained.estimator.predict_proba(points)

    assert ours.shape == (PARITY_POINTS, len(CLASS_NAMES))
    assert _same_bits(ours, theirs)
    np.testing.assert_array_equal(np.argmax(ours, axis=1), trained.estimator.predict(points))


def test_probabilities_are_scikit_learns_on_and_around_every_threshold(trained, served_model):
    from model_training.train import load_data

    features, _ = load_data()
    points = np.concatenate([features, _threshold_edges(trained.estimator, features)])

    assert _same_bits(
        inference.forest_probabilities(served_model["forest"], points), trained.estimator.predict_proba(points)
    )


@pytest.mark.parametrize("value", [0.0, -0.0, -1.0, 1e-45, 30.0, 1e6, 1e30, FLOAT32_MAX, -FLOAT32_MAX])
def test_probabilities_are_scikit_learns_at_extreme_values(trained, served_model, value):
    points = np.tile(np.array(GUIDE_EXAMPLE_INSTANCES), (len(FEATURES), 1))
    for feature in range(len(FEATURES)):
        points[3 * feature : 3 * feature + 3, feature] = value

    with np.errstate(over="ignore", invalid="ignore"):  # scikit-learn's own float32 cast at the extremes
        theirs = trained.estimator.predict_proba(points)
    assert _same_bits(inference.forest_probabilities(served_model["forest"], points), theirs)


@pytest.mark.parametrize("rows", [1, 8, 9, 1000])
def test_small_and_large_batches_take_their_paths_to_the_same_answer(trained, served_model, rows):
    # Up to a few rows the search runs in Python, beyond that in numpy.
    points = _random_points(rows, seed=rows)

    prediction = inference.predict_fn(points.tolist(), served_model)

    assert _same_bits(prediction["probabilities"], trained.estimator.predict_proba(points))
    np.testing.assert_array_equal(prediction["predictions"], trained.estimator.predict(points))


def test_guide_example_gives_the_guides_predictions(served_model):
    body, content_type = _serve(served_model, json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES}))

    document = json.loads(body)
    assert content_type == "application/json"
    assert document["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)
    assert len(document["probabilities"]) == len(GUIDE_EXAMPLE_INSTANCES)
    for row in document["probabilities"]:
        assert len(row) == len(CLASS_NAMES)
        assert all(isinstance(p, float) for p in row)
        assert sum(row) == pytest.approx(1.0)
    assert document["classes"] == list(CLASS_NAMES)
    assert document["model_version"] == served_model["metadata"]["model_version"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON", ""]
)
def test_json_content_types_are_accepted(served_model, content_type):
    body, _ = _serve(served_model, b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}', content_type)

    assert json.loads(body)["predictions"] == [0]


def test_json_accepts_integers(served_model):
    body, _ = _serve(served_model, '{"instances": [[7, 3, 6, 2]]}')

    assert json.loads(body)["predictions"] == [2]


def test_csv_in_and_csv_out(served_model):
    csv_body = "5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\r\n7.7,3.0,6.1,2.3\n\n"

    body, content_type = _serve(served_model, csv_body, "text/csv", "text/csv")

    assert content_type == "text/csv"
    lines = body.strip().splitlines()
    assert [int(line.split(",")[0]) for line in lines] == list(GUIDE_EXAMPLE_PREDICTIONS)
    assert all(len(line.split(",")) == 1 + len(CLASS_NAMES) for line in lines)


def test_csv_in_json_out(served_model):
    body, content_type = _serve(served_model, "5.1,3.5,1.4,0.2", "text/csv", "*/*")

    assert content_type == "application/json"
    assert json.loads(body)["predictions"] == [0]


def test_numpy_array_goes_straight_to_predict_fn(served_model):
    prediction = inference.predict_fn(np.array(GUIDE_EXAMPLE_INSTANCES), served_model)

    assert prediction["predictions"].tolist() == list(GUIDE_EXAMPLE_PREDICTIONS)


@pytest.mark.parametrize(("content_type", "body", "message"), BAD_PAYLOADS)
def test_bad_payloads_say_what_to_change(served_model, content_type, body, message):
    with pytest.raises(inference.PayloadError) as raised:
        _serve(served_model, body, content_type)

    assert str(raised.value) == message


def test_rows_of_one_width_arrive_as_one_array_and_others_as_lists():
    rectangle = inference.input_fn('{"instances": [[1, 2.5, 3, 4], [5, 6, 7, 8]]}', "application/json")
    ragged = inference.input_fn('{"instances": [[1, 2, 3, 4], [5, 6, 7]]}', "application/json")

    assert (type(rectangle), rectangle.dtype, rectangle.tolist()) == (
        np.ndarray,
        np.float64,
        [[1, 2.5, 3, 4], [5, 6, 7, 8]],
    )
    assert ragged == [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]


@pytest.mark.parametrize("rows", [1, 63, 64, 65, 1000])
def test_json_answers_are_what_json_dumps_writes(served_model, rows):
    # Small answers go through json.dumps; large ones format each distinct number once.
    prediction = inference.predict_fn(_random_points(rows, seed=rows), served_model)

    body, _ = inference.output_fn(prediction, "application/json")

    assert body == json.dumps(
        {
            "predictions": prediction["predictions"].tolist(),
            "probabilities": prediction["probabilities"].tolist(),
            "classes": list(prediction["classes"]),
            "model_version": prediction["model_version"],
        }
    )


def test_json_answers_keep_negative_zero_and_close_floats_apart():
    values = [[-0.0, 0.0, 1e-300], [0.1, 0.30000000000000004, 2.0]]
    prediction = {
        "predictions": np.zeros(100, dtype=np.intp),
        "probabilities": np.tile(values, (50, 1)),
        "classes": ["a", "b", "c"],
        "model_version": "v\u00e9",
    }

    body, _ = inference.output_fn(prediction, "application/json")

    assert json.loads(body)["probabilities"][:2] == values
    assert body.count("-0.0, 0.0, 1e-300") == 50
    assert '"model_version": "v\\u00e9"' in body


def test_wrong_row_width_names_the_row_and_the_features(served_model):
    body = json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2], [1, 2, 3, 4], [1, 2, 3, 4, 5]]})

    with pytest.raises(inference.PayloadError) as raised:
        _serve(served_model, body)

    assert str(raised.value) == ("row 3 has 5 values, expected 4: sepal_length, sepal_width, petal_length, petal_width")
    assert ", ".join(FEATURE_NAMES) in str(raised.value)


def test_csv_row_width_is_checked_too(served_model):
    with pytest.raises(inference.PayloadError, match="row 2 has 3 values, expected 4"):
        _serve(served_model, "5.1,3.5,1.4,0.2\n1,2,3\n", "text/csv")


@pytest.mark.parametrize("array", [np.ones((2, 3)), np.ones(4), np.ones((0, 4)), np.array([[1.0, np.nan, 1, 1]])])
def test_bad_arrays_are_refused(served_model, array):
    with pytest.raises(inference.PayloadError):
        inference.predict_fn(array, served_model)


def test_unsupported_content_type_is_refused_by_name(served_model):
    with pytest.raises(
        inference.UnsupportedContentTypeError, match=r"'application/x-npy'.*application/json or text/csv"
    ):
        inference.input_fn(b"\x93NUMPY", "application/x-npy")


def test_unsupported_accept_type_is_refused_by_name(served_model):
    prediction = inference.predict_fn([[5.1, 3.5, 1.4, 0.2]], served_model)

    with pytest.raises(inference.UnsupportedContentTypeError, match="'text/html'"):
        inference.output_fn(prediction, "text/html")


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: f.pop("rows"),
        lambda f: f.update(cell_rows=f["cell_rows"][:-1]),
        lambda f: f.update(bounds=f["bounds"][::-1].copy()),
        lambda f: f.update(bound_counts=f["bound_counts"][:3]),
        lambda f: f.update(rows=f["rows"][:, :2].copy()),
        lambda f: f.update(cell_rows=np.full_like(f["cell_rows"], 60000)),
        lambda f: f.update(rows=np.full_like(f["rows"], np.nan)),
    ],
)
def test_damaged_forest_is_refused_at_load(model_dir, tmp_path, damage):
    (tmp_path / inference.METADATA_FILE).write_bytes((model_dir / inference.METADATA_FILE).read_bytes())
    with np.load(model_dir / inference.FOREST_FILE, allow_pickle=False) as arrays:
        forest = {name: arrays[name] for name in arrays.files}
    damage(forest)
    (tmp_path / inference.FOREST_FILE).write_bytes(forest_export.npz_bytes(forest))

    with pytest.raises(ValueError, match=f"{inference.FOREST_FILE}.* damaged"):
        inference.model_fn(str(tmp_path))


@pytest.mark.parametrize("recorded", ["iris-gateway-forest/0", None])
def test_an_artifact_in_another_forest_format_is_refused_saying_what_and_why(model_dir, tmp_path, recorded):
    # Given the real artifact with its metadata claiming another layout of the arrays (or none)
    metadata = json.loads((model_dir / inference.METADATA_FILE).read_text())
    if recorded is None:
        del metadata["forest_format"]
    else:
        metadata["forest_format"] = recorded
    (tmp_path / inference.METADATA_FILE).write_text(json.dumps(metadata))
    (tmp_path / inference.FOREST_FILE).write_bytes((model_dir / inference.FOREST_FILE).read_bytes())

    # When the container loads it, Then model_fn refuses, naming what it found and what it reads
    with pytest.raises(ValueError, match="forest_format") as refused:
        inference.model_fn(str(tmp_path))
    assert repr(recorded) in str(refused.value)
    assert repr(inference.FOREST_FORMAT) in str(refused.value)


def test_the_built_artifact_records_the_format_its_serving_code_reads(model_dir):
    metadata = json.loads((model_dir / inference.METADATA_FILE).read_text())

    assert metadata["forest_format"] == inference.FOREST_FORMAT
    assert inference.model_fn(str(model_dir))["metadata"]["forest_format"] == metadata["forest_format"]
