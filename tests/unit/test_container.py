"""The local container emulation loads the artifact the way the scikit-learn image does."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from iris_contract import GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS

from local_stack.sagemaker_container import ServingContainer
from model_training import artifact


def test_serves_the_artifact_through_the_four_hooks(model_artifact):
    container = ServingContainer(model_artifact)
    try:
        result = container.invoke(
            json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES}).encode(), "application/json", "application/json"
        )
    finally:
        container.close()

    assert result.content_type == "application/json"
    assert json.loads(result.body)["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)
    assert not container.model_dir.exists()


def test_honours_the_containers_program_variables(model_artifact, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "missing.py")
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")

    with pytest.raises(FileNotFoundError, match=r"code/missing\.py"):
        ServingContainer(model_artifact)


def test_refuses_a_submit_directory_outside_the_model(model_artifact, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "/etc")

    with pytest.raises(ValueError, match="outside /opt/ml/model"):
        ServingContainer(model_artifact)


def test_refuses_archive_members_that_escape_the_model_dir(tmp_path):
    escaping = io.BytesIO()
    with tarfile.open(fileobj=escaping, mode="w:gz") as tar:
        entry = tarfile.TarInfo("../escaped.py")
        entry.size = 1
        tar.addfile(entry, io.BytesIO(b"x"))
    (tmp_path / "bad.tar.gz").write_bytes(escaping.getvalue())

    with pytest.raises(tarfile.OutsideDestinationError):
        ServingContainer(tmp_path / "bad.tar.gz")


def test_a_bare_string_from_output_fn_is_sent_as_the_accept_type(tmp_path):
    program = (
        "def model_fn(model_dir): return None\n"
        "def input_fn(data, content_type): return data\n"
        "def predict_fn(data, model): return data.upper()\n"
        "def output_fn(prediction, accept): return prediction.decode()\n"
    )
    (tmp_path / "echo.tar.gz").write_bytes(artifact.deterministic_tar_gz({"code/inference.py": program.encode()}))
    container = ServingContainer(tmp_path / "echo.tar.gz")
    try:
        result = container.invoke(b"abc", "text/plain", "text/plain")
    finally:
        container.close()

    assert (result.body, result.content_type) == (b"ABC", "text/plain")
