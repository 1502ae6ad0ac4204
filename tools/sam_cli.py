"""This project's SAM CLI (in .venv-sam), run with the environment it needs.

    python -m tools.sam_cli validate --lint
    python -m tools.sam_cli build                     # then hash-based bytecode for our modules
    python -m tools.sam_cli deploy [Name=Value ...]   # parameters; ModelDataUrl from `make publish-model`

`sam build` needs the function's runtime (python3.13) on PATH; a region must be set even for
offline commands; telemetry is off.

After `sam build`, ``compile_bytecode`` adds bytecode for our modules to the build output, which
`sam deploy` zips: `sam build` copies no bytecode, and the zip dates every entry 1980, so Python's
usual timestamp-checked bytecode could never be used on Lambda (aws-lambda-builders#924) and every
cold start would compile our modules again. Hash-based bytecode (PEP 552, ``unchecked-hash``) is
written from the very files that ship, so it cannot be stale, and nothing is checked at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from project import ROOT, SAM_ENVIRONMENT
from tools.publish_model import PUBLISHED_URI_FILE
from tools.pythons import find_python

SAM = SAM_ENVIRONMENT / "bin" / "sam"
FUNCTION_RUNTIME = "3.13"
DEFAULT_REGION = "us-east-1"
BUILD_DIR = ROOT / ".aws-sam" / "build"
# Where Lambda puts the function's code, for the file names tracebacks show.
TASK_ROOT = "/var/task"


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


def runtime_python() -> str:
    """The function runtime's interpreter, which bytecode for the function must come from."""
    python = find_python(FUNCTION_RUNTIME)
    if python is None:
        raise RuntimeError(f"no python{FUNCTION_RUNTIME} here to compile bytecode for the function's runtime")
    return python


def compile_bytecode(function_dir: Path) -> None:
    """Hash-based bytecode for every module in a built function, by the function's runtime version."""
    subprocess.run(  # noqa: S603 - the runtime's interpreter on our own build output
        [
            runtime_python(),
            *("-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"),
            *("-s", str(function_dir), "-p", TASK_ROOT),
            str(function_dir),
        ],
        check=True,
    )


def main(arguments: list[str]) -> int:
    python313 = python313_dir()
    if python313 is None:
        print(f"sam: no python{FUNCTION_RUNTIME} here; sam build needs the function's runtime", file=sys.stderr)
        return 2
    if arguments[:1] == ["deploy"]:
        arguments = ["deploy", "--parameter-overrides", f"ModelDataUrl={published_uri()}", *arguments[1:]]
    completed = subprocess.run([str(SAM), *arguments], cwd=ROOT, env=sam_environment(python313), check=False)  # noqa: S603
    if completed.returncode == 0 and arguments[:1] == ["build"] and "--build-dir" not in arguments:
        for function_dir in (path for path in BUILD_DIR.iterdir() if path.is_dir()):
            compile_bytecode(function_dir)
    return completed.returncode


def published_uri() -> str:
    if not (ROOT / PUBLISHED_URI_FILE).exists():
        raise SystemExit("sam: nothing published yet; run `make publish-model` first")
    return (ROOT / PUBLISHED_URI_FILE).read_text().strip()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
