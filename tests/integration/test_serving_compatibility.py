"""The artifact's inference.py under the Python and numpy of the SageMaker scikit-learn images, and
installed by the image's own start-up.

Each combination gets a cached virtual environment under build/compat/ (made on first run, from
PyPI). Where an interpreter is missing the test is skipped with the reason, so a run without it
says so rather than passing quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from iris_contract import GUIDE_EXAMPLE_INSTANCES

from local_stack.serving_image import image_unavailable, layered_environment
from project import BUILD
from serving import inference
from tests.helpers import source_template
from tools.pythons import find_python

pytestmark = pytest.mark.integration

COMPAT_ROOT = BUILD / "compat"
# (interpreter, numpy pin) of the scikit-learn serving images: 1.9-0 (the template's) has numpy
# 2.5.1 on Python 3.12, 1.4-2-py312 numpy 2.1.0 on 3.12, and 1.2-1 Python 3.9.
COMBINATIONS = [("3.12", "numpy==2.5.1"), ("3.12", "numpy==2.1.3"), ("3.9", "numpy==1.24.4")]
# The image's start-up install of the code folder, with sagemaker-containers' own code: copy it to
# /opt/ml/code, write a setup.py, `pip install .`, import it as the module `inference`.
START_UP_INSTALL = (
    "import sys; from sagemaker_containers.beta.framework import modules; "
    "print(modules.import_module(sys.argv[1], 'inference').__file__)"
)

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1] + "/code")
import inference
model = inference.model_fn(sys.argv[1])
rows = inference.input_fn(sys.stdin.read().encode(), "application/json")
body, content_type = inference.output_fn(inference.predict_fn(rows, model), "application/json")
print(json.dumps({"body": json.loads(body), "content_type": content_type}))
"""


def _environment(version: str, pins: str) -> Path:
    venv = COMPAT_ROOT / f"py{version}-{pins.replace('==', '-').replace(' ', '-')}"
    python = venv / "bin" / "python"
    if not (venv / ".ready").exists():
        interpreter = find_python(version)
        if interpreter is None:
            pytest.skip(f"SKIPPED LOUDLY: no python{version} on this machine, compatibility with it is unchecked")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins.split()],
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


@pytest.mark.parametrize(("with_the_templates_setting", "installs"), [(True, True), (False, False)])
def test_the_images_start_up_install_of_the_code_works_without_the_network(
    model_dir, tmp_path, with_the_templates_setting, installs
):
    # Given the image's Python and serving stack, and no package index
    reason = image_unavailable()
    if reason is not None:
        pytest.skip(f"SKIPPED LOUDLY: {reason}")
    layered_environment(tmp_path / "env")
    environment = {
        "PATH": os.environ["PATH"],
        "SAGEMAKER_BASE_DIR": str(tmp_path / "ml"),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
    }
    if with_the_templates_setting:
        model = source_template()["Resources"]["Model"]["Properties"]["PrimaryContainer"]
        environment["PIP_NO_BUILD_ISOLATION"] = model["Environment"]["PIP_NO_BUILD_ISOLATION"]

    # When sagemaker-containers installs the artifact's code folder as the image does at every start
    completed = subprocess.run(
        [str(tmp_path / "env" / "bin" / "python"), "-c", START_UP_INSTALL, str(model_dir / "code")],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    # Then it installs and imports the module with the template's PIP_NO_BUILD_ISOLATION, and fails without it
    assert (completed.returncode == 0) is installs, completed.stdout + completed.stderr
    if installs:
        assert completed.stdout.strip().endswith("site-packages/inference.py")
