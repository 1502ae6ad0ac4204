"""make bench: every benchmark, printed, then written to docs/benchmarks.md with machine and date."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import end_to_end, handler_cost, load, model_latency, package_size

REPORT = Path("docs/benchmarks.md")
SECTIONS = [model_latency, handler_cost, end_to_end, package_size, load]


class Tee(io.TextIOBase):
    def __init__(self, *streams: io.TextIOBase) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


def main() -> None:
    captured = io.StringIO()
    with contextlib.redirect_stdout(Tee(sys.stdout, captured)):
        print(f"machine: {machine()}")
        for section in SECTIONS:
            section.run()
            print()
    REPORT.write_text(
        "# Benchmarks\n\n"
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
        "The machine is shared and noisy: read the ratios, which are measured side by side in one run,\n"
        "rather than the absolute figures.\n\n"
        f"```\n{captured.getvalue().rstrip()}\n```\n"
    )
    print(f"wrote {REPORT}", file=sys.stderr)


if __name__ == "__main__":
    main()
