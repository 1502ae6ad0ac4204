"""This project's SAM CLI (in .venv-sam), run with the environment it needs.

    python -m tools.sam_cli validate --lint
    python -m tools.sam_cli build
    python -m tools.sam_cli deploy [Name=Value ...]   # parameters; ModelDataUrl from `make publish-model`

`sam build` needs the function's runtime (python3.13) on PATH; a region must be set even for
offline commands; telemetry is off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools.publish_model import PUBLISHED_URI_FILE
from tools.pythons import find_python

ROOT = Path(__file__).resolve().parent.parent
SAM = ROOT / ".venv-sam" / "bin" / "sam"
FUNCTION_RUNTIME = "3.13"
DEFAULT_REGION = "us-east-1"


def python313_dir() -> str | None:
    """The folder of the function runtime's interpreter, for sam build's PATH."""
    python = find_python(FUNCTION_RUNTIME)
    return str(Path(python).parent) if python else None


def sam_environment(python313: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{python313}:{os.environ['PATH']}",
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
    }


def main(arguments: list[str]) -> int:
    python313 = python313_dir()
    if python313 is None:
        print(f"sam: no python{FUNCTION_RUNTIME} here; sam build needs the function's runtime", file=sys.stderr)
        return 2
    if arguments[:1] == ["deploy"]:
        arguments = ["deploy", "--parameter-overrides", f"ModelDataUrl={published_uri()}", *arguments[1:]]
    completed = subprocess.run([str(SAM), *arguments], cwd=ROOT, env=sam_environment(python313), check=False)  # noqa: S603
    return completed.returncode


def published_uri() -> str:
    if not (ROOT / PUBLISHED_URI_FILE).exists():
        raise SystemExit("sam: nothing published yet; run `make publish-model` first")
    return (ROOT / PUBLISHED_URI_FILE).read_text().strip()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
