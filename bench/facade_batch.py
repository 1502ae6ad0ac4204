"""The facade at the API's row limit: what parsing, validating and passing the answer through add
to the endpoint's own time for 10,000 rows.

- The handler's own cost: the function in this process, the endpoint answering instantly with the
  real endpoint's answer for the same rows (bench/handler_cost.py's way, at 10,000 rows).
- The endpoint's own time: a boto3 invoke_endpoint round trip to the local endpoint (the stack's
  own process, serving build/model/model.tar.gz with the real serving hooks).
- The whole local path: POST /predict through the local stack, the function in the Lambda Runtime
  Interface Emulator.
All three take turns in the same rounds, so each ratio is measured side by side.

Two bodies: measurements with one decimal, as people take them (the guide's rows), and the same
rows at full float precision, the largest body the row limit allows.
"""

from __future__ import annotations

import http.client
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from iris_contract import FEATURES

from bench.handler_cost import ONE_ROW_EVENT, handler_call
from bench.report import figure
from bench.stack_process import local_runtime_client, stack_process
from local_stack import settings
from model_training import artifact
from serving import inference

ROWS = 10_000
TARGET_SHARE = 0.15
# The endpoint's time for 10,000 rows before the serving hooks read the forest as a grid of cells.
OLD_ENDPOINT_SECONDS = 0.250
ROUNDS = 25


def bodies() -> dict[str, str]:
    rng = np.random.default_rng(3)
    features = rng.uniform([f.observed_min for f in FEATURES], [f.observed_max for f in FEATURES], (ROWS, 4))
    return {
        "one decimal": json.dumps({"instances": np.round(features, 1).tolist()}),
        "full precision": json.dumps({"instances": features.tolist()}),
    }


def endpoint_answer(body: str, model: inference.Model) -> bytes:
    text, _ = inference.output_fn(inference.predict_fn(inference.input_fn(body, inference.JSON), model), inference.JSON)
    return text.encode()


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        model = inference.model_fn(str(artifact.unpack(settings.model_artifact(), Path(scratch))))
    event = json.loads(ONE_ROW_EVENT.read_text())
    sent = bodies()
    handlers = {
        name: handler_call({**event, "body": body}, endpoint_answer(body, model)) for name, body in sent.items()
    }
    with stack_process() as stack:
        timings = _round_trips(stack.api_port, stack.endpoint_port, sent, handlers)
    handler = {name: timings[name]["handler"] for name in sent}
    figures: dict[str, float] = {}
    print(f"The facade at {ROWS:,} rows (medians; the stack's function in the Lambda Runtime Interface Emulator)")
    print(f"  {'body':<15} {'size':>8} {'handler':>10} {'endpoint':>10} {'POST /predict':>14}")
    for name, body in sent.items():
        direct, api = timings[name]["direct"], timings[name]["api"]
        print(
            f"  {name:<15} {len(body) / 1e6:>6.2f}MB {handler[name] * 1000:>8.2f}ms {direct * 1000:>8.2f}ms"
            f" {api * 1000:>12.2f}ms"
        )
    for name in sent:
        share = handler[name] / timings[name]["direct"]
        figure(
            f"handler's own cost / endpoint's time, {ROWS:,} rows, {name}",
            f"{share:.0%} ({handler[name] * 1000:.1f} ms / {timings[name]['direct'] * 1000:.1f} ms)",
            f"<= {TARGET_SHARE:.0%}",
            share <= TARGET_SHARE,
        )
        figures[f"facade_share_{name}"] = share
    old_share = handler["one decimal"] / OLD_ENDPOINT_SECONDS
    figure(
        f"the same handler cost / the old endpoint's {OLD_ENDPOINT_SECONDS * 1000:.0f} ms, {ROWS:,} rows, one decimal",
        f"{old_share:.0%}",
        f"<= {TARGET_SHARE:.0%}",
        old_share <= TARGET_SHARE,
    )
    for name in sent:
        added = timings[name]["api"] - timings[name]["direct"]
        figure(
            f"POST /predict through the local stack vs direct invoke, {ROWS:,} rows, {name}",
            f"{timings[name]['api'] * 1000:.1f} ms vs {timings[name]['direct'] * 1000:.1f} ms (+{added * 1000:.1f} ms)",
        )
    return figures


def _round_trips(
    api_port: int, endpoint_port: int, sent: dict[str, str], handlers: dict[str, Callable[[], None]]
) -> dict[str, dict[str, float]]:
    api = http.client.HTTPConnection("127.0.0.1", api_port, timeout=30)
    runtime = local_runtime_client(endpoint_port)

    def via_api(body: str) -> None:
        api.request("POST", "/predict", body=body, headers={"Content-Type": "application/json"})
        response = api.getresponse()
        payload = response.read()
        assert response.status == 200, payload[:200]

    def direct(body: str) -> None:
        runtime.invoke_endpoint(EndpointName=settings.endpoint_name(), ContentType="application/json", Body=body)[
            "Body"
        ].read()

    calls: dict[tuple[str, str], Callable[[], None]] = {}
    for name, body in sent.items():
        calls[(name, "handler")] = handlers[name]
        calls[(name, "direct")] = lambda body=body: direct(body)
        calls[(name, "api")] = lambda body=body: via_api(body)
    for call in calls.values():
        call()  # warm: the emulator's first invocation runs the function's init, the handler its imports
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in calls}
    for _ in range(ROUNDS):
        for key, call in calls.items():
            started = time.perf_counter()
            call()
            samples[key].append(time.perf_counter() - started)
    timings: dict[str, dict[str, float]] = {name: {} for name in sent}
    for (name, path), values in samples.items():
        timings[name][path] = statistics.median(values)
    return timings


if __name__ == "__main__":
    run()
