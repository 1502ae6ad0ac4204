"""Fixtures for the function's unit tests: a stubbed SageMaker client, a context, a way to call."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import app
import endpoint_client
import pytest
from aws_lambda_powertools.metrics.provider import cold_start
from botocore.response import StreamingBody
from botocore.stub import Stubber

from local_stack.api_gateway import LambdaContext


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]  # lower-case names, multi-values joined with ", "
    body: Any


def call(event: dict[str, Any]) -> HttpAnswer:
    result = app.lambda_handler(event, LambdaContext("PredictFunction", 512, 20))
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ", ".join(str(v) for v in values)
    body = result.get("body")
    return HttpAnswer(result["statusCode"], headers, json.loads(body) if body else None)


def endpoint_answer(document: dict[str, Any] | bytes) -> dict[str, Any]:
    payload = document if isinstance(document, bytes) else json.dumps(document).encode()
    return {
        "Body": StreamingBody(io.BytesIO(payload), len(payload)),
        "ContentType": "application/json",
        "InvokedProductionVariant": "primary",
    }


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    app.metrics.clear_metrics()
    cold_start.reset_cold_start_flag()
    yield
    app.metrics.clear_metrics()


@pytest.fixture
def runtime_stub() -> Iterator[Stubber]:
    """botocore's Stubber on the function's own client: checks every parameter sent."""
    with Stubber(endpoint_client.runtime_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


class RaisingClient:
    """Stands in for the client where Stubber cannot: transport errors raised by botocore itself."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def invoke_endpoint(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise self.error


@pytest.fixture
def raising_client(monkeypatch: pytest.MonkeyPatch):
    def install(error: Exception) -> RaisingClient:
        client = RaisingClient(error)
        monkeypatch.setattr(endpoint_client, "runtime_client", client)
        return client

    return install


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch):
    """The function's structured log lines. Powertools binds stdout at import, so capsys misses them."""
    buffer = io.StringIO()
    handler = app.logger.registered_handler
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous)
