"""Fixtures shared by every test layer: no real AWS, and the real training run once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.serving_image import ModelServing, choose_serving, image_unavailable
from model_training import artifact, train
from serving import inference
from tests.helpers import SharedContainers

UNIT_TESTS = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests run with the network switched off, so an accidental AWS call fails loudly."""
    for item in items:
        if UNIT_TESTS in item.path.parents:
            item.add_marker(pytest.mark.disable_socket)


@pytest.fixture(scope="session", autouse=True)
def no_aws_from_the_shell() -> Iterator[None]:
    """The shell's AWS profile and endpoints never reach a test. Removed once, for the session, so
    that a local stack running the function in this process keeps the endpoint it sets for it
    (LOCAL_LAMBDA=in-process, or a machine without the emulator) from one test to the next."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"):
            patch.delenv(name, raising=False)
        yield


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


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> train.TrainingResult:
    """The real training run, once per session, into a temporary folder."""
    return train.train(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def model_dir(trained: train.TrainingResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return artifact.unpack(trained.archive, tmp_path_factory.mktemp("unpacked"))


@pytest.fixture(scope="session")
def served_model(model_dir: Path) -> dict[str, Any]:
    return inference.model_fn(str(model_dir))


@pytest.fixture(scope="session")
def model_artifact(trained: train.TrainingResult) -> Path:
    return trained.archive


@pytest.fixture(scope="session")
def challenger_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second model to serve next to the first (A/B), as `make challenger` trains it."""
    return train.train(tmp_path_factory.mktemp("challenger"), seed=train.CHALLENGER_SEED).archive


@pytest.fixture(scope="session")
def model_serving() -> Iterator[ModelServing]:
    """How the session's local endpoints run their containers, as `make run` does: the serving
    image's code where it is installed, else in this process. Each container starts once and is
    shared by every stack on the same artifact."""
    chosen = choose_serving()
    print(f"\nthe local endpoint's model runs: {chosen.described}")
    shared = SharedContainers(chosen.start)
    try:
        yield ModelServing(shared, chosen.described)
    finally:
        shared.close()


@pytest.fixture(scope="session")
def image_serving(model_serving: ModelServing) -> ModelServing:
    """model_serving, for tests of the serving image's own behaviour: skipped, saying so, without it."""
    reason = image_unavailable()
    if reason is not None:
        pytest.skip(f"SKIPPED LOUDLY: {reason}")
    return model_serving
