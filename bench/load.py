"""make load: locust, headless, drives the local stack with concurrent callers for a fixed time.

Starts the stack in its own process on free ports, runs locust against it, and reports requests
per second, p50 and p99 and failures. Passes only with zero failures and every request answered.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from pathlib import Path

USERS = int(os.environ.get("LOAD_USERS", "32"))
DURATION = os.environ.get("LOAD_DURATION", "20s")
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local stack did not come up at {url}")


def run() -> dict[str, float]:
    api_port, endpoint_port = _free_port(), _free_port()
    environment = {**os.environ, "LOCAL_API_PORT": str(api_port), "LOCAL_ENDPOINT_PORT": str(endpoint_port)}
    stack = subprocess.Popen(
        [sys.executable, "-m", "local_stack"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        host = f"http://127.0.0.1:{api_port}"
        _wait_until_up(f"{host}/health")
        with tempfile.TemporaryDirectory() as scratch:
            prefix = Path(scratch) / "load"
            locust = [
                *(str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless"),
                *("--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", DURATION, "--host", host),
                *("--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"),
            ]
            subprocess.run(locust, check=False, capture_output=True, timeout=600)  # noqa: S603
            with open(f"{prefix}_stats.csv", newline="") as stats_file:
                total = next(row for row in csv.DictReader(stats_file) if row["Name"] == "Aggregated")
    finally:
        stack.terminate()
        stack.wait(timeout=10)
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
    return figures


if __name__ == "__main__":
    result = run()
    sys.exit(0 if result["failures"] == 0 and result["requests"] > 0 else 1)
