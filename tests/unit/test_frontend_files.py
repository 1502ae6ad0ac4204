"""The page's files stay small enough to read whole: each file in frontend/ has at most 300 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack.static_site import FRONTEND

MOST_LINES = 300


@pytest.mark.parametrize("path", sorted(p for p in FRONTEND.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_no_file_in_frontend_is_over_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_LINES, f"{path.name} has {lines} lines: split it by job"


def test_the_check_sees_the_pages_files() -> None:
    assert {"index.html", "app.js", "batch.js", "batch-worker.js", "plot.js"} <= {p.name for p in FRONTEND.iterdir()}
