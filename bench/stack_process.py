"""The local stack in its own process on free ports, for benchmarks that drive it from outside."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from local_stack import settings
from local_stack.http_server import free_port


@dataclass(frozen=True)
class StackProcess:
    api_port: int
    endpoint_port: int

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


@contextmanager
def stack_process(startup_timeout: float = 120, lambda_mode: str = "") -> Iterator[StackProcess]:
    """``lambda_mode``: LOCAL_LAMBDA for the stack (emulator, in-process, or "" for its default)."""
    ports = StackProcess(free_port(), free_port())
    environment = {
        **os.environ,
        "LOCAL_API_PORT": str(ports.api_port),
        "LOCAL_ENDPOINT_PORT": str(ports.endpoint_port),
        "LOCAL_LAMBDA": lambda_mode,
        "LOCAL_PAGE_PORT": str(free_port()),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(f"{ports.api_url}/health", startup_timeout)
        yield ports
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local stack did not come up at {url}")


def local_runtime_client(endpoint_port: int) -> Any:
    """boto3's SageMaker Runtime client on the local endpoint, with the fake credentials it accepts."""
    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=f"http://127.0.0.1:{endpoint_port}",
        region_name=settings.REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local endpoint checks no signature
    )
