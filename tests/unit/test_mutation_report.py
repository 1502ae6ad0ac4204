"""tools/mutation_report.py: how survivors are matched to the equivalents file and scored, and
that every equivalent still names code that exists (so a stale entry shows up without a 25-minute run)."""

from __future__ import annotations

import importlib
import inspect

import pytest

from tools import mutation_report
from tools.mutation_report import FileScore, Mutant, mark_equivalents, scores

ENTRIES = mutation_report.load_equivalents()


def _diff(original: str, mutated: str) -> str:
    return f"--- a.py\n+++ a.py\n@@ -1,3 +1,3 @@\n def f():\n-    {original}\n+    {mutated}\n     return x\n"


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['function']}:{e['mutated']}"[-70:] for e in ENTRIES])
def test_every_equivalent_names_a_line_of_its_function_as_it_is_today(entry):
    module_name, _, mangled = entry["function"].rpartition(".")
    function = getattr(importlib.import_module(module_name), mangled.removeprefix("x_"))
    source_lines = [line.strip() for line in inspect.getsource(function).splitlines()]

    assert entry["original"].strip() in source_lines
    assert entry["mutated"].strip() != entry["original"].strip()
    assert len(entry["reason"]) > 20


def test_a_survivor_matching_an_entry_is_equivalent_and_leaves_the_score():
    survivors = [
        Mutant("m.x_f__mutmut_1", "m.py", "survived", _diff("y = a + b", "y = a - b")),
        Mutant("m.x_f__mutmut_2", "m.py", "survived", _diff("y = a + b", "y = a * b")),
        Mutant("m.x_g__mutmut_1", "m.py", "survived", _diff("y = a + b", "y = a - b")),
    ]
    killed = [Mutant(f"m.x_f__mutmut_{n}", "m.py", "killed") for n in range(3, 9)]
    entries = [
        {"function": "m.x_f", "original": "y = a + b", "mutated": "y = a - b", "reason": "r1"},
        {"function": "m.x_h", "original": "z = 1", "mutated": "z = 2", "reason": "r2"},
    ]

    stale = mark_equivalents(survivors, entries)
    by_file = scores(["m.py"], survivors + killed)

    assert [m.equivalent_reason for m in survivors] == ["r1", None, None]
    assert stale == [entries[1]]
    assert (by_file["m.py"].total, by_file["m.py"].equivalent, by_file["m.py"].counts["survived"]) == (8, 1, 2)
    assert by_file["m.py"].score == pytest.approx(75.0)


def test_a_file_with_nothing_to_mutate_has_no_score():
    assert FileScore("empty.py").score is None
