"""The whole request path on this machine: local API Gateway -> real handler -> boto3 -> local endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from local_stack import settings
from local_stack.api_gateway import TEMPLATE, LocalRestApi
from local_stack.container import ServingContainer
from local_stack.endpoint import SageMakerRuntime
from local_stack.serving import base_url, serve_in_background

# The local stack never signs with real credentials, whatever the shell has.
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": settings.DEFAULT_REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
}


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    endpoint_url: str
    endpoint_name: str


def prepare_environment(endpoint_url: str, endpoint_name: str, allowed_origins: str | None) -> None:
    """What the handler reads at import: set before it is imported, as Lambda sets it before init."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(LOCAL_AWS_ENVIRONMENT)
    os.environ["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = endpoint_url
    os.environ["ENDPOINT_NAME"] = endpoint_name
    if allowed_origins is not None:
        os.environ["ALLOWED_ORIGINS"] = allowed_origins


@contextmanager
def local_endpoint(artifact: Path, endpoint_name: str, host: str, port: int) -> Iterator[str]:
    container = ServingContainer(artifact)
    try:
        with serve_in_background(SageMakerRuntime({endpoint_name: container}), host, port) as server:
            yield base_url(server)
    finally:
        container.close()


@contextmanager
def local_stack(
    artifact: Path | None = None,
    endpoint_name: str | None = None,
    host: str | None = None,
    endpoint_port: int | None = None,
    api_port: int | None = None,
    allowed_origins: str | None = None,
    template: Path = TEMPLATE,
) -> Iterator[RunningStack]:
    """Starts the endpoint, points the handler's environment at it, then serves the API."""
    artifact = artifact or settings.model_artifact()
    endpoint_name = endpoint_name or settings.endpoint_name()
    host = host or settings.host()
    with ExitStack() as running:
        endpoint_url = running.enter_context(
            local_endpoint(
                artifact, endpoint_name, host, settings.endpoint_port() if endpoint_port is None else endpoint_port
            )
        )
        prepare_environment(endpoint_url, endpoint_name, allowed_origins)
        api = LocalRestApi.from_template(template)
        api_server = running.enter_context(
            serve_in_background(api, host, settings.api_port() if api_port is None else api_port)
        )
        yield RunningStack(base_url(api_server), endpoint_url, endpoint_name)
