"""The local stack on free loopback ports, with real clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from local_stack import settings
from local_stack.serving_image import ModelServing
from local_stack.stack import RunningStack, local_endpoint, local_stack, primary_only
from predict import endpoint_client
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import ALLOWED_ORIGINS, SECURED_STACK_KEY, handler_client


@pytest.fixture(scope="session")
def endpoint_url(model_artifact: Path, model_serving: ModelServing) -> Iterator[str]:
    with local_endpoint(
        primary_only(model_artifact), DEFAULT_ENDPOINT_NAME, settings.DEFAULT_HOST, 0, serving=model_serving
    ) as url:
        yield url


@pytest.fixture
def runtime_client(endpoint_url: str):
    # No retries: a test should see the first answer the endpoint gives.
    config = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2, read_timeout=10)
    return boto3.client("sagemaker-runtime", endpoint_url=endpoint_url, region_name=settings.REGION, config=config)


@pytest.fixture(scope="session")
def stack(model_artifact: Path, model_serving: ModelServing) -> Iterator[RunningStack]:
    """The whole local stack on free ports, as `make run` runs it: the function in the Lambda
    Runtime Interface Emulator where this machine has it, with the environment the stack gives it."""
    with local_stack(
        model_artifact,
        endpoint_port=0,
        api_port=0,
        page_port=0,
        allowed_origins=ALLOWED_ORIGINS,
        serving=model_serving,
    ) as running:
        print(f"\nthe local stack's function runs: {running.lambda_runtime}")
        yield running


@pytest.fixture(scope="session")
def secured_stacks(model_artifact: Path, model_serving: ModelServing) -> Iterator[dict[str, RunningStack]]:
    """The local stack in the template's two locked AuthModes: API_KEY (key SECURED_STACK_KEY) and IAM."""
    common = {
        "endpoint_port": 0,
        "api_port": 0,
        "serve_page": False,
        "allowed_origins": ALLOWED_ORIGINS,
        "serving": model_serving,
    }
    with (
        local_stack(model_artifact, auth_mode="API_KEY", api_key=SECURED_STACK_KEY, **common) as keyed,
        local_stack(model_artifact, auth_mode="IAM", **common) as iam,
    ):
        yield {"API_KEY": keyed, "IAM": iam}


@pytest.fixture(scope="session")
def stacks_by_auth_mode(stack: RunningStack, secured_stacks: dict[str, RunningStack]) -> dict[str, RunningStack]:
    """The local stack in each of the template's AuthModes."""
    return {"NONE": stack, **secured_stacks}


@pytest.fixture(scope="session")
def in_process_session(model_artifact: Path, model_serving: ModelServing) -> Iterator[RunningStack]:
    """The local stack with the function in this process (``predict``, the module the tests import)."""
    with local_stack(
        model_artifact,
        endpoint_port=0,
        api_port=0,
        allowed_origins=ALLOWED_ORIGINS,
        emulate=False,
        serve_page=False,
        serving=model_serving,
    ) as running:
        yield running


@pytest.fixture
def in_process_stack(in_process_session: RunningStack, monkeypatch: pytest.MonkeyPatch) -> RunningStack:
    """The in-process stack, its function's client given to it for this test.

    Each test runs with fake AWS settings (tests/conftest.py) and the function creates its client
    on first use, so the client is given to it here, the way tests are meant to inject it, and
    taken back after the test, so no other test meets it.
    """
    client = handler_client(in_process_session.endpoint_url)
    monkeypatch.setattr(endpoint_client, "runtime_client", lambda: client)
    return in_process_session


@pytest.fixture
def point_function_at(in_process_stack: RunningStack, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Aims the in-process stack's function at another endpoint URL, with client settings overridden if given."""

    def point(url: str, **overrides: float) -> None:
        client = handler_client(url, **overrides)
        monkeypatch.setattr(endpoint_client, "runtime_client", lambda: client)

    return point
