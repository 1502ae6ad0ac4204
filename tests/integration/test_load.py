"""A short locust run on the local stack: concurrent callers, zero failures, every request answered.
make load runs the longer one and reports the figures."""

from __future__ import annotations

import pytest

from bench import load

pytestmark = pytest.mark.integration


def test_concurrent_load_loses_nothing(monkeypatch, model_artifact):
    monkeypatch.setenv("MODEL_ARTIFACT", str(model_artifact))
    monkeypatch.setattr(load, "USERS", 16)
    monkeypatch.setattr(load, "DURATION", "4s")

    figures = load.run()

    # Every caller was answered, none failed; how many requests fit in the time is make load's to report.
    assert figures["requests"] >= load.USERS
    assert figures["failures"] == 0
