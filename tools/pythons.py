"""Finds a given Python interpreter on this machine: on PATH, or installed by pyenv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def find_python(version: str) -> str | None:
    """The path of a working pythonX.Y, or None. pyenv's shims exist even for versions not selected."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True, check=False).returncode == 0:  # noqa: S603
        return found
    candidates = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    return str(candidates[-1]) if candidates else None
