"""predict_fn (numpy, all trees at once) next to scikit-learn's predict_proba on the same forest."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from iris_contract import FEATURES

from bench.timing import interleaved_medians, microseconds
from model_training import artifact, inference, train

BATCH_SIZES = (1, 3, 1000)
TARGET_SINGLE_ROW_SPEEDUP = 50.0


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        trained = train.train(Path(scratch) / "model")
        model = inference.model_fn(str(artifact.unpack(trained.archive, Path(scratch) / "unpacked")))

    rng = np.random.default_rng(0)
    print("Model latency: predict_fn vs scikit-learn predict_proba (same forest, median of interleaved rounds)")
    print(f"  {'rows':>6}  {'predict_fn':>12}  {'scikit-learn':>14}  {'speed-up':>9}  identical")
    speedups = {}
    for rows in BATCH_SIZES:
        features = rng.uniform(
            [f.observed_min for f in FEATURES], [f.observed_max for f in FEATURES], size=(rows, len(FEATURES))
        )
        as_lists = features.tolist()
        ours = inference.predict_fn(as_lists, model)
        identical = np.array_equal(ours["probabilities"], trained.estimator.predict_proba(features)) and np.array_equal(
            ours["predictions"], trained.estimator.predict(features)
        )
        calls = {"ours": 2000 if rows < 100 else 50, "sklearn": 20 if rows < 100 else 5}
        medians = interleaved_medians(
            {
                "ours": lambda rows_=as_lists: inference.predict_fn(rows_, model),
                "sklearn": lambda x=features: trained.estimator.predict_proba(x),
            },
            calls,
        )
        speedups[rows] = medians["sklearn"] / medians["ours"]
        print(
            f"  {rows:>6}  {microseconds(medians['ours']):>12}  {microseconds(medians['sklearn']):>14}"
            f"  {speedups[rows]:>8.1f}x  {'yes' if identical else 'NO'}"
        )
    verdict = "meets" if speedups[1] >= TARGET_SINGLE_ROW_SPEEDUP else "MISSES"
    print(f"  single row: {speedups[1]:.1f}x faster, {verdict} the target of {TARGET_SINGLE_ROW_SPEEDUP:.0f}x")
    return {f"model_speedup_{rows}_rows": speedup for rows, speedup in speedups.items()}


if __name__ == "__main__":
    run()
