"""What the facade adds locally: POST /predict through the local stack next to a direct
invoke_endpoint on the same local endpoint, both over kept-alive connections, interleaved."""

from __future__ import annotations

import http.client
import json
import statistics
import time

import boto3
from iris_contract import GUIDE_EXAMPLE_INSTANCES

from bench.stack_process import stack_process
from local_stack import settings

ROUNDS = 300
TARGET_ADDED_MS = 2.0
BODY = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES[:1]})


def run() -> dict[str, float]:
    with stack_process() as stack:
        api = http.client.HTTPConnection("127.0.0.1", stack.api_port, timeout=10)
        runtime = boto3.client(
            "sagemaker-runtime",
            endpoint_url=f"http://127.0.0.1:{stack.endpoint_port}",
            region_name=settings.REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the local endpoint checks no signature
        )

        def via_api() -> None:
            api.request("POST", "/predict", body=BODY, headers={"Content-Type": "application/json"})
            response = api.getresponse()
            assert response.status == 200, response.read()
            response.read()

        def direct() -> None:
            runtime.invoke_endpoint(EndpointName=settings.endpoint_name(), ContentType="application/json", Body=BODY)[
                "Body"
            ].read()

        samples: dict[str, list[float]] = {"api": [], "direct": []}
        for _ in range(20):
            via_api()
            direct()
        for _ in range(ROUNDS):
            for name, call in (("api", via_api), ("direct", direct)):
                started = time.perf_counter()
                call()
                samples[name].append(time.perf_counter() - started)
    p50 = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    added = p50["api"] - p50["direct"]
    verdict = "meets" if added <= TARGET_ADDED_MS else "MISSES"
    print(f"Local end to end, one row, median of {ROUNDS} interleaved requests each")
    print(f"  POST /predict (local API Gateway + handler + boto3) {p50['api']:6.2f} ms")
    print(f"  invoke_endpoint directly (boto3)                     {p50['direct']:6.2f} ms")
    print(f"  the facade adds {added:.2f} ms at p50; {verdict} the target of {TARGET_ADDED_MS} ms")
    return {"e2e_api_p50_ms": p50["api"], "e2e_direct_p50_ms": p50["direct"], "e2e_added_p50_ms": added}


if __name__ == "__main__":
    run()
