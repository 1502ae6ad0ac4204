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

from model_training import inference

PARITY_POINTS = 12_000


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


def test_probabilities_match_scikit_learn(trained, served_model):
    points = _random_points(PARITY_POINTS, seed=7)

    ours = inference.forest_probabilities(served_model["forest"], points)
    theirs = trained.estimator.predict_proba(points)

    assert ours.shape == theirs.shape == (PARITY_POINTS, len(CLASS_NAMES))
    assert np.max(np.abs(ours - theirs)) <= 1e-12
    np.testing.assert_array_equal(np.argmax(ours, axis=1), trained.estimator.predict(points))


def test_probabilities_match_on_the_training_data_itself(trained, served_model):
    from model_training.train import load_data

    features, _ = load_data()

    ours = inference.forest_probabilities(served_model["forest"], features)

    assert np.max(np.abs(ours - trained.estimator.predict_proba(features))) <= 1e-12


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


BAD_PAYLOADS = [
    ("application/json", b"{not json", "not valid JSON"),
    ("application/json", b"\xff\xfe", "not UTF-8"),
    ("application/json", b"[[5.1, 3.5, 1.4, 0.2]]", 'expected a JSON object {"instances"'),
    ("application/json", b'{"rows": [[1, 2, 3, 4]]}', 'expected a JSON object {"instances"'),
    ("application/json", b'{"instances": []}', "non-empty list"),
    ("application/json", b'{"instances": "5.1,3.5"}', "non-empty list"),
    ("application/json", b'{"instances": [5.1, 3.5, 1.4, 0.2]}', "row 1 (instances[0]) is not a list"),
    ("application/json", b'{"instances": [[5.1, "3.5", 1.4, 0.2]]}', 'non-number value "3.5"'),
    ("application/json", b'{"instances": [[5.1, true, 1.4, 0.2]]}', "non-number value true"),
    ("application/json", b'{"instances": [[5.1, null, 1.4, 0.2]]}', "non-number value null"),
    ("application/json", b'{"instances": [[5.1, NaN, 1.4, 0.2]]}', "not a finite number"),
    ("application/json", b'{"instances": [[5.1, Infinity, 1.4, 0.2]]}', "not a finite number"),
    ("application/json", b'{"instances": [[5.1, 1e300, 1.4, 0.2]]}', "not a finite number"),
    ("text/csv", b"5.1,3.5,abc,0.2\n", "row 1 has a non-number value 'abc'"),
    ("text/csv", b"\n\n", "no rows"),
]


@pytest.mark.parametrize(("content_type", "body", "message"), BAD_PAYLOADS)
def test_bad_payloads_say_what_to_change(served_model, content_type, body, message):
    with pytest.raises(inference.PayloadError) as raised:
        _serve(served_model, body, content_type)

    assert message in str(raised.value)


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


def test_damaged_forest_is_refused_at_load(model_dir, tmp_path):
    for name in (inference.METADATA_FILE,):
        (tmp_path / name).write_bytes((model_dir / name).read_bytes())
    with np.load(model_dir / inference.FOREST_FILE, allow_pickle=False) as arrays:
        forest = {name: arrays[name] for name in arrays.files}
    forest["children"] = forest["children"][:-2]
    np.savez(tmp_path / inference.FOREST_FILE, **forest)

    with pytest.raises(ValueError, match="damaged"):
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
