"""Tracing without an X-Ray SDK (docs/tracing.md): the endpoint's share of a request is a metric and a log field."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT, call, emf_metrics, endpoint_answer, json_lines, load_event

ANSWER = {
    "predictions": [1],
    "probabilities": [[0.0, 0.99, 0.01]],
    "classes": ["setosa", "versicolor", "virginica"],
    "model_version": "abc",
}


def test_endpoint_latency_is_a_metric_by_variant_and_a_field_of_the_scored_log_line(runtime_stub, capsys, log_lines):
    runtime_stub.add_response("invoke_endpoint", {**endpoint_answer(ANSWER), "InvokedProductionVariant": "challenger"})

    answer = call(load_event("predict-one-row"))

    (latency,) = emf_metrics(json_lines(capsys.readouterr().out))["EndpointLatency"]
    (scored,) = [line for line in log_lines() if line["message"] == "scored"]
    assert answer.status == 200
    assert latency["variant"] == "challenger"
    assert latency["value"] == [scored["endpoint_ms"]]
    assert 0 < scored["endpoint_ms"] < 10_000


def test_the_function_loads_no_xray_sdk():
    probe = "import sys, predict.app; print(sorted(m for m in sys.modules if m.startswith('aws_xray_sdk')))"

    completed = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)

    assert completed.stdout.strip() == "[]"
