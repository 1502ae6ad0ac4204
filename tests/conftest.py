"""Fixtures shared by every test layer."""

from __future__ import annotations

import base64
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from model_training import inference, train

# What the function reads at import, set before any test module imports it (as Lambda sets its
# environment before init). Named origins, so CORS echo and Vary are exercised.
FUNCTION_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "ENDPOINT_NAME": "iris-endpoint",
    "ALLOWED_ORIGINS": "https://app.example.com,https://admin.example.com",
    "POWERTOOLS_SERVICE_NAME": "iris-gateway",
    "POWERTOOLS_METRICS_NAMESPACE": "IrisGateway",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
os.environ.update(FUNCTION_ENVIRONMENT)

ALLOWED_ORIGIN = "https://app.example.com"
EVENTS = Path(__file__).parent.parent / "events"
UNIT_TESTS = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests run with the network switched off, so an accidental AWS call fails loudly."""
    for item in items:
        if UNIT_TESTS in item.path.parents:
            item.add_marker(pytest.mark.disable_socket)


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, so no test can reach or bill a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> train.TrainingResult:
    """The real training run, once per session, into a temporary folder."""
    return train.train(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def model_dir(trained: train.TrainingResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(trained.archive) as archive:
        archive.extractall(directory, filter="data")
    return directory


@pytest.fixture(scope="session")
def served_model(model_dir: Path) -> dict[str, Any]:
    return inference.model_fn(str(model_dir))


@pytest.fixture(scope="session")
def model_artifact(trained: train.TrainingResult) -> Path:
    return trained.archive


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/, the same files `sam local invoke -e` and `make invoke` use."""
    return json.loads((EVENTS / f"{name}.json").read_text())


def with_body(
    event: dict[str, Any], body: bytes | str, content_type: str | None = "application/json"
) -> dict[str, Any]:
    """The event with another body (base64-encoded when it is not UTF-8, as API Gateway does)."""
    event = json.loads(json.dumps(event))
    raw = body.encode() if isinstance(body, str) else body
    try:
        event["body"], event["isBase64Encoded"] = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    return with_header(event, "Content-Type", content_type)


def with_header(event: dict[str, Any], name: str, value: str | None) -> dict[str, Any]:
    """Sets (or with None removes) a header in both places API Gateway puts it."""
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers.pop(name, None)
        if value is not None:
            headers[name] = value if headers is event["headers"] else [value]
    return event
