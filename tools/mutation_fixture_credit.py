"""A pytest plugin for `make mutation` only: [tool.mutmut] pytest_add_cli_args loads it with -p.

mutmut links each function to the tests that ran while it was called, and uses that to choose the
tests for each of its mutants. A session-scoped fixture runs once, in the setup of the first test
that asks for it, so the code it calls (model_fn and _prepared_forest, through served_model) would
be linked to that one test only, and their mutants never meet the tests that score with the model.
While mutmut collects its stats, this credits what a session- or module-scoped fixture ran to every
test that uses the fixture. At any other time (pytest alone, or a mutant's run) it does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Fixture name -> the functions mutmut saw called while that fixture was set up.
_called_by_fixture: dict[str, set[str]] = {}


def _collecting_stats() -> bool:
    return os.environ.get("MUTANT_UNDER_TEST") == "stats"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> Iterator[None]:
    if not _collecting_stats() or fixturedef.scope == "function":
        return (yield)
    from mutmut.state import state

    before = set(state()._stats)
    try:
        return (yield)
    finally:
        _called_by_fixture[fixturedef.argname] = set(state()._stats) - before


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if not _collecting_stats():
        return
    from mutmut.state import state

    for name in getattr(item, "fixturenames", ()):
        state()._stats.update(_called_by_fixture.get(name, ()))
