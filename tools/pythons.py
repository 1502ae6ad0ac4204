"""Finds a given Python interpreter on this machine: on PATH, or installed by pyenv.

    python3 -m tools.pythons 3.13    # prints its path, or exits 1

Standard library only: the Makefile asks it before any virtual environment exists.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def find_python(version: str) -> str | None:
    """The path of a working pythonX.Y, or None. pyenv's shims exist even for versions not selected."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True, check=False).returncode == 0:  # noqa: S603
        return found
    candidates = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    return str(candidates[-1]) if candidates else None


if __name__ == "__main__":
    path = find_python(sys.argv[1])
    if path:
        print(path)
    raise SystemExit(0 if path else 1)
