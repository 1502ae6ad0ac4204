"""The function's deployment package as `sam build` makes it, zipped."""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
from pathlib import Path

from tools.sam_cli import SAM, python313_dir, sam_environment

TARGET_BYTES = 100 * 1024


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        python313 = python313_dir()
        if not SAM.exists() or python313 is None:
            print("Function package: not measured (needs .venv-sam and python3.13; `make sam-cli`)")
            return {}
        subprocess.run(  # noqa: S603
            [str(SAM), "build", "--build-dir", f"{scratch}/build"],
            env=sam_environment(python313),
            capture_output=True,
            check=True,
        )
        built = Path(scratch) / "build" / "PredictFunction"
        package = Path(scratch) / "function.zip"
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(built.rglob("*")):
                archive.write(path, path.relative_to(built))
        size = package.stat().st_size
    verdict = "meets" if size < TARGET_BYTES else "MISSES"
    print(f"Function package (sam build, zipped): {size / 1024:.1f} KB; {verdict} the target of under 100 KB")
    return {"package_bytes": size}


if __name__ == "__main__":
    run()
