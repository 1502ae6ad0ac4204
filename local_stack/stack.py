"""The whole request path on this machine: local API Gateway -> the function -> boto3 -> local endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from functions.predict.settings import ANY_ORIGIN
from local_stack import settings
from local_stack.api_gateway import LocalRestApi
from local_stack.cloudformation import TEMPLATE, load_rest_api
from local_stack.http_server import base_url, serve_in_background
from local_stack.lambda_runtime import InProcessFunctions
from local_stack.sagemaker_container import ServingContainer
from local_stack.sagemaker_runtime import SageMakerRuntime

# The local stack never signs with real credentials, whatever the shell has.
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": settings.REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
}


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    endpoint_url: str
    endpoint_name: str
    functions: InProcessFunctions


def function_environment(endpoint_url: str, endpoint_name: str, allowed_origins: str) -> dict[str, str]:
    """What the function reads from its environment, pointed at the local endpoint."""
    return {
        **LOCAL_AWS_ENVIRONMENT,
        "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": endpoint_url,
        "ENDPOINT_NAME": endpoint_name,
        "ALLOWED_ORIGINS": allowed_origins,
    }


def prepare_environment(environment: dict[str, str]) -> None:
    """Sets the function's environment in this process, as Lambda sets it before init."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(environment)


@contextmanager
def local_endpoint(artifact: Path, endpoint_name: str, host: str, port: int) -> Iterator[str]:
    """The local SageMaker Runtime serving ``artifact`` as ``endpoint_name``; yields its URL."""
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
    """Starts the endpoint, gives the function its environment, then serves the API."""
    artifact = artifact or settings.model_artifact()
    endpoint_name = endpoint_name or settings.endpoint_name()
    host = host or settings.host()
    allowed_origins = allowed_origins or ANY_ORIGIN
    api = load_rest_api(template)
    with ExitStack() as running:
        endpoint_url = running.enter_context(
            local_endpoint(
                artifact, endpoint_name, host, settings.endpoint_port() if endpoint_port is None else endpoint_port
            )
        )
        prepare_environment(function_environment(endpoint_url, endpoint_name, allowed_origins))
        functions = InProcessFunctions(api.functions)
        gateway = LocalRestApi.from_spec(api, functions, allowed_origins)
        api_server = running.enter_context(
            serve_in_background(gateway, host, settings.api_port() if api_port is None else api_port)
        )
        yield RunningStack(base_url(api_server), endpoint_url, endpoint_name, functions)
