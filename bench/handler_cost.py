"""The handler's own cost per request: the endpoint replaced by one that answers instantly.

What remains is the function's work: API Gateway event in, parsing and validation, the endpoint's
JSON passed through, logs and metrics written. The cold start is bench/cold_start.py's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable
from typing import Any

from bench.report import figure
from bench.timing import interleaved_medians, microseconds
from local_stack.cloudformation import load_template
from local_stack.lambda_runtime import LambdaContext
from project import ROOT

TARGET_HANDLER_MICROSECONDS = 300
ONE_ROW_EVENT = ROOT / "events" / "predict-one-row.json"
# What Lambda sets that the function's libraries read.
LAMBDA_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "PredictFunction",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "POWERTOOLS_SERVICE_NAME": "iris-gateway",
    "POWERTOOLS_METRICS_NAMESPACE": "IrisGateway",
}


class CannedEndpoint:
    """Answers InvokeEndpoint instantly, so only the handler's own work is timed."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def invoke_endpoint(self, **_: Any) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.body), "ContentType": "application/json", "InvokedProductionVariant": "primary"}


def handler_call(event: dict[str, Any], answer: bytes) -> Callable[[], None]:
    """One request to the handler in this process, the endpoint answering ``answer`` at once."""
    os.environ.update(LAMBDA_ENVIRONMENT)
    from predict import app, endpoint_client

    canned = CannedEndpoint(answer)
    (function,) = load_template().functions.values()
    context = LambdaContext.for_function(function)
    app.logger.registered_handler.setStream(io.StringIO())

    def one_request() -> None:
        endpoint_client.runtime_client = lambda: canned
        with contextlib.redirect_stdout(io.StringIO()):  # the EMF metrics line
            response = app.lambda_handler(event, context)
        assert response["statusCode"] == 200, response["body"][:200]

    return one_request


def handler_seconds(event: dict[str, Any], answer: bytes, calls: int) -> float:
    """Median seconds the handler takes for ``event`` when the endpoint answers ``answer`` at once."""
    return interleaved_medians({"handler": handler_call(event, answer)}, {"handler": calls})["handler"]


def run() -> dict[str, float]:
    event = json.loads(ONE_ROW_EVENT.read_text())
    answer = {"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]], "classes": ["a", "b", "c"], "model_version": "v"}
    cost = handler_seconds(event, json.dumps(answer).encode(), calls=500)
    print("Handler cost per request (one row, endpoint answered instantly, logs and metrics on)")
    figure(
        "handler's own cost, one row",
        microseconds(cost),
        f"<= {TARGET_HANDLER_MICROSECONDS} µs",
        cost * 1e6 <= TARGET_HANDLER_MICROSECONDS,
    )
    return {"handler_seconds": cost}


if __name__ == "__main__":
    run()
