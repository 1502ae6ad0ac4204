"""The serving hooks next to scikit-learn's predict_proba on the same forest, at the API's row counts.

predict_fn gets what input_fn hands it for a JSON body (a float64 array), as in the container;
scikit-learn gets the same array. Both are timed in interleaved rounds (bench/timing.py).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from iris_contract import FEATURES
from sklearn.ensemble import RandomForestClassifier

from bench.report import figure
from bench.timing import interleaved_medians, microseconds
from model_training import artifact, train
from serving import inference

SPEEDUP_TARGETS = {1: 100.0, 1_000: 5.0, 10_000: 2.0}
# Calls per interleaved round, so that each round takes long enough to time.
CALLS = {1: (2000, 20), 1_000: (50, 5), 10_000: (10, 2)}
CHAIN_ROWS = 10_000
IDENTITY_ROWS = 10_000
MODEL_FN_TARGET_MS = 50.0
MODEL_FN_FRESH_RUNS = 7
ARTIFACT_TARGET_BYTES = 1024 * 1024
# Timed in a fresh interpreter from the unpacked artifact's own code/inference.py, as the container loads it.
FRESH_MODEL_FN = (
    "import sys, time; sys.path.insert(0, sys.argv[1] + '/code'); import inference; "
    "t = time.perf_counter(); inference.model_fn(sys.argv[1]); print(time.perf_counter() - t)"
)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        trained = train.train(Path(scratch) / "model")
        model_dir = artifact.unpack(trained.archive, Path(scratch) / "unpacked")
        model = inference.model_fn(str(model_dir))
        figures = _speedups(model, trained.estimator)
        figures |= _identity(model, trained.estimator)
        figures |= _hook_chain(model, trained.estimator)
        figures |= _model_fn(model_dir)
        size = trained.archive.stat().st_size
    figure(
        "artifact size (model.tar.gz)",
        f"{size / 1024:.1f} KB",
        f"< {ARTIFACT_TARGET_BYTES // 1024} KB",
        size < ARTIFACT_TARGET_BYTES,
    )
    return {**figures, "artifact_bytes": size}


def _rows(rng: np.random.Generator, count: int) -> np.ndarray:
    """Measurements across the observed ranges and beyond them on both sides (never negative)."""
    low = np.array([max(0.0, f.observed_min - 1.0) for f in FEATURES])
    high = np.array([f.observed_max * 1.5 for f in FEATURES])
    return rng.uniform(low, high, size=(count, len(FEATURES)))


def _speedups(model: inference.Model, estimator: RandomForestClassifier) -> dict[str, float]:
    rng = np.random.default_rng(0)
    print("Serving hooks: predict_fn vs scikit-learn predict_proba (same forest, medians of interleaved rounds)")
    print(f"  {'rows':>6}  {'predict_fn':>12}  {'scikit-learn':>14}  {'speed-up':>9}  bit for bit")
    figures = {}
    for rows, target in SPEEDUP_TARGETS.items():
        features = _rows(rng, rows)
        ours = inference.predict_fn(features, model)
        identical = _same_bits(ours["probabilities"], estimator.predict_proba(features)) and np.array_equal(
            ours["predictions"], estimator.predict(features)
        )
        ours_calls, sklearn_calls = CALLS[rows]
        medians = interleaved_medians(
            {
                "ours": lambda x=features: inference.predict_fn(x, model),
                "sklearn": lambda x=features: estimator.predict_proba(x),
            },
            {"ours": ours_calls, "sklearn": sklearn_calls},
        )
        speedup = medians["sklearn"] / medians["ours"]
        print(
            f"  {rows:>6}  {microseconds(medians['ours']):>12}  {microseconds(medians['sklearn']):>14}"
            f"  {speedup:>8.1f}x  {'yes' if identical else 'NO'}"
        )
        figure(
            f"predict_fn speed-up over predict_proba, {rows:,} row{'s' if rows > 1 else ''}",
            f"{speedup:.1f}x",
            f">= {target:g}x",
            speedup >= target,
        )
        figures[f"model_speedup_{rows}_rows"] = speedup
    return figures


def _same_bits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    return ours.dtype == theirs.dtype and ours.shape == theirs.shape and ours.tobytes() == theirs.tobytes()


def _boundary_rows(estimator: RandomForestClassifier, rng: np.random.Generator, count: int) -> np.ndarray:
    """Rows made of the forest's own thresholds and their float neighbours, where rounding would show."""
    columns = []
    for feature in range(len(FEATURES)):
        thresholds = np.unique(
            np.concatenate([tree.tree_.threshold[tree.tree_.feature == feature] for tree in estimator.estimators_])
        )
        candidates = np.concatenate([thresholds, np.nextafter(thresholds, -np.inf), np.nextafter(thresholds, np.inf)])
        columns.append(rng.choice(candidates, size=count))
    return np.column_stack(columns)


def _identity(model: inference.Model, estimator: RandomForestClassifier) -> dict[str, float]:
    rng = np.random.default_rng(1)
    features = np.vstack([_rows(rng, IDENTITY_ROWS), _boundary_rows(estimator, rng, IDENTITY_ROWS)])
    ours = inference.predict_fn(features, model)
    theirs = estimator.predict_proba(features)
    difference = float(np.max(np.abs(ours["probabilities"] - theirs)))
    identical = _same_bits(ours["probabilities"], theirs) and np.array_equal(
        ours["predictions"], estimator.predict(features)
    )
    figure(
        f"probabilities vs predict_proba on {len(features):,} rows (half on the thresholds and their neighbours)",
        f"max difference {difference}, bit for bit {'yes' if identical else 'NO'}",
        "bit for bit",
        identical,
    )
    return {"max_probability_difference": difference}


def _hook_chain(model: inference.Model, estimator: RandomForestClassifier) -> dict[str, float]:
    features = _rows(np.random.default_rng(2), CHAIN_ROWS)
    body = json.dumps({"instances": features.tolist()})
    parsed = inference.input_fn(body, inference.JSON)
    predicted = inference.predict_fn(parsed, model)
    steps: dict[str, Callable[[], object]] = {
        "input_fn": lambda: inference.input_fn(body, inference.JSON),
        "predict_fn": lambda: inference.predict_fn(parsed, model),
        "output_fn": lambda: inference.output_fn(predicted, inference.JSON),
        "chain": lambda: inference.output_fn(
            inference.predict_fn(inference.input_fn(body, inference.JSON), model), inference.JSON
        ),
        "sklearn": lambda: estimator.predict_proba(features),
    }
    medians = interleaved_medians(steps, dict.fromkeys(steps, 2))
    ratio = medians["chain"] / medians["sklearn"]
    print(f"Hook chain at {CHAIN_ROWS:,} rows: JSON body in ({len(body) / 1e6:.2f} MB), predict, JSON out")
    for name, seconds in medians.items():
        label = "predict_proba alone" if name == "sklearn" else name
        print(f"  {label:<20} {seconds * 1000:8.2f} ms")
    figure(
        f"hook chain (input_fn, predict_fn, output_fn) / predict_proba alone, {CHAIN_ROWS:,} rows",
        f"{ratio:.2f}",
        "< 1 (faster)",
        ratio < 1,
    )
    return {"hook_chain_ratio": ratio}


def _model_fn(model_dir: Path) -> dict[str, float]:
    warm = interleaved_medians({"model_fn": lambda: inference.model_fn(str(model_dir))}, {"model_fn": 5})["model_fn"]
    fresh = statistics.median(
        float(
            subprocess.run(  # noqa: S603 - this interpreter, our artifact's code
                [sys.executable, "-c", FRESH_MODEL_FN, str(model_dir)], capture_output=True, text=True, check=True
            ).stdout.split()[-1]
        )
        for _ in range(MODEL_FN_FRESH_RUNS)
    )
    target = f"< {MODEL_FN_TARGET_MS:g} ms"
    figure("model_fn, in a fresh interpreter", f"{fresh * 1000:.1f} ms", target, fresh * 1000 < MODEL_FN_TARGET_MS)
    figure("model_fn, again in a warm process", f"{warm * 1000:.1f} ms", target, warm * 1000 < MODEL_FN_TARGET_MS)
    return {"model_fn_fresh_seconds": fresh, "model_fn_warm_seconds": warm}


if __name__ == "__main__":
    run()
