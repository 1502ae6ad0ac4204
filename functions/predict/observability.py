"""The function's Logger and Metrics, created once.

Tracing is Lambda's own (``Tracing: Active`` in template.yaml), without an X-Ray SDK in the
function: docs/tracing.md says why. The endpoint's share of a request, which the X-Ray SDK's
botocore subsegment used to show, is the EndpointLatency metric and the ``endpoint_ms`` log field.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE (set in template.yaml), with the defaults below for local runs.
"""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "iris-gateway")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "IrisGateway")

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
# Refused requests publish no metrics of their own; that is expected, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def count_scored(
    instances: int, predictions: list[int], class_names: tuple[str, ...], variant: str, endpoint_ms: float
) -> None:
    """Rows scored, predicted classes and the endpoint's latency, by the production variant that scored them (A/B)."""
    if variant:
        metrics.add_dimension(name="variant", value=variant)
    metrics.add_metric(name="InstancesScored", unit=MetricUnit.Count, value=instances)
    metrics.add_metric(name="EndpointLatency", unit=MetricUnit.Milliseconds, value=endpoint_ms)
    for index, name in enumerate(class_names):
        count = predictions.count(index)
        if count:
            metrics.add_metric(name=f"Predicted_{name}", unit=MetricUnit.Count, value=count)


def count_endpoint_error(kind: str) -> None:
    # Its own EMF blob, so that "kind" is a dimension of this metric only.
    with single_metric(
        name="EndpointErrors",
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions={"service": SERVICE},
    ) as metric:
        metric.add_dimension(name="kind", value=kind)
