"""make load: locust, headless, drives the local stack with concurrent callers for a fixed time.

Starts the stack in its own process on free ports, warms it up, runs locust against it, and reports
requests per second, p50 and p99 and failures. Passes only with zero failures and every request answered.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.report import figure
from bench.stack_process import stack_process

USERS = int(os.environ.get("LOAD_USERS", "32"))
DURATION = os.environ.get("LOAD_DURATION", "20s")
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WARM_UP_CALLERS = 8
WARM_UP_BODY = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'


def _warm_up(api_url: str) -> None:
    """Concurrent requests before the timed run, so that it measures warm instances: each function
    instance's init, and each serving worker's model_fn (the image loads it on a worker's first request)."""
    request = urllib.request.Request(  # noqa: S310 - the local stack's http:// URL
        f"{api_url}/predict", data=WARM_UP_BODY, headers={"Content-Type": "application/json"}, method="POST"
    )

    def call(_: int) -> None:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local stack
            response.read()

    with ThreadPoolExecutor(max_workers=WARM_UP_CALLERS) as pool:
        list(pool.map(call, range(WARM_UP_CALLERS * 4)))


def run() -> dict[str, float]:
    with stack_process() as stack, tempfile.TemporaryDirectory() as scratch:
        _warm_up(stack.api_url)
        prefix = Path(scratch) / "load"
        locust = [
            *(str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless"),
            *("--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", DURATION, "--host", stack.api_url),
            *("--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"),
        ]
        subprocess.run(locust, check=False, capture_output=True, timeout=600)  # noqa: S603
        with open(f"{prefix}_stats.csv", newline="") as stats_file:
            total = next(row for row in csv.DictReader(stats_file) if row["Name"] == "Aggregated")
    figures = {
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
    }
    print(f"Load: locust, {USERS} concurrent callers for {DURATION} against the local stack (one process)")
    print(
        f"  {figures['requests']:.0f} requests, {figures['failures']:.0f} failures, {figures['rps']:.0f} requests/s,"
        f" p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms"
    )
    figure(
        f"load, {USERS} callers for {DURATION}: failures",
        f"{figures['failures']:.0f} of {figures['requests']:.0f}",
        "0, and requests answered",
        figures["failures"] == 0 and figures["requests"] > 0,
    )
    figure(
        f"load, {USERS} callers for {DURATION}: throughput and latency",
        f"{figures['rps']:.0f} requests/s, p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms",
    )
    return figures


if __name__ == "__main__":
    result = run()
    sys.exit(0 if result["failures"] == 0 and result["requests"] > 0 else 1)
