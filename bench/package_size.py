"""The function's deployment package as `sam build` makes it, zipped, with and without the build
step's bytecode (bench/shipped.py)."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from bench import shipped
from bench.report import figure

TARGET_BYTES = 100 * 1024


def zipped_size(function_dir: Path, package: Path) -> int:
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(function_dir.rglob("*")):
            archive.write(path, path.relative_to(function_dir))
    return package.stat().st_size


def run() -> dict[str, float]:
    built = shipped.built_function()
    if built is None:
        print("Function package: not measured (needs .venv-sam and python3.13; `make sam-cli`)")
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        sizes = {
            "as sam build makes it": zipped_size(built, Path(scratch) / "built.zip"),
            "with our bytecode": zipped_size(
                shipped.with_bytecode(built, Path(scratch) / "compiled"), Path(scratch) / "compiled.zip"
            ),
        }
    print("Function package (sam build, zipped)")
    for name, size in sizes.items():
        figure(f"function package, {name}", f"{size / 1024:.1f} KB", "< 100 KB", size < TARGET_BYTES)
    return {f"package_bytes_{name}": size for name, size in sizes.items()}


if __name__ == "__main__":
    run()
