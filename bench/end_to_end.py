"""What the facade adds locally for one row, and what the Lambda Runtime Interface Emulator adds.

The local stack in its own process, twice, one after the other: with the function in the stack's
process (LOCAL_LAMBDA=in-process), then in the emulator (LOCAL_LAMBDA=emulator, as `make run` does).
Each time POST /predict and a direct invoke_endpoint on the same endpoint take turns over kept-alive
connections, so each difference is measured side by side; the emulator's share is the difference
between the two runs' differences.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable

from iris_contract import GUIDE_EXAMPLE_INSTANCES

from bench.report import figure
from bench.stack_process import local_runtime_client, stack_process
from bench.timing import taking_turns_ms
from local_stack import settings

ROUNDS = 300
WARM_UP = 20
TARGET_ADDED_MS = 2.0
BODY = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES[:1]})


def _via_api(port: int) -> Callable[[], None]:
    api = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call() -> None:
        api.request("POST", "/predict", body=BODY, headers={"Content-Type": "application/json"})
        response = api.getresponse()
        payload = response.read()
        assert response.status == 200, payload

    return call


def _direct(port: int) -> Callable[[], None]:
    runtime = local_runtime_client(port)

    def call() -> None:
        runtime.invoke_endpoint(EndpointName=settings.endpoint_name(), ContentType="application/json", Body=BODY)[
            "Body"
        ].read()

    return call


def _side_by_side(lambda_mode: str) -> dict[str, float]:
    """Median milliseconds of POST /predict and of the direct call, taking turns."""
    with stack_process(lambda_mode=lambda_mode) as stack:
        calls = {"api": _via_api(stack.api_port), "direct": _direct(stack.endpoint_port)}
        return taking_turns_ms(calls, ROUNDS, WARM_UP)


def run() -> dict[str, float]:
    in_process = _side_by_side("in-process")
    emulated = _side_by_side("emulator")
    print(f"Local end to end, one row, median of {ROUNDS} requests each, POST /predict and direct taking turns")
    print(f"  {'function runs':<38} {'POST /predict':>14} {'direct':>9} {'added':>8}")
    for label, p50 in (("in the stack's process", in_process), ("in the Runtime Interface Emulator", emulated)):
        added = p50["api"] - p50["direct"]
        print(f"  {label:<38} {p50['api']:>11.2f} ms {p50['direct']:>6.2f} ms {added:>5.2f} ms")
    facade = in_process["api"] - in_process["direct"]
    emulator = (emulated["api"] - emulated["direct"]) - facade
    figure(
        "what the facade adds at p50, one row (local API Gateway + handler + boto3, in-process)",
        f"{facade:.2f} ms",
        f"<= {TARGET_ADDED_MS} ms",
        facade <= TARGET_ADDED_MS,
    )
    figure("what the Runtime Interface Emulator adds on top at p50, one row", f"{emulator:.2f} ms")
    figure(
        "POST /predict through the emulator vs direct invoke at p50, one row",
        f"{emulated['api']:.2f} ms vs {emulated['direct']:.2f} ms",
    )
    return {"e2e_facade_added_ms": facade, "e2e_emulator_added_ms": emulator}


if __name__ == "__main__":
    run()
