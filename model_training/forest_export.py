"""Turns a fitted RandomForestClassifier into the arrays inference.py scores with (``iris-gateway-forest/2``).

A forest is constant on each cell of the grid its split thresholds draw: in a cell every tree
reaches the same leaf. So the export is

- ``bounds``, ``bound_counts``: per feature (concatenated, in feature order) the sorted float64
  bounds ``b`` such that scikit-learn sends ``x`` right at some split exactly when ``x > b``;
- ``rows``: the distinct ``predict_proba`` rows the forest can give, shape (distinct rows, classes);
- ``cell_rows``: for each cell, C-order over the features, the index of its row in ``rows``.

The rows are computed by scikit-learn's own ``predict_proba`` at one point inside each cell, so
the served probabilities are its floats bit for bit, whatever order it sums the trees in.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree._tree import TREE_LEAF

# A fixed timestamp keeps the .npz (a zip file) byte-identical between runs.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# The table holds one entry per cell. The Iris forest's 281,600 cells deflate to about 50 kB (0.2 byte
# a cell), so around this many the artifact would pass 1 MB: refuse rather than ship a huge table.
MAX_CELLS = 4_000_000
# Cells per predict_proba call while filling the table, to bound memory.
CHUNK_CELLS = 200_000


def forest_arrays(forest: RandomForestClassifier) -> dict[str, np.ndarray]:
    n_features = forest.n_features_in_
    thresholds = [_float32_thresholds(forest, feature) for feature in range(n_features)]
    cells = int(np.prod([t.size + 1 for t in thresholds], dtype=np.int64))
    if cells > MAX_CELLS:
        raise ValueError(f"the forest's threshold grid has {cells} cells, more than the {MAX_CELLS} this format stores")
    table = _cell_probabilities(forest, thresholds)
    flat = table.reshape(-1, table.shape[-1])
    # Distinct rows by bit pattern, so equal-looking floats such as 0.0 and -0.0 stay apart.
    bits = np.ascontiguousarray(flat).view(np.uint64)
    _, first, inverse = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    rows = flat[first]
    index_type = np.uint16 if rows.shape[0] <= np.iinfo(np.uint16).max + 1 else np.uint32
    arrays = {
        "bounds": np.concatenate([_float64_bounds(t) for t in thresholds]).astype(np.float64),
        "bound_counts": np.asarray([t.size for t in thresholds], dtype=np.int64),
        "cell_rows": inverse.reshape(-1).astype(index_type),
        "rows": np.ascontiguousarray(rows, dtype=np.float64),
    }
    _check_round_trip(arrays, thresholds, table)
    return arrays


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz that np.load(allow_pickle=False) reads, with sorted entries and fixed timestamps.

    Written here rather than with np.savez because np.savez stamps each entry with the current time.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            array_buffer = io.BytesIO()
            np.lib.format.write_array(array_buffer, np.asarray(arrays[name], order="C"), allow_pickle=False)
            archive.writestr(entry, array_buffer.getvalue())
    return buffer.getvalue()


def _float32_thresholds(forest: RandomForestClassifier, feature: int) -> np.ndarray:
    """The distinct thresholds on ``feature``, each rounded down to float32 (sorted, float32).

    A tree sends ``x`` left when ``float32(x) <= t`` with ``t`` a float64. For a float32 ``v``,
    ``v <= t`` exactly when ``v <= t32``, ``t32`` the largest float32 not above ``t``, so only
    ``t32`` matters (and two float64 thresholds may share one).
    """
    found = [
        e.tree_.threshold[(e.tree_.children_left != TREE_LEAF) & (e.tree_.feature == feature)]
        for e in forest.estimators_
    ]
    thresholds = np.unique(np.concatenate(found).astype(np.float64))
    rounded = thresholds.astype(np.float32)
    above = rounded.astype(np.float64) > thresholds
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return np.unique(rounded)


def _float64_bounds(thresholds32: np.ndarray) -> np.ndarray:
    """For each float32 ``t32``, the largest float64 ``b`` with ``float32(b) <= t32``.

    Values between ``t32`` and the next float32 round to the nearer one; the midpoint (exact in
    float64) rounds to the one with an even significand. So ``b`` is the midpoint when that is
    ``t32``, else the float64 just below it. Then ``float32(x) <= t32`` exactly when ``x <= b``.
    """
    up = np.nextafter(thresholds32, np.float32(np.inf))
    midpoint = (thresholds32.astype(np.float64) + up.astype(np.float64)) / 2
    bounds = np.where(midpoint.astype(np.float32) == thresholds32, midpoint, np.nextafter(midpoint, -np.inf))
    # The top float32 has no float32 above it; inputs past it are refused before scoring anyway.
    bounds = np.where(np.isinf(up), thresholds32.astype(np.float64), bounds)
    finite_up = ~np.isinf(up)
    if not (
        np.all(bounds.astype(np.float32) == thresholds32)
        and np.all(np.nextafter(bounds[finite_up], np.inf).astype(np.float32) == up[finite_up])
    ):
        raise AssertionError("float32 rounding bounds do not separate the thresholds")
    return bounds


def _representatives(thresholds32: np.ndarray) -> np.ndarray:
    """One float64 value inside each interval: each threshold itself (it goes left), then one float32 above the last."""
    above_last = np.nextafter(thresholds32[-1:], np.float32(np.inf)) if thresholds32.size else np.zeros(1, np.float32)
    return np.concatenate([thresholds32, above_last]).astype(np.float64)


def _cell_probabilities(forest: RandomForestClassifier, thresholds: list[np.ndarray]) -> np.ndarray:
    """predict_proba at one point of every cell, shaped (intervals of feature 0, ..., classes)."""
    axes = [_representatives(t) for t in thresholds]
    shape = tuple(axis.size for axis in axes)
    flat_cells = np.arange(int(np.prod(shape)))
    probabilities = np.empty((flat_cells.size, forest.n_classes_), dtype=np.float64)
    for start in range(0, flat_cells.size, CHUNK_CELLS):
        index = np.unravel_index(flat_cells[start : start + CHUNK_CELLS], shape)
        points = np.column_stack([axes[feature][index[feature]] for feature in range(len(axes))])
        probabilities[start : start + CHUNK_CELLS] = forest.predict_proba(points)
    return probabilities.reshape((*shape, forest.n_classes_))


def _check_round_trip(arrays: dict[str, np.ndarray], thresholds: list[np.ndarray], table: np.ndarray) -> None:
    """Each cell's representative point must find its own cell through the bounds, and its own row."""
    bounds = np.split(arrays["bounds"], np.cumsum(arrays["bound_counts"])[:-1])
    for feature, feature_bounds in enumerate(bounds):
        representatives = _representatives(thresholds[feature])
        if not np.array_equal(np.searchsorted(feature_bounds, representatives), np.arange(representatives.size)):
            raise AssertionError("bounds and representative points disagree")
    served = arrays["rows"][arrays["cell_rows"].astype(np.intp)]
    expected = table.reshape(served.shape)
    if not np.array_equal(served.view(np.uint64), np.ascontiguousarray(expected).view(np.uint64)):
        raise AssertionError("the cell table does not give back the probabilities it was built from")
