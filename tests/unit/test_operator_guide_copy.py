"""docs/operator-guide.md is the seed's operator guide as it is: the integration tests run its
commands as written there (tests/integration/test_operator_guide.py)."""

from __future__ import annotations

import pytest

from project import ROOT
from tests.helpers import OPERATOR_GUIDE, guide_blocks

SEED = ROOT.parent / "shared" / "seed" / "operator-guide.md"


def test_the_copy_is_the_seeds_guide_unchanged():
    if not SEED.exists():
        pytest.skip(f"SKIPPED LOUDLY: no seed at {SEED} in this checkout")
    assert OPERATOR_GUIDE.read_bytes() == SEED.read_bytes()


def test_each_operator_section_has_the_commands_the_tests_run():
    # Monitoring (three), Updating the Model (the Python snippet), Scaling (one block of two commands).
    assert len(guide_blocks("Monitoring")) == 3
    (snippet,) = guide_blocks("Updating the Model")
    assert "sm.update_endpoint(" in snippet
    (scaling,) = guide_blocks("Auto Scaling (via AWS Console or CLI)")
    assert scaling.count("aws application-autoscaling ") == 2


def test_placeholders_are_filled_from_the_templates_defaults():
    (status,) = guide_blocks("Check Endpoint Status")

    assert "{{" not in status
    assert "--endpoint-name iris-endpoint" in status
    assert "--region us-east-1" in status
