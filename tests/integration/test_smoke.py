"""make smoke, the post-deploy check, passes against the local stack and fails when it should."""

from __future__ import annotations

import pytest

from tools import smoke

pytestmark = pytest.mark.integration

GOOD = {"predictions": [0, 1, 2], "probabilities": [[1.0, 0.0, 0.0], [0.0, 0.99, 0.01], [0.0, 0.0, 1.0]]}


def test_smoke_passes_against_the_local_stack(stack, capsys):
    assert smoke.main([f"{stack.api_url}/predict"]) == 0
    assert "smoke: OK" in capsys.readouterr().out


def test_smoke_fails_on_a_wrong_route(stack):
    assert smoke.main([f"{stack.api_url}/nowhere"]) == 1


@pytest.mark.parametrize(
    ("status", "answer", "problem"),
    [
        (502, {"message": "x"}, "status 502"),
        (200, {**GOOD, "predictions": [0, 2, 2]}, "predictions [0, 2, 2]"),
        (200, {**GOOD, "probabilities": GOOD["probabilities"][:2]}, "2 rows of probabilities"),
        (200, {**GOOD, "probabilities": [[0.5, 0.4, 0.4], *GOOD["probabilities"][1:]]}, "sums to"),
        (200, {**GOOD, "probabilities": [[0.0, 1.0, 0.0], *GOOD["probabilities"][1:]]}, "highest probability"),
        (200, {**GOOD, "probabilities": [[1.5, -0.5, 0.0], *GOOD["probabilities"][1:]]}, "is not 3 probabilities"),
    ],
)
def test_each_kind_of_bad_answer_is_reported(status, answer, problem):
    problems = smoke.problems_with(status, answer)

    assert any(problem in found for found in problems), problems


def test_a_good_answer_has_no_problems():
    assert smoke.problems_with(200, GOOD) == []
