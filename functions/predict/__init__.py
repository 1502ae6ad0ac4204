"""The /predict Lambda function. Its modules import each other relatively, so the package is the
same code whether Lambda loads it as ``predict`` (CodeUri functions/) or the tests as
``functions.predict``."""
