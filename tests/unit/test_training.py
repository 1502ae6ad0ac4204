from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np
from iris_contract import CLASS_NAMES, FEATURE_NAMES

from model_training import artifact, train
from serving import inference


def _members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive) as tar:
        return {member.name: member for member in tar.getmembers()}


def _read(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        extracted = tar.extractfile(name)
        assert extracted is not None
        return extracted.read()


def test_two_runs_with_one_seed_give_one_tarball(trained, tmp_path):
    # Given a first training run (the session fixture), When training again into another folder
    again = train.train(tmp_path)

    # Then the bytes, and so the hash and the model version, are the same
    assert again.archive.read_bytes() == trained.archive.read_bytes()
    assert again.archive_sha256 == trained.archive_sha256 == hashlib.sha256(trained.archive.read_bytes()).hexdigest()
    assert again.model_version == trained.model_version


def test_another_seed_gives_another_model_version(trained, tmp_path):
    other = train.train(tmp_path, seed=train.DEFAULT_SEED + 1)

    assert other.model_version != trained.model_version
    assert other.archive_sha256 != trained.archive_sha256


def test_hold_out_accuracy_meets_the_bound(trained):
    assert trained.metrics["holdout_accuracy"] >= train.MIN_HOLDOUT_ACCURACY
    assert 0.9 <= trained.metrics["cross_validation"]["accuracy_mean"] <= 1.0


def test_metrics_file_holds_per_class_scores_and_confusion_matrix(trained):
    metrics = json.loads((trained.archive.parent / "metrics.json").read_text())

    assert set(metrics["per_class"]) == set(CLASS_NAMES)
    for scores in metrics["per_class"].values():
        assert {"precision", "recall", "f1", "support"} <= set(scores)
    matrix = np.array(metrics["confusion_matrix"]["matrix"])
    assert matrix.shape == (3, 3)
    holdout = sum(scores["support"] for scores in metrics["per_class"].values())
    assert matrix.sum() == holdout
    assert np.trace(matrix) / holdout == metrics["holdout_accuracy"]


def test_model_card_names_features_classes_and_version(trained):
    card = (trained.archive.parent / "model_card.md").read_text()

    for name in (*FEATURE_NAMES, *CLASS_NAMES, trained.model_version, "Iris Virginica"):
        assert name in card


def test_artifact_layout_is_what_the_container_serves(trained):
    members = _members(trained.archive)

    assert sorted(members) == ["code", "code/inference.py", "forest.npz", "metadata.json"]
    assert "code/requirements.txt" not in members
    assert not any(name.endswith((".pkl", ".pickle", ".joblib")) for name in members)
    assert _read(trained.archive, "code/inference.py") == Path(inference.__file__).read_bytes()


def test_artifact_entries_are_normalised_for_reproducibility(trained):
    members = list(_members(trained.archive).values())

    assert [m.name for m in members] == sorted(m.name for m in members)
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m in members)
    # The gzip header's timestamp (bytes 4-8) is zero too.
    assert trained.archive.read_bytes()[4:8] == b"\0\0\0\0"


def test_metadata_records_contract_version_and_libraries(trained):
    metadata = json.loads(_read(trained.archive, "metadata.json"))

    assert metadata["feature_names"] == list(FEATURE_NAMES)
    assert metadata["class_names"] == list(CLASS_NAMES)
    assert set(metadata["training"]) >= {"python", "numpy", "scikit_learn"}
    payload = {
        "forest.npz": _read(trained.archive, "forest.npz"),
        "code/inference.py": _read(trained.archive, "code/inference.py"),
    }
    assert metadata["model_version"] == artifact.model_version(payload) == trained.model_version


def test_forest_loads_without_pickle(trained):
    with np.load(io.BytesIO(_read(trained.archive, "forest.npz")), allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)
        # One probability row per distinct answer, one cell per combination of split intervals.
        counts = arrays["bound_counts"]
        assert arrays["cell_rows"].shape == (int(np.prod(counts + 1)),)
        assert arrays["rows"].shape[1] == len(CLASS_NAMES)


def test_tarball_is_gzip_that_tar_reads_back(tmp_path):
    files = {"b.txt": b"two", "a/one.txt": b"one"}

    data = artifact.deterministic_tar_gz(files)

    (tmp_path / "x.tar.gz").write_bytes(data)
    assert _read(tmp_path / "x.tar.gz", "a/one.txt") == b"one"
    assert artifact.deterministic_tar_gz(dict(reversed(list(files.items())))) == data
