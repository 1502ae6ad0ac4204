"""The real SAM CLI, offline: `sam validate --lint` and `sam build` for python3.13 on arm64."""

from __future__ import annotations

import importlib.util
import subprocess
import zipfile
from pathlib import Path

import pytest

from project import ROOT
from tests.helpers import TEMPLATE
from tools.sam_cli import SAM, compile_bytecode, python313_dir, sam_environment

pytestmark = pytest.mark.infrastructure

MAX_PACKAGE_BYTES = 100 * 1024


def _sam(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    if not SAM.exists():
        pytest.skip(f"SKIPPED LOUDLY: SAM CLI is not installed at {SAM}; run `make sam-cli` (make test does)")
    python313 = python313_dir()
    if python313 is None:
        pytest.skip("SKIPPED LOUDLY: no python3.13 on this machine, so `sam build` for the runtime cannot run")
    return subprocess.run(
        [str(SAM), *arguments],
        cwd=cwd,
        env=sam_environment(python313),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_sam_validate_lint():
    completed = _sam("validate", "--lint", "--template", str(TEMPLATE))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is a valid SAM Template" in completed.stdout + completed.stderr


def test_sam_build_packages_the_function_small_and_self_contained(tmp_path):
    completed = _sam("build", "--template", str(TEMPLATE), "--build-dir", str(tmp_path / "build"))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    built = tmp_path / "build" / "PredictFunction"
    names = {path.name for path in built.iterdir()}
    assert {"app.py", "endpoint_client.py", "schemas.py"} <= {path.name for path in (built / "predict").iterdir()}
    # The contract arrives as a real file with the contract's own bytes; nothing from the layer or runtime.
    contract = built / "iris_contract.py"
    assert contract.is_file()
    assert not contract.is_symlink()
    assert contract.read_bytes() == (ROOT / "contract" / "iris_contract.py").read_bytes()
    assert not names & {"boto3", "botocore", "pydantic", "aws_lambda_powertools"}
    package = tmp_path / "function.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(built.rglob("*")):
            archive.write(path, path.relative_to(built))
    assert package.stat().st_size < MAX_PACKAGE_BYTES


def test_the_build_step_adds_bytecode_lambda_can_use_for_every_module(tmp_path):
    completed = _sam("build", "--template", str(TEMPLATE), "--build-dir", str(tmp_path / "build"))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    built = tmp_path / "build" / "PredictFunction"
    assert not list(built.rglob("*.pyc")), "sam build itself ships no bytecode"

    compile_bytecode(built)

    for source in built.rglob("*.py"):
        (pyc,) = (source.parent / "__pycache__").glob(f"{source.stem}.cpython-313.pyc")
        # PEP 552: flags 0b01 is hash-based and not checked against the source, which the zip's
        # 1980 timestamps would otherwise defeat.
        assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01, pyc
        assert pyc.read_bytes()[8:16] == importlib.util.source_hash(source.read_bytes()), pyc
