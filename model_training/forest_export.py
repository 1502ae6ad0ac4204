"""Turns a fitted RandomForestClassifier into the plain arrays that inference.py walks.

All trees share one set of node arrays; ``roots[t]`` is where tree ``t`` starts. A leaf points
to itself with an infinite threshold, so the serving code can walk every tree ``max_depth``
steps without knowing where each one ends.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree._tree import TREE_LEAF

# A fixed timestamp keeps the .npz (a zip file) byte-identical between runs.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def forest_arrays(forest: RandomForestClassifier) -> dict[str, np.ndarray]:
    roots, features, thresholds, children, leaf_probas = [], [], [], [], []
    offset = 0
    for estimator in forest.estimators_:
        tree = estimator.tree_
        is_leaf = tree.children_left == TREE_LEAF
        own_index = np.arange(tree.node_count) + offset
        left = np.where(is_leaf, own_index, tree.children_left + offset)
        right = np.where(is_leaf, own_index, tree.children_right + offset)
        roots.append(offset)
        features.append(np.where(is_leaf, 0, tree.feature))
        thresholds.append(np.where(is_leaf, np.inf, tree.threshold))
        children.append(np.column_stack([left, right]).ravel())
        # Since scikit-learn 1.4 a classifier's tree_.value holds class fractions, which is
        # exactly what DecisionTreeClassifier.predict_proba returns for a leaf.
        leaf_probas.append(tree.value[:, 0, : forest.n_classes_])
        offset += tree.node_count
    return {
        "roots": np.asarray(roots, dtype=np.int64),
        "feature": np.concatenate(features).astype(np.int64),
        "threshold": np.concatenate(thresholds).astype(np.float64),
        "children": np.concatenate(children).astype(np.int64),
        "leaf_proba": np.concatenate(leaf_probas).astype(np.float64),
        "max_depth": np.asarray(max(e.tree_.max_depth for e in forest.estimators_), dtype=np.int64),
    }


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
