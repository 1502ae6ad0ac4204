"""Nothing outlives the local stack: `make run` killed with SIGKILL leaves none of its processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from local_stack.lambda_environments import emulator_binary
from local_stack.serving_image import image_unavailable
from tests.helpers import GUIDE_CURL_BODY, ROOT, http

pytestmark = pytest.mark.integration

BANNER_END = "Ctrl-C stops everything."
API_LINE = "API (local API Gateway):"
START_SECONDS = 180
# gunicorn's workers notice their master is gone within a second or two; the rest die at once.
GONE_WITHIN_SECONDS = 15


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    # is_running() also tells a reused pid from the original process.
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_sigkill_of_the_stack_leaves_none_of_its_processes(model_artifact, tmp_path):
    # Given `make run` on free ports, with the function invoked once so its runtime runs too
    environment = {
        **os.environ,
        **{name: "0" for name in ("LOCAL_API_PORT", "LOCAL_ENDPOINT_PORT", "LOCAL_PAGE_PORT")},
        "MODEL_ARTIFACT": str(model_artifact),
        # Its temporary folders (the containers' /opt/ml), which a killed process cannot remove.
        "TMPDIR": str(tmp_path),
    }
    stack = subprocess.Popen(
        [sys.executable, "-m", "local_stack"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        api_url = None
        deadline = time.monotonic() + START_SECONDS
        for line in stack.stdout:  # type: ignore[union-attr]
            if API_LINE in line:
                api_url = line.split(API_LINE)[1].split()[0]
            if BANNER_END in line or time.monotonic() > deadline:
                break
        assert api_url, "the stack did not come up"
        status, _, body = http(f"{api_url}/predict", body=GUIDE_CURL_BODY, headers={"Content-Type": "application/json"})
        assert status == 200, json.dumps(body)
        descendants = psutil.Process(stack.pid).children(recursive=True)
        commands = [" ".join(process.cmdline()) for process in descendants]
    finally:
        # When SIGKILL stops it
        stack.send_signal(signal.SIGKILL)
        stack.wait()

    # Then every process it started, and theirs, is gone soon after
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while _alive(descendants) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [" ".join(p.cmdline()) for p in _alive(descendants)] == []
    # And those were the emulator's and the serving image's processes, where this machine runs them
    with_emulator = _emulator_runs()
    assert any("aws-lambda-rie" in command for command in commands) == with_emulator
    assert any("awslambdaric" in command for command in commands) == with_emulator
    assert any("gunicorn" in command for command in commands) == (image_unavailable() is None)


def _emulator_runs() -> bool:
    try:
        emulator_binary()
    except ValueError:
        return False
    return True
