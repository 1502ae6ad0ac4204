"""The local stack on free loopback ports, with real clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import endpoint_client
import pytest
from botocore.config import Config

from local_stack.container import ServingContainer
from local_stack.endpoint import SageMakerRuntime
from local_stack.serving import base_url, serve_in_background
from local_stack.settings import DEFAULT_ENDPOINT_NAME
from local_stack.stack import RunningStack, local_stack


@pytest.fixture(scope="session")
def endpoint_url(model_artifact: Path) -> Iterator[str]:
    container = ServingContainer(model_artifact)
    try:
        with serve_in_background(SageMakerRuntime({DEFAULT_ENDPOINT_NAME: container})) as server:
            yield base_url(server)
    finally:
        container.close()


@pytest.fixture
def runtime_client(endpoint_url: str):
    # No retries: a test should see the first answer the endpoint gives.
    config = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2, read_timeout=10)
    return boto3.client("sagemaker-runtime", endpoint_url=endpoint_url, region_name="us-east-1", config=config)


@pytest.fixture(scope="session")
def stack(model_artifact: Path) -> Iterator[RunningStack]:
    """The whole local stack on free ports, with the handler's client pointed at its endpoint.

    The unit tests may already have imported the handler (and created its client) in this
    process, so the client is swapped here, the way tests are meant to inject it.
    """
    with local_stack(model_artifact, endpoint_port=0, api_port=0) as running, pytest.MonkeyPatch.context() as patch:
        patch.setattr(endpoint_client, "runtime_client", handler_client(running.endpoint_url))
        yield running


def handler_client(endpoint_url: str, **overrides: float):
    """A client like the handler's own (same timeouts and retries), aimed at a local endpoint."""
    config = endpoint_client.CLIENT_CONFIG.merge(Config(**overrides)) if overrides else endpoint_client.CLIENT_CONFIG
    return boto3.client("sagemaker-runtime", endpoint_url=endpoint_url, region_name="us-east-1", config=config)
