"""The mutation report: score per file and every surviving mutant with its diff.

    python -m tools.mutation_report [--output build/mutation/report.md] [--fail-under 80]

Reads what ``mutmut run`` left in ``mutants/`` (``make mutation`` runs both), from the project
root. Statuses come from mutmut's per-file result files (``mutants/<file>.meta``, the files
``mutmut results`` and ``mutmut export-cicd-stats`` read) and its own exit-code table; diffs from
mutmut's own ``show``, in process.

Equivalent mutants (no test can tell them from the original) are kept out of the score, each with
its reason, in one of two ways:

- ``# pragma: no mutate <reason>`` on a line: mutmut generates no mutant for that line at all. The
  report lists every such line with the text after the pragma, so the reason stays visible.
- an entry in ``tools/mutation_equivalents.toml`` for one mutant, matched by its function and the
  line it changes (not by mutmut's number, which shifts when the function changes):

      [[equivalent]]
      function = "predict.parsing.x__raw_body"
      original = 'return body.encode("utf-8", errors="surrogatepass")'
      mutated = 'return body.encode("UTF-8", errors="surrogatepass")'
      reason = "Python's codec lookup ignores case"

  An entry that matches no survivor is reported as stale.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from project import BUILD, ROOT

MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
DEFAULT_OUTPUT = BUILD / "mutation" / "report.md"
# The statuses mutmut reports, in its words (mutmut.stats.status_by_exit_code), in table order.
COLUMNS = ("killed", "survived", "timeout", "no tests", "suspicious", "skipped", "segfault", "not checked")
PRAGMA = re.compile(r"#\s*pragma:.*\bno mutate\b:?\s*(?P<reason>.*)$")


@dataclass
class Mutant:
    name: str
    path: str
    status: str
    diff: str = ""
    equivalent_reason: str | None = None

    @property
    def function(self) -> str:
        return self.name.partition("__mutmut_")[0]

    def changed_lines(self) -> tuple[list[str], list[str]]:
        lines = self.diff.splitlines()
        removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
        added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
        return removed, added


@dataclass
class FileScore:
    path: str
    counts: Counter = field(default_factory=Counter)
    equivalent: int = 0

    @property
    def total(self) -> int:
        """Every mutant but the equivalent ones, which are counted apart."""
        return sum(self.counts.values())

    @property
    def score(self) -> float | None:
        return 100.0 * self.counts["killed"] / self.total if self.total else None


def status_table() -> dict[int | None, str]:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code


def read_mutants() -> tuple[list[str], list[Mutant]]:
    """The files mutmut mutated (also those it found nothing to mutate in), and every mutant."""
    statuses = status_table()
    paths, mutants = [], []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        path = str(meta.relative_to(MUTANTS).with_suffix(""))
        paths.append(path)
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        mutants += [Mutant(name, path, statuses[code]) for name, code in exit_codes.items()]
    return paths, mutants


def diff_of(mutant: Mutant) -> str:
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant
    except ImportError:  # another mutmut layout: its command line says the same
        shown = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "mutmut", "show", mutant.name], capture_output=True, text=True, check=True
        )
        return shown.stdout.split("\n", 1)[1].strip()
    return get_diff_for_mutant(mutant.name, path=mutant.path)


def load_equivalents() -> list[dict[str, str]]:
    if not EQUIVALENTS.exists():
        return []
    return tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])


def mark_equivalents(survivors: list[Mutant], entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """Marks the survivors the entries describe; returns the entries that matched none."""
    stale = []
    for entry in entries:
        matched = False
        for mutant in survivors:
            removed, added = mutant.changed_lines()
            if (
                mutant.function == entry["function"]
                and entry["original"].strip() in removed
                and entry["mutated"].strip() in added
            ):
                mutant.equivalent_reason = entry["reason"]
                matched = True
        if not matched:
            stale.append(entry)
    return stale


def pragma_lines(paths: list[str]) -> list[tuple[str, int, str]]:
    found = []
    for path in paths:
        for number, line in enumerate((ROOT / path).read_text().splitlines(), start=1):
            match = PRAGMA.search(line)
            if match:
                found.append((path, number, match["reason"].strip() or "(no reason given)"))
    return found


def scores(paths: list[str], mutants: list[Mutant]) -> dict[str, FileScore]:
    by_file = {path: FileScore(path) for path in paths}
    for mutant in mutants:
        score = by_file.setdefault(mutant.path, FileScore(mutant.path))
        if mutant.equivalent_reason is None:
            score.counts[mutant.status] += 1
        else:
            score.equivalent += 1
    return by_file


def render(
    by_file: dict[str, FileScore],
    survivors: list[Mutant],
    pragmas: list[tuple[str, int, str]],
    stale: list[dict[str, str]],
) -> str:
    header = ["file", "score", "total", *COLUMNS, "equivalent"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    overall = FileScore("**all**")
    for path in sorted(by_file):
        file_score = by_file[path]
        overall.counts.update(file_score.counts)
        overall.equivalent += file_score.equivalent
    for file_score in [*(by_file[p] for p in sorted(by_file)), overall]:
        score = "n/a" if file_score.score is None else f"{file_score.score:.1f}%"
        cells = [file_score.path, score, str(file_score.total)]
        cells += [str(file_score.counts[c]) for c in COLUMNS] + [str(file_score.equivalent)]
        rows.append("| " + " | ".join(cells) + " |")

    out = [
        "# Mutation report",
        "",
        "Score: killed / total, where total leaves out the mutants marked equivalent. A survivor is a",
        "change to the code that every test covering it still passes.",
        "",
        *rows,
    ]
    remaining = [m for m in survivors if m.equivalent_reason is None]
    by_path: dict[str, list[Mutant]] = defaultdict(list)
    for mutant in remaining:
        by_path[mutant.path].append(mutant)
    out += ["", f"## Survivors ({len(remaining)})"]
    for path in sorted(by_path):
        out += ["", f"### {path} ({len(by_path[path])})"]
        for mutant in by_path[path]:
            out += ["", f"`{mutant.name}` ({mutant.status})", "", "```diff", mutant.diff, "```"]

    equivalents = [m for m in survivors if m.equivalent_reason is not None]
    out += ["", f"## Equivalent mutants ({len(equivalents)}, from {EQUIVALENTS})", ""]
    out += [f"- `{m.name}`: {m.equivalent_reason}" for m in equivalents] or ["None."]
    if stale:
        out += ["", "Stale entries (they match no surviving mutant):", ""]
        out += [f"- `{e['function']}`: `{e['original']}` -> `{e['mutated']}`" for e in stale]
    out += ["", f"## Lines not mutated (`# pragma: no mutate`, {len(pragmas)})", ""]
    out += [f"- {path}:{line}: {reason}" for path, line, reason in pragmas] or ["None."]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--fail-under", type=float, help="exit 1 if the overall score is below this percentage")
    args = parser.parse_args(argv)

    paths, mutants = read_mutants()
    if not paths:
        print("no mutation results under mutants/: run `make mutation` (or `mutmut run`) first", file=sys.stderr)
        return 2
    # Everything not caught is listed with its diff: survivors and the statuses that hide one.
    survivors = [m for m in mutants if m.status in ("survived", "no tests", "suspicious", "not checked")]
    for mutant in survivors:
        mutant.diff = diff_of(mutant)
    stale = mark_equivalents([m for m in survivors if m.status == "survived"], load_equivalents())
    by_file = scores(paths, mutants)
    report = render(by_file, survivors, pragma_lines(paths), stale)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    table_end = report.index("\n## Survivors")
    print(report[:table_end])
    print(f"\nfull report with every survivor's diff: {args.output}")

    overall = FileScore("all")
    for file_score in by_file.values():
        overall.counts.update(file_score.counts)
        overall.equivalent += file_score.equivalent
    if args.fail_under is not None and (overall.score or 0.0) < args.fail_under:
        print(f"mutation score {overall.score:.1f}% is under {args.fail_under}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
