"""Loads and runs model.tar.gz the way the SageMaker scikit-learn serving container does.

The container unpacks the artifact into /opt/ml/model, imports ``$SAGEMAKER_PROGRAM`` from
``$SAGEMAKER_SUBMIT_DIRECTORY`` (with that folder on ``sys.path``), calls ``model_fn`` once, and
then ``input_fn`` -> ``predict_fn`` -> ``output_fn`` for every request. Same here, in a temporary
model directory instead of /opt/ml/model.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from model_training import artifact as model_artifact

CONTAINER_MODEL_DIR = "/opt/ml/model"
DEFAULT_PROGRAM = "inference.py"
DEFAULT_SUBMIT_DIRECTORY = f"{CONTAINER_MODEL_DIR}/code"


@dataclass(frozen=True)
class InvocationResult:
    body: bytes
    content_type: str
    status: int = 200  # the container's HTTP status; SageMaker Runtime turns any but 2xx into a ModelError


class ServingContainer:
    """One loaded model. Hooks run concurrently: the model object is only read after model_fn."""

    def __init__(self, artifact: Path, program: str | None = None, submit_directory: str | None = None) -> None:
        self.artifact = artifact
        self.model_dir = Path(tempfile.mkdtemp(prefix="iris-model-"))
        try:
            model_artifact.unpack(artifact, self.model_dir)
            program = program or os.environ.get("SAGEMAKER_PROGRAM", DEFAULT_PROGRAM)
            submit_directory = submit_directory or os.environ.get(
                "SAGEMAKER_SUBMIT_DIRECTORY", DEFAULT_SUBMIT_DIRECTORY
            )
            self.module = _import_program(self._local_path(submit_directory), program)
            self.model = self.module.model_fn(str(self.model_dir))
        except BaseException:
            self.close()
            raise

    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        data = self.module.input_fn(body, content_type)
        prediction = self.module.predict_fn(data, self.model)
        result: Any = self.module.output_fn(prediction, accept)
        # Both serving toolkits accept (body, content_type) from output_fn, or a bare body
        # that is then sent as the Accept type.
        response_body, response_type = result if isinstance(result, tuple) else (result, accept)
        if isinstance(response_body, str):
            response_body = response_body.encode("utf-8")
        return InvocationResult(bytes(response_body), response_type)

    def close(self) -> None:
        shutil.rmtree(self.model_dir, ignore_errors=True)

    def _local_path(self, container_path: str) -> Path:
        """Maps /opt/ml/model/... in the container's environment onto our model directory."""
        relative = os.path.relpath(container_path, CONTAINER_MODEL_DIR)
        if relative.startswith(".."):
            raise ValueError(f"SAGEMAKER_SUBMIT_DIRECTORY {container_path} is outside {CONTAINER_MODEL_DIR}")
        return self.model_dir / relative


def _import_program(code_dir: Path, program: str) -> ModuleType:
    path = code_dir / program
    if not path.is_file():
        raise FileNotFoundError(f"the artifact has no {path.relative_to(code_dir.parent)}")
    sys.path.insert(0, str(code_dir))
    # A unique module name, so two artifacts loaded in one process do not share a module.
    spec = importlib.util.spec_from_file_location(f"serving_{abs(hash(code_dir))}_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
