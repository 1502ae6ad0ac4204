"""Every figure make bench prints next to its target, collected for the summary at the end of the run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    measured: str
    target: str = ""  # empty: reported for information, with nothing to meet
    met: bool | None = None

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "no target"
        return "meets" if self.met else "MISSES"


FIGURES: list[Figure] = []


def figure(name: str, measured: str, target: str = "", met: bool | None = None) -> Figure:
    """Prints one figure with its target and verdict, and keeps it for the summary."""
    found = Figure(name, measured, target, met)
    FIGURES.append(found)
    against = f"; target {target}: {found.verdict}" if target else ""
    print(f"  => {name}: {measured}{against}")
    return found


def summary() -> str:
    rows = [f"| {f.name} | {f.target or '-'} | {f.measured} | {f.verdict} |" for f in FIGURES]
    return "\n".join(["| Figure | Target | Measured | Verdict |", "|---|---|---|---|", *rows])
