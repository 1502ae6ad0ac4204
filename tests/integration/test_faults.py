"""Endpoint faults through the whole local stack: each has its status, a JSON error with the
request id, CORS headers, and a bounded time. The worst case is printed at the end of the run.

The function runs in this process here, so each test can aim its client at the fault injector
(and once with a shorter read timeout); everything else about the stack is as `make run` has it."""

from __future__ import annotations

import json
import time

import pytest

from local_stack.http_server import base_url, free_port, serve_in_background
from local_stack.sagemaker_container import ServingContainer
from local_stack.sagemaker_runtime import Endpoint, SageMakerRuntime
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import ALLOWED_ORIGIN, predict
from tests.integration.faults import FAULTS, Fault, FaultInjector

pytestmark = pytest.mark.integration

# Documented in the README's error table.
EXPECTED = {
    "throttled": (503, "2"),
    "model_not_ready": (503, "2"),
    "service_unavailable": (503, "2"),
    "internal_failure": (502, None),
    "model_error": (502, None),
    "model_code_raising": (502, None),
    "html_body": (502, None),
    "truncated_body": (502, None),
    "slow": (504, None),
    "slow_production_timeouts": (504, None),
    "refused": (503, "2"),
    "unknown_endpoint": (502, None),
}
# The slow fault runs against the handler's own client with a shorter read timeout, to keep the
# suite fast; the bound scales with it.
SLOW_READ_TIMEOUT = 0.3
WORST_CASE: dict[str, float] = {}
# The README's "Timeouts" paragraph, written out: reads within 6 s, at most 2 attempts with at most
# 1 s of backoff between them, so the client gives up within 15 s.
DOCUMENTED_READ_TIMEOUT = 6
DOCUMENTED_ATTEMPTS = 2
DOCUMENTED_BACKOFF = 1
DOCUMENTED_GIVE_UP = 15


@pytest.fixture(scope="module")
def injector(model_artifact):
    container = ServingContainer(model_artifact)
    injector = FaultInjector(SageMakerRuntime({DEFAULT_ENDPOINT_NAME: Endpoint.single(container)}))
    try:
        with serve_in_background(injector) as server:
            injector.url = base_url(server)
            yield injector
    finally:
        container.close()


@pytest.fixture(scope="module", autouse=True)
def report_worst_case():
    yield
    if WORST_CASE:
        slowest = max(WORST_CASE, key=WORST_CASE.get)
        lines = [f"  {name:<26} {seconds * 1000:9.1f} ms" for name, seconds in sorted(WORST_CASE.items())]
        print("\nFault injection, time to answer through the local stack:\n" + "\n".join(lines))
        print(f"  worst case: {slowest} {WORST_CASE[slowest] * 1000:.1f} ms")


def _timed(stack, name):
    started = time.perf_counter()
    status, headers, body = predict(stack.api_url)
    WORST_CASE[name] = time.perf_counter() - started
    return status, headers, body


def _assert_documented_error(name, status, headers, body):
    expected_status, retry_after = EXPECTED[name]
    assert status == expected_status
    assert headers.get("Retry-After") == retry_after
    assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert set(body) == {"message", "errors", "requestId"}
    assert body["requestId"] == headers["x-amzn-RequestId"]
    assert "Traceback" not in json.dumps(body)


@pytest.mark.parametrize("name", [n for n in FAULTS if n != "slow"])
def test_endpoint_fault(in_process_stack, injector, point_function_at, monkeypatch, name):
    point_function_at(injector.url)
    monkeypatch.setattr(injector, "fault", FAULTS[name])

    status, headers, body = _timed(in_process_stack, name)

    _assert_documented_error(name, status, headers, body)
    assert WORST_CASE[name] < DOCUMENTED_GIVE_UP


def test_endpoint_slower_than_the_read_timeout(in_process_stack, injector, point_function_at, monkeypatch):
    point_function_at(injector.url, read_timeout=SLOW_READ_TIMEOUT)
    monkeypatch.setattr(injector, "fault", FAULTS["slow"])

    status, headers, body = _timed(in_process_stack, "slow")

    _assert_documented_error("slow", status, headers, body)
    # Both attempts waited out their read timeout, and nothing waited longer.
    waited = DOCUMENTED_ATTEMPTS * SLOW_READ_TIMEOUT
    assert waited <= WORST_CASE["slow"] < waited + DOCUMENTED_BACKOFF + 0.5


def test_endpoint_slower_than_the_production_read_timeout(in_process_stack, injector, point_function_at, monkeypatch):
    # The real client settings, once: the longest a caller can ever wait on a hung endpoint.
    slower = DOCUMENTED_READ_TIMEOUT + 1
    point_function_at(injector.url)
    monkeypatch.setattr(injector, "fault", Fault(200, None, b"{}", delay_seconds=slower))

    status, headers, body = _timed(in_process_stack, "slow_production_timeouts")

    _assert_documented_error("slow_production_timeouts", status, headers, body)
    waited = DOCUMENTED_ATTEMPTS * DOCUMENTED_READ_TIMEOUT
    assert waited <= WORST_CASE["slow_production_timeouts"] < DOCUMENTED_GIVE_UP


def test_endpoint_refusing_connections(in_process_stack, point_function_at):
    point_function_at(f"http://127.0.0.1:{free_port()}")

    status, headers, body = _timed(in_process_stack, "refused")

    _assert_documented_error("refused", status, headers, body)


class RaisingModel:
    """A container whose hooks raise, so the local endpoint builds a real ModelError itself."""

    def invoke(self, body: bytes, content_type: str, accept: str) -> None:
        raise RuntimeError("disk full at /opt/ml/model")


def test_model_code_raising(in_process_stack, injector, point_function_at, monkeypatch):
    point_function_at(injector.url)
    monkeypatch.setattr(injector.app, "endpoints", {DEFAULT_ENDPOINT_NAME: Endpoint.single(RaisingModel())})

    status, headers, body = _timed(in_process_stack, "model_code_raising")

    _assert_documented_error("model_code_raising", status, headers, body)
    assert "disk full" not in json.dumps(body)


def test_unknown_endpoint_name(in_process_stack, injector, point_function_at, monkeypatch):
    point_function_at(injector.url)
    monkeypatch.setattr(injector.app, "endpoints", {})

    status, headers, body = _timed(in_process_stack, "unknown_endpoint")

    _assert_documented_error("unknown_endpoint", status, headers, body)
    assert "misconfigured" in body["message"]
