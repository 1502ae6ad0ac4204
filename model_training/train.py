"""Train, evaluate and package the Iris RandomForest.

    python -m model_training.train [--output-dir DIR] [--seed 42]
    python -m model_training.train --challenger     # another seed, into the challenger's folder

Writes ``model.tar.gz`` (what the endpoint serves), ``metrics.json`` and ``model_card.md``.
The data set is the copy bundled with scikit-learn, so nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from iris_contract import CLASS_NAMES, CLASSES, FEATURE_NAMES, FEATURES
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from model_training import artifact
from model_training.forest_export import forest_arrays, npz_bytes
from serving import inference

DEFAULT_OUTPUT_DIR = artifact.PATH.parent
DEFAULT_SEED = 42
# The challenger is the same recipe with another seed: a stand-in for a new model to compare.
CHALLENGER_SEED = 7
N_ESTIMATORS = 100
HOLDOUT_FRACTION = 0.2
CV_FOLDS = 5
MIN_HOLDOUT_ACCURACY = 0.9


@dataclass(frozen=True)
class TrainingResult:
    archive: Path
    archive_sha256: str
    model_version: str
    metrics: dict[str, Any]
    estimator: RandomForestClassifier


def load_data() -> tuple[np.ndarray, np.ndarray]:
    iris = load_iris()
    # The bundled data names its columns "sepal length (cm)" and so on; check the order matches ours.
    bundled = [name.replace(" (cm)", "").replace(" ", "_") for name in iris.feature_names]
    if tuple(bundled) != FEATURE_NAMES or tuple(iris.target_names) != CLASS_NAMES:
        raise RuntimeError(f"bundled Iris data {bundled}/{list(iris.target_names)} does not match the contract")
    return iris.data, iris.target


def train(output_dir: Path = DEFAULT_OUTPUT_DIR, seed: int = DEFAULT_SEED) -> TrainingResult:
    features, labels = load_data()
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=HOLDOUT_FRACTION, stratify=labels, random_state=seed
    )
    # n_jobs=1: tree building order, and so the artifact's bytes, must not depend on the machine.
    estimator = RandomForestClassifier(n_estimators=N_ESTIMATORS, random_state=seed, n_jobs=1)
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    cv_scores = cross_val_score(estimator, train_x, train_y, cv=folds)
    estimator.fit(train_x, train_y)

    metrics = evaluate(estimator, test_x, test_y, cv_scores)
    if metrics["holdout_accuracy"] < MIN_HOLDOUT_ACCURACY:
        raise RuntimeError(f"hold-out accuracy {metrics['holdout_accuracy']:.3f} is under {MIN_HOLDOUT_ACCURACY}")

    metadata = {
        "feature_names": list(FEATURE_NAMES),
        "class_names": list(CLASS_NAMES),
        "estimator": {"type": "RandomForestClassifier", "n_estimators": N_ESTIMATORS, "random_state": seed},
        "training": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit_learn": sklearn.__version__,
            "train_samples": int(train_y.size),
            "holdout_samples": int(test_y.size),
        },
        "holdout_accuracy": metrics["holdout_accuracy"],
    }
    built = artifact.build(npz_bytes(forest_arrays(estimator)), metadata)

    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / artifact.PATH.name
    archive.write_bytes(built.archive)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    (output_dir / "model_card.md").write_text(model_card(built.model_version, metadata, metrics))
    return TrainingResult(archive, built.sha256, built.model_version, metrics, estimator)


def evaluate(
    estimator: RandomForestClassifier, test_x: np.ndarray, test_y: np.ndarray, cv_scores: np.ndarray
) -> dict[str, Any]:
    predicted = estimator.predict(test_x)
    report = classification_report(test_y, predicted, target_names=list(CLASS_NAMES), output_dict=True)
    return {
        "holdout_accuracy": float(accuracy_score(test_y, predicted)),
        "cross_validation": {
            "folds": CV_FOLDS,
            "accuracy_mean": float(np.mean(cv_scores)),
            "accuracy_std": float(np.std(cv_scores)),
        },
        "per_class": {
            name: {
                "precision": float(report[name]["precision"]),
                "recall": float(report[name]["recall"]),
                "f1": float(report[name]["f1-score"]),
                "support": int(report[name]["support"]),
            }
            for name in CLASS_NAMES
        },
        "confusion_matrix": {
            "labels": list(CLASS_NAMES),
            "rows_are": "true class",
            "matrix": confusion_matrix(test_y, predicted).tolist(),
        },
    }


def model_card(model_version: str, metadata: dict[str, Any], metrics: dict[str, Any]) -> str:
    feature_rows = "\n".join(
        f"| `{f.name}` | {f.description} | {f.observed_min} - {f.observed_max} |" for f in FEATURES
    )
    class_rows = "\n".join(f"| {c.index} | `{c.name}` | {c.species} |" for c in CLASSES)
    metric_rows = "\n".join(
        f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        for name, m in metrics["per_class"].items()
    )
    cv = metrics["cross_validation"]
    training = metadata["training"]
    return f"""# Model card: Iris RandomForest

- **Model version:** `{model_version}`
- **Estimator:** RandomForestClassifier, {N_ESTIMATORS} trees, `random_state={metadata["estimator"]["random_state"]}`
- **Data:** the Iris data set bundled with scikit-learn; stratified hold-out of {training["holdout_samples"]} samples,
  {training["train_samples"]} for training.
- **Trained with:** Python {training["python"]}, numpy {training["numpy"]}, scikit-learn {training["scikit_learn"]}
- **Served by:** `{artifact.CODE_DIR}/{artifact.SERVING_PROGRAM}` (numpy only) from `{inference.FOREST_FILE}`;
  no pickle is loaded.

## Inputs (in this order)

| Feature | Description | Range in the training data |
|---------|-------------|-------|
{feature_rows}

## Outputs

| Class | Name | Flower species |
|-------|------|----------------|
{class_rows}

## Evaluation

Hold-out accuracy: **{metrics["holdout_accuracy"]:.3f}**.
{cv["folds"]}-fold cross-validation accuracy on the training split:
{cv["accuracy_mean"]:.3f} ± {cv["accuracy_std"]:.3f}.

| Class | Precision | Recall | F1 | Support |
|-------|-----------|--------|----|---------|
{metric_rows}

Confusion matrix (rows: true class, columns: predicted, order {", ".join(CLASS_NAMES)}):
`{metrics["confusion_matrix"]["matrix"]}`

## Limits

Iris measurements only. Values far outside the ranges above are still scored, but the forest
has never seen such flowers and its answer there means little.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--challenger", action="store_true", help="train the challenger (A/B) model")
    args = parser.parse_args(argv)
    output_dir = args.output_dir or (artifact.CHALLENGER_PATH if args.challenger else artifact.PATH).parent
    seed = args.seed if args.seed is not None else CHALLENGER_SEED if args.challenger else DEFAULT_SEED
    result = train(output_dir, seed)
    print(f"hold-out accuracy {result.metrics['holdout_accuracy']:.3f}", file=sys.stderr)
    print(f"model version      {result.model_version}", file=sys.stderr)
    print(f"wrote {result.archive} (sha256 {result.archive_sha256})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
