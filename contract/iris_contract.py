"""The model contract: features, classes and their order, as the operator guide defines them.

This is the one place they are written down. Training writes them into the artifact's metadata
(which is what the serving code reads); the function, the local stack, the tools and the tests
import this module as the ``iris-contract`` distribution (``contract/pyproject.toml``), which
``sam build`` installs into the function's package. Standard library only, because it
ships inside the Lambda package.
"""

from __future__ import annotations

from typing import NamedTuple


class Feature(NamedTuple):
    name: str
    description: str
    observed_min: float
    observed_max: float


class IrisClass(NamedTuple):
    index: int
    name: str
    species: str


# Order matters: it is the column order of every row the endpoint accepts.
FEATURES: tuple[Feature, ...] = (
    Feature("sepal_length", "Length of sepal in cm", 4.3, 7.9),
    Feature("sepal_width", "Width of sepal in cm", 2.0, 4.4),
    Feature("petal_length", "Length of petal in cm", 1.0, 6.9),
    Feature("petal_width", "Width of petal in cm", 0.1, 2.5),
)
FEATURE_NAMES: tuple[str, ...] = tuple(feature.name for feature in FEATURES)

CLASSES: tuple[IrisClass, ...] = (
    IrisClass(0, "setosa", "Iris Setosa"),
    IrisClass(1, "versicolor", "Iris Versicolor"),
    IrisClass(2, "virginica", "Iris Virginica"),
)
CLASS_NAMES: tuple[str, ...] = tuple(iris_class.name for iris_class in CLASSES)

# The guide's worked example: one row of each species, in class order.
GUIDE_EXAMPLE_INSTANCES: tuple[tuple[float, ...], ...] = (
    (5.1, 3.5, 1.4, 0.2),
    (6.2, 2.9, 4.3, 1.3),
    (7.7, 3.0, 6.1, 2.3),
)
GUIDE_EXAMPLE_PREDICTIONS: tuple[int, ...] = (0, 1, 2)

# A sanity bound, not a range: the largest Iris measurement is under 8 cm, so anything over this
# is almost certainly millimetres or garbage. Values between the observed ranges and the bound are
# still scored; the model card says how little such answers mean.
MAX_MEASUREMENT_CM = 30.0
