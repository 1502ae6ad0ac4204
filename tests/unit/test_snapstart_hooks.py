"""SnapStart runtime hooks: the SageMaker client is built before the snapshot and rebuilt after each restore."""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Callable, Iterator

import pytest

from predict import app, endpoint_client
from project import LAMBDA_PYTHON, ROOT


@pytest.fixture
def registered() -> Iterator[tuple[list[Callable[[], None]], list[Callable[[], None]]]]:
    before: list[Callable[[], None]] = []
    after: list[Callable[[], None]] = []
    app.register_snapshot_hooks(before.append, after.append)
    yield before, after
    endpoint_client.runtime_client.cache_clear()


def test_the_snapshot_holds_a_built_client(registered):
    before, _ = registered
    endpoint_client.runtime_client.cache_clear()

    for hook in reversed(before):  # Lambda runs before-snapshot hooks in reverse order of registration
        hook()

    assert endpoint_client.runtime_client.cache_info().currsize == 1


def test_a_restore_gives_the_environment_a_client_of_its_own(registered):
    before, after = registered
    for hook in reversed(before):
        hook()
    in_snapshot = endpoint_client.runtime_client()

    for hook in after:
        hook()

    restored = endpoint_client.runtime_client()
    assert restored is not in_snapshot
    assert restored.meta.service_model.service_name == "sagemaker-runtime"
    assert (restored.meta.config.read_timeout, restored.meta.config.retries) == (
        in_snapshot.meta.config.read_timeout,
        in_snapshot.meta.config.retries,
    )


def test_a_restore_reseeds_the_random_numbers_botocore_jitters_retries_with(registered):
    _, after = registered
    random.seed(42)
    snapshot_sequence = [random.random() for _ in range(3)]
    random.seed(42)

    for hook in after:
        hook()

    assert [random.random() for _ in range(3)] != snapshot_sequence


# What Lambda's python3.13 runtime does with a SnapStart function: awslambdaric imports the handler,
# runs the before-snapshot hooks, snapshots, and after a restore runs the after-restore hooks.
RUNTIME_SEQUENCE = """
import json
from awslambdaric import lambda_runtime_hooks_runner
import predict.app
from predict import endpoint_client
lambda_runtime_hooks_runner.run_before_snapshot()
in_snapshot = endpoint_client.runtime_client.cache_info().currsize
before = id(endpoint_client.runtime_client())
lambda_runtime_hooks_runner.run_after_restore()
print(json.dumps({"in_snapshot": in_snapshot, "rebuilt": id(endpoint_client.runtime_client()) != before}))
"""


def test_the_runtime_finds_the_hooks_when_it_imports_the_handler():
    if not LAMBDA_PYTHON.exists():
        pytest.skip(
            f"SKIPPED LOUDLY: the function's runtime is not installed at {LAMBDA_PYTHON} (make run installs it)"
        )
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(str(ROOT / folder) for folder in ("functions", "contract")),
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    completed = subprocess.run(
        [str(LAMBDA_PYTHON), "-c", RUNTIME_SEQUENCE],
        cwd=ROOT / "functions",
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == {"in_snapshot": 1, "rebuilt": True}
