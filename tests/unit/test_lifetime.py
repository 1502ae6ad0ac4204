"""Children started with popen_tied die with the process that started them, and only then."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from local_stack.lifetime import popen_tied
from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")

# A parent that starts a tied child, says its pid, and waits to be killed.
PARENT = (
    "import sys, time; from local_stack.lifetime import popen_tied; "
    "child = popen_tied(['sleep', '60']); print(child.pid, flush=True); time.sleep(60)"
)


def test_a_child_dies_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))  # type: ignore[union-attr]

    parent.send_signal(signal.SIGKILL)
    parent.wait()

    child.wait(timeout=10)  # psutil.TimeoutExpired if it lives on
    assert not child.is_running()


def test_a_child_started_from_a_thread_that_ends_lives_on():
    # The kernel's parent-death signal follows the forking thread, so popen_tied must not fork on
    # the caller's: a request's thread ends long before the stack does.
    started: list[subprocess.Popen[bytes]] = []
    caller = threading.Thread(target=lambda: started.append(popen_tied(["sleep", "60"])))
    caller.start()
    caller.join()
    time.sleep(0.5)

    try:
        assert started[0].poll() is None
    finally:
        started[0].kill()
        started[0].wait()
