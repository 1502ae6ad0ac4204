"""The handler's own cost per request (endpoint replaced by a canned answer), and its import time.

Import time is measured in fresh interpreters with the environment Lambda gives a function
(LAMBDA_TASK_ROOT and friends, which select the X-Ray SDK's Lambda code path), alternating with
a bare `import boto3` plus client creation, so both see the same machine load.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.timing import interleaved_medians, microseconds
from local_stack.cloudformation import load_template
from local_stack.lambda_runtime import LambdaContext

# The function's code folder (CodeUri), the task root Lambda imports the handler from.
FUNCTION_DIR = Path("functions").resolve()
TARGET_HANDLER_MICROSECONDS = 300
TARGET_IMPORT_RATIO = 1.3
IMPORT_RUNS = 11
LAMBDA_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "LAMBDA_TASK_ROOT": str(FUNCTION_DIR),
    "AWS_LAMBDA_FUNCTION_NAME": "PredictFunction",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "POWERTOOLS_SERVICE_NAME": "iris-gateway",
    "POWERTOOLS_METRICS_NAMESPACE": "IrisGateway",
}
TIMED_IMPORT = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
STATEMENTS = {
    "handler module": "import predict.app",
    # The libraries the function is required to use, set up as it sets them up, without its own code.
    "required libraries alone": (
        "import boto3; boto3.client('sagemaker-runtime'); "
        "from aws_lambda_powertools import Logger, Metrics, Tracer; "
        "from aws_lambda_powertools.event_handler import APIGatewayRestResolver; "
        "from pydantic import BaseModel; "
        "Tracer(patch_modules=['botocore']); Logger(); Metrics(namespace='IrisGateway')"
    ),
    "import boto3 + client": "import boto3; boto3.client('sagemaker-runtime')",
}


class CannedEndpoint:
    """Answers InvokeEndpoint instantly, so only the handler's own work is timed."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def invoke_endpoint(self, **_: Any) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.body), "ContentType": "application/json"}


def handler_cost() -> float:
    os.environ.update({**LAMBDA_ENVIRONMENT, "POWERTOOLS_TRACE_DISABLED": "true"})
    from functions.predict import app, endpoint_client

    event = json.loads(Path("events/predict-one-row.json").read_text())
    answer = {"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]], "classes": ["a", "b", "c"], "model_version": "v"}
    canned = CannedEndpoint(json.dumps(answer).encode())
    endpoint_client.runtime_client = lambda: canned
    (function,) = load_template().functions.values()
    context = LambdaContext.for_function(function)
    app.logger.registered_handler.setStream(io.StringIO())

    def one_request() -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # the EMF metrics line
            response = app.lambda_handler(event, context)
        assert response["statusCode"] == 200

    return interleaved_medians({"handler": one_request}, {"handler": 500})["handler"]


def import_times() -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    environment = {**os.environ, **LAMBDA_ENVIRONMENT}
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    for _ in range(IMPORT_RUNS):
        for name, statement in STATEMENTS.items():
            completed = subprocess.run(  # noqa: S603
                [sys.executable, "-c", TIMED_IMPORT.format(statement=statement)],
                cwd=FUNCTION_DIR,
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            )
            samples[name].append(float(completed.stdout.strip().splitlines()[-1]))
    return {name: statistics.median(values) for name, values in samples.items()}


def run() -> dict[str, float]:
    cost = handler_cost()
    verdict = "meets" if cost * 1e6 <= TARGET_HANDLER_MICROSECONDS else "MISSES"
    print("Handler cost per request (one row, endpoint answered instantly, logs and metrics on)")
    print(f"  {microseconds(cost)} per request; {verdict} the target of {TARGET_HANDLER_MICROSECONDS} µs")

    times = import_times()
    ratio = times["handler module"] / times["import boto3 + client"]
    verdict = "meets" if ratio <= TARGET_IMPORT_RATIO else "MISSES"
    print(f"Cold import, median of {IMPORT_RUNS} fresh interpreters each, alternated (Lambda environment, tracing on)")
    for name, seconds in times.items():
        print(f"  {name:<24} {seconds * 1000:7.1f} ms")
    print(f"  ratio {ratio:.2f}x; {verdict} the target of {TARGET_IMPORT_RATIO}x")
    floor = times["required libraries alone"] / times["import boto3 + client"]
    own = times["handler module"] / times["required libraries alone"]
    print(f"  of which the required libraries alone are {floor:.2f}x, and this project's own code {own:.2f}x on top")
    return {"handler_seconds": cost, "import_ratio": ratio, **{f"import_{k}": v for k, v in times.items()}}


if __name__ == "__main__":
    run()
