"""Child processes that end with the local stack, however it ends: Ctrl-C, SIGTERM or SIGKILL.

Each child gets the parent-death signal (Linux's ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), set in the
child between fork and exec, so the kernel kills it when the stack dies, even when the stack had
no chance to clean up. The kernel sends that signal when the *thread* that forked the child ends,
not the process; so every child is forked from one thread that lives as long as the process, never
from a request's thread. Grandchildren are each child's to tie: gunicorn's workers leave when their
master is gone, and the Lambda emulator's runtime when the emulator is.

Written by hand: the standard library has no parent-death option, and it is a few lines of ctypes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# One long-lived thread forks every tied child (see above).
_forking_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="child-processes")


def _die_with(parent: int) -> Callable[[], None] | None:
    """What the child runs before exec: ask for SIGKILL when the parent dies, and die now if it
    already has (it may end between fork and prctl)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork: no imports in the child

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)

    return arm


def popen_tied(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command, **options)``, killed by the kernel if this process dies first
    (on Linux; elsewhere a plain Popen, and the caller's own stop() is all there is)."""
    arm = _die_with(os.getpid())
    return _forking_thread.submit(subprocess.Popen, command, preexec_fn=arm, **options).result()
