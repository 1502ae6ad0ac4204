"""Fixtures for the function's unit tests: its environment, a stubbed SageMaker client, its logs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

import pytest
from aws_lambda_powertools.metrics.provider import cold_start
from botocore.stub import Stubber

from predict import app, endpoint_client
from predict.settings import Settings, get_settings
from tests.helpers import ALLOWED_ORIGINS, RaisingClient


@pytest.fixture(autouse=True)
def function_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment template.yaml gives the function, read afresh for each test."""
    for name, value in Settings(allowed_origins=ALLOWED_ORIGINS).environment().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    app.metrics.clear_metrics()
    cold_start.reset_cold_start_flag()
    yield
    app.metrics.clear_metrics()


@pytest.fixture
def runtime_stub() -> Iterator[Stubber]:
    """botocore's Stubber on the function's own client: checks every parameter sent."""
    with Stubber(endpoint_client.runtime_client()) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def raising_client(monkeypatch: pytest.MonkeyPatch) -> Callable[[Exception], RaisingClient]:
    def install(error: Exception) -> RaisingClient:
        client = RaisingClient(error)
        monkeypatch.setattr(endpoint_client, "runtime_client", lambda: client)
        return client

    return install


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The function's structured log lines. Powertools binds stdout at import, so capsys misses them."""
    buffer = io.StringIO()
    handler = app.logger.registered_handler
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous)
