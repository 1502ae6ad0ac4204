"""The artifact's inference.py under the Python and numpy of the SageMaker scikit-learn images.

Each combination gets a cached virtual environment under build/compat/ (made on first run, from
PyPI). Where an interpreter is missing the test is skipped with the reason, so a run without it
says so rather than passing quietly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from iris_contract import GUIDE_EXAMPLE_INSTANCES

from model_training import inference
from tools.pythons import find_python

pytestmark = pytest.mark.integration

COMPAT_ROOT = Path("build/compat")
# (interpreter, numpy pin): the 1.2-1 image runs Python 3.9; the 1.4-2-py312 image numpy 2.1 on 3.12.
COMBINATIONS = [("3.9", "numpy==1.24.4"), ("3.12", "numpy==2.1.3")]

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1] + "/code")
import inference
model = inference.model_fn(sys.argv[1])
rows = inference.input_fn(sys.stdin.read().encode(), "application/json")
body, content_type = inference.output_fn(inference.predict_fn(rows, model), "application/json")
print(json.dumps({"body": json.loads(body), "content_type": content_type}))
"""


def _environment(version: str, numpy_pin: str) -> Path:
    venv = COMPAT_ROOT / f"py{version}-{numpy_pin.replace('==', '-')}"
    python = venv / "bin" / "python"
    if not (venv / ".ready").exists():
        interpreter = find_python(version)
        if interpreter is None:
            pytest.skip(f"SKIPPED LOUDLY: no python{version} on this machine, compatibility with it is unchecked")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", numpy_pin],
            check=True,
            timeout=600,
        )
        (venv / ".ready").touch()
    return python


@pytest.mark.parametrize(("version", "numpy_pin"), COMBINATIONS)
def test_hooks_run_unchanged_under_the_image_runtimes(version, numpy_pin, model_dir, served_model, tmp_path):
    python = _environment(version, numpy_pin)
    request = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES})

    completed = subprocess.run(
        [str(python), "-c", SCRIPT, str(model_dir)], input=request, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    theirs = json.loads(completed.stdout)
    ours_body, ours_type = inference.output_fn(
        inference.predict_fn(inference.input_fn(request, "application/json"), served_model), "application/json"
    )
    assert theirs == {"body": json.loads(ours_body), "content_type": ours_type}
