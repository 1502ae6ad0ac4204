"""Defaults of the local stack, each overridable by an environment variable (see the README)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ENDPOINT_PORT = 8080
DEFAULT_API_PORT = 3000  # what `sam local start-api` uses
DEFAULT_ENDPOINT_NAME = "iris-endpoint"
DEFAULT_MODEL_ARTIFACT = Path("build/model/model.tar.gz")
DEFAULT_REGION = "us-east-1"


def host() -> str:
    return os.environ.get("LOCAL_HOST", DEFAULT_HOST)


def endpoint_port() -> int:
    return int(os.environ.get("LOCAL_ENDPOINT_PORT", DEFAULT_ENDPOINT_PORT))


def api_port() -> int:
    return int(os.environ.get("LOCAL_API_PORT", DEFAULT_API_PORT))


def endpoint_name() -> str:
    return os.environ.get("ENDPOINT_NAME", DEFAULT_ENDPOINT_NAME)


def model_artifact() -> Path:
    return Path(os.environ.get("MODEL_ARTIFACT", DEFAULT_MODEL_ARTIFACT))
