"""Where this project's SAM CLI lives, and the environment `sam build` needs (python3.13 on PATH)."""

from __future__ import annotations

import os
from pathlib import Path

from tools.pythons import find_python

ROOT = Path(__file__).resolve().parent.parent
SAM = ROOT / ".venv-sam" / "bin" / "sam"


def python313_dir() -> str | None:
    """The folder of the function runtime's interpreter, for sam build's PATH."""
    python = find_python("3.13")
    return str(Path(python).parent) if python else None


def sam_environment(python313: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{python313}:{os.environ['PATH']}", "SAM_CLI_TELEMETRY": "0"}
