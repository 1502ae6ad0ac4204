"""Small timing helpers: interleaved rounds, so a noisy neighbour slows both sides alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call_seconds(function: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def interleaved_medians(
    candidates: dict[str, Callable[[], object]], calls: dict[str, int], rounds: int = 15
) -> dict[str, float]:
    """Median seconds per call of each candidate, measured round-robin in the same run."""
    for function in candidates.values():
        function()  # warm caches and lazy imports outside the measurement
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, function in candidates.items():
            samples[name].append(per_call_seconds(function, calls[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def taking_turns_ms(calls: dict[str, Callable[[], object]], rounds: int, warm_up: int) -> dict[str, float]:
    """Median milliseconds of one call of each, the calls taking turns call by call (a noisy
    neighbour slows them alike), after ``warm_up`` unmeasured turns."""
    for _ in range(warm_up):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}
