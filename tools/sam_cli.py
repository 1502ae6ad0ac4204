"""Where this project's SAM CLI lives, and the environment `sam build` needs (python3.13 on PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAM = ROOT / ".venv-sam" / "bin" / "sam"


def python313_dir() -> str | None:
    found = shutil.which("python3.13")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True, check=False).returncode == 0:  # noqa: S603
        return str(Path(found).parent)
    candidates = sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))
    return str(candidates[-1].parent) if candidates else None


def sam_environment(python313: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{python313}:{os.environ['PATH']}", "SAM_CLI_TELEMETRY": "0"}
