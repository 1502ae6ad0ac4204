"""Who answers a browser's preflight: API Gateway itself (the template's MOCK) or the function.

One local stack in this process, the function in the Lambda Runtime Interface Emulator as `make run`
runs it. Taking turns over kept-alive connections: OPTIONS /predict as the API answers it now (the
MOCK), the same preflight event invoked on the function (what the API did before), and POST /predict
for scale. Locally both are warm; on AWS the function's first preflight also waits for its cold start
(make bench's cold-start section), which no MOCK has.
"""

from __future__ import annotations

import http.client
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench.report import figure
from bench.timing import taking_turns_ms
from local_stack.stack import local_stack
from model_training import train
from project import ROOT

ROUNDS = 300
WARM_UP = 20
PREFLIGHT_EVENT = ROOT / "events" / "predict-preflight.json"
BODY = json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]]})
PREFLIGHT_HEADERS = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}


def _http(api_url: str, method: str, body: str | None, headers: dict[str, str]) -> Callable[[], None]:
    address = urlsplit(api_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)

    def call() -> None:
        connection.request(method, "/predict", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status in (200, 204), response.status

    return call


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        artifact = train.train(Path(scratch) / "model").archive
        with local_stack(artifact, endpoint_port=0, api_port=0, serve_page=False, emulate=True) as stack:
            event = json.loads(PREFLIGHT_EVENT.read_text())
            calls = {
                "mock": _http(stack.api_url, "OPTIONS", None, PREFLIGHT_HEADERS),
                "function": lambda: stack.functions.invoke("PredictFunction", event),
                "predict": _http(stack.api_url, "POST", BODY, {"Content-Type": "application/json"}),
            }
            p50 = taking_turns_ms(calls, ROUNDS, WARM_UP)
    print(f"Preflight, median of {ROUNDS} each, taking turns (the function warm, in the emulator)")
    print(f"  OPTIONS /predict answered by API Gateway (MOCK):        {p50['mock']:.2f} ms")
    print(f"  the same preflight event invoked on the function:      {p50['function']:.2f} ms")
    print(f"  POST /predict, for scale:                              {p50['predict']:.2f} ms")
    figure(
        "preflight answered by the MOCK vs by the warm function, p50",
        f"{p50['mock']:.2f} ms vs {p50['function']:.2f} ms",
    )
    return {"preflight_mock_ms": p50["mock"], "preflight_function_ms": p50["function"]}


if __name__ == "__main__":
    run()
