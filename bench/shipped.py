"""The function as it ships: `sam build`'s output, our modules' bytecode, and the Powertools layer.

`sam build` copies functions/ without any bytecode (aws-lambda-builders excludes *.pyc and
__pycache__), and `sam package` zips it with every entry dated 1980, so timestamp-checked bytecode
could not validate on Lambda anyway (aws-lambda-builders#924): every cold start compiles our modules
again, and /var/task is read-only, so nothing is kept. tools.sam_cli.compile_bytecode is the build
step that fixes it (`make build` runs it); ``with_bytecode`` applies it to a copy here.

The layer: ``layer_site`` lays out what Lambda mounts at /opt/python from the packages .venv-lambda
holds (Powertools 3.37.0 with its [all] extra and pydantic, as requirements/lambda.txt pins them),
minus what the layer's build removes because the runtime brings it (boto3 and its dependencies) and
what only the local emulator needs (awslambdaric).
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from project import LAMBDA_ENVIRONMENT, ROOT
from tools.sam_cli import SAM, compile_bytecode, python313_dir, runtime_python, sam_environment

LAMBDA_SITE_PACKAGES = LAMBDA_ENVIRONMENT / "lib" / "python3.13" / "site-packages"
# The layer's build deletes these, as the runtime provides them (Powertools' layer_v3/docker/Dockerfile).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "dateutil", "python_dateutil", "urllib3", "six", "jmespath")
# In .venv-lambda for the local emulator (and pip for the venv itself), never in the layer.
EMULATOR_PACKAGES = ("awslambdaric", "runtime_client", "snapshot_restore_py", "pip", "_distutils_hack", "__pycache__")
TASK_ROOT = "/var/task"


@cache
def built_function() -> Path | None:
    """`sam build`'s PredictFunction folder, built once per run into a temporary folder; None without SAM CLI."""
    python313 = python313_dir()
    if not SAM.exists() or python313 is None:
        return None
    scratch = Path(tempfile.mkdtemp(prefix="bench-sam-build-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    subprocess.run(  # noqa: S603
        [str(SAM), "build", "--build-dir", str(scratch / "build")],
        cwd=ROOT,
        env=sam_environment(python313),
        capture_output=True,
        check=True,
    )
    return scratch / "build" / "PredictFunction"


def with_bytecode(function_dir: Path, destination: Path) -> Path:
    """A copy of a built function with the build step applied."""
    shutil.copytree(function_dir, destination)
    compile_bytecode(destination)
    return destination


def layer_site(destination: Path, bytecode: bool) -> Path:
    """What the Powertools layer puts on sys.path (/opt/python), with checked-hash bytecode or none."""
    ignored = shutil.ignore_patterns("__pycache__")
    for entry in LAMBDA_SITE_PACKAGES.iterdir():
        if entry.name.split("-")[0].split(".")[0] in RUNTIME_PACKAGES + EMULATOR_PACKAGES:
            continue
        if entry.is_dir():
            shutil.copytree(entry, destination / entry.name, ignore=ignored)
        else:
            shutil.copy2(entry, destination / entry.name)
    if bytecode:
        # Checked-hash, the kind that survives a zip's timestamps. Not checked for success: like pip,
        # it leaves the few files it cannot compile (examples in other Python dialects) as source.
        subprocess.run(  # noqa: S603 - the runtime's interpreter on a copy of the layer
            [
                runtime_python(),
                "-m",
                "compileall",
                "-q",
                "-j",
                "0",
                "--invalidation-mode",
                "checked-hash",
                str(destination),
            ],
            check=False,
            capture_output=True,
        )
    return destination
