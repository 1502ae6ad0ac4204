"""Defaults of the local stack, each overridable by an environment variable (see the README)."""

from __future__ import annotations

import os
from pathlib import Path

from functions.predict.settings import DEFAULT_ENDPOINT_NAME
from model_training import artifact

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ENDPOINT_PORT = 8080
DEFAULT_API_PORT = 3000  # what `sam local start-api` uses
# Where the local services say they are, in ARNs and log stream names.
REGION = "us-east-1"
ACCOUNT = "000000000000"


def host() -> str:
    return os.environ.get("LOCAL_HOST", DEFAULT_HOST)


def endpoint_port() -> int:
    return int(os.environ.get("LOCAL_ENDPOINT_PORT", DEFAULT_ENDPOINT_PORT))


def api_port() -> int:
    return int(os.environ.get("LOCAL_API_PORT", DEFAULT_API_PORT))


def endpoint_name() -> str:
    return os.environ.get("ENDPOINT_NAME", DEFAULT_ENDPOINT_NAME)


def model_artifact() -> Path:
    return Path(os.environ.get("MODEL_ARTIFACT", artifact.PATH))
