"""make bench: every benchmark, printed, then written to docs/benchmarks.md with machine and date, and
every figure again at the end, next to its target."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    cold_start,
    end_to_end,
    facade_batch,
    handler_cost,
    load,
    model_latency,
    operations,
    package_size,
    preflight,
    report,
    serving_image,
)
from project import ROOT

REPORT = ROOT / "docs" / "benchmarks.md"
# What the figures need said about them, appended to the report as it is.
NOTES = Path(__file__).with_name("notes.md")
SECTIONS = [
    model_latency,
    serving_image,
    handler_cost,
    facade_batch,
    end_to_end,
    preflight,
    cold_start,
    package_size,
    load,
    operations,
]


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
        print(report.summary())
    details, summary = captured.getvalue().rstrip().rsplit("\n\n", 1)
    REPORT.write_text(
        "# Benchmarks\n\n"
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
        "The machine is shared and noisy: read the ratios, which are measured side by side in one run,\n"
        "rather than the absolute figures.\n\n"
        f"{summary}\n\n"
        f"```\n{details}\n```\n"
        f"{NOTES.read_text()}"
    )
    print(f"wrote {REPORT}", file=sys.stderr)


if __name__ == "__main__":
    main()
