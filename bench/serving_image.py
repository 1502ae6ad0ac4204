"""What the serving image's own stack adds per request, next to the in-process emulation it replaced.

One local SageMaker Runtime serves the same artifact as two endpoints: ``image`` (the scikit-learn
image's code: a gunicorn worker reached over its Unix socket, sagemaker-containers' Flask worker,
the image's glue) and ``in-process`` (the hooks called in the runtime's process, the fallback).
boto3 calls them in interleaved rounds, at 1 row and at 10,000 rows, so the difference is measured
side by side. Also: how long the image's container takes to come up (code install, gunicorn, the
first /ping, which loads the model) next to the in-process load.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable

from iris_contract import GUIDE_EXAMPLE_INSTANCES

from bench.report import figure
from bench.stack_process import local_runtime_client
from bench.timing import interleaved_medians
from local_stack import settings
from local_stack.http_server import serve_in_background
from local_stack.sagemaker_container import ServingContainer
from local_stack.sagemaker_runtime import Endpoint, SageMakerRuntime
from local_stack.serving_image import ImageContainer, image_unavailable, network_isolation_unavailable

# Calls per interleaved round for each row count, so that each round takes long enough to time.
CALLS = {1: 50, 10_000: 3}
ROUNDS = 15


def _body(rows: int) -> str:
    return json.dumps({"instances": list(itertools.islice(itertools.cycle(GUIDE_EXAMPLE_INSTANCES), rows))})


def _caller(client: object, endpoint: str, body: str) -> Callable[[], None]:
    def call() -> None:
        response = client.invoke_endpoint(  # type: ignore[attr-defined]
            EndpointName=endpoint, ContentType="application/json", Accept="application/json", Body=body
        )
        response["Body"].read()

    return call


def run() -> dict[str, float]:
    reason = image_unavailable()
    if reason is not None:
        print(f"Serving image: not measured, {reason}")
        return {}
    artifact = settings.model_artifact()
    started = time.perf_counter()
    image = ImageContainer("image", "primary", artifact, isolate_network=network_isolation_unavailable() is None)
    image_start = time.perf_counter() - started
    started = time.perf_counter()
    in_process = ServingContainer(artifact)
    in_process_start = time.perf_counter() - started
    figures: dict[str, float] = {}
    try:
        runtime = SageMakerRuntime({"image": Endpoint.single(image), "in-process": Endpoint.single(in_process)})
        with serve_in_background(runtime) as server:
            client = local_runtime_client(server.port)
            print("Serving image vs in-process: one local SageMaker Runtime, boto3, medians of interleaved rounds")
            print(f"  {'rows':>6}  {'image':>10}  {'in-process':>11}  {'added':>9}  {'ratio':>6}")
            for rows, calls in CALLS.items():
                body = _body(rows)
                medians = interleaved_medians(
                    {name: _caller(client, name, body) for name in ("image", "in-process")},
                    {"image": calls, "in-process": calls},
                    ROUNDS,
                )
                image_ms, in_process_ms = medians["image"] * 1000, medians["in-process"] * 1000
                added = image_ms - in_process_ms
                print(
                    f"  {rows:>6,}  {image_ms:>7.2f} ms  {in_process_ms:>8.2f} ms  {added:>6.2f} ms"
                    f"  {image_ms / in_process_ms:>5.1f}x"
                )
                figure(
                    f"what the serving image's stack adds per request, {rows:,} row{'s' if rows > 1 else ''}",
                    f"{added:.2f} ms ({image_ms:.2f} ms vs {in_process_ms:.2f} ms in-process)",
                )
                figures[f"serving_image_added_ms_{rows}"] = added
    finally:
        image.close()
        in_process.close()
    figure(
        "serving image container start-up (code install, gunicorn, first /ping) vs in-process load",
        f"{image_start:.1f} s vs {in_process_start:.2f} s",
    )
    return {**figures, "serving_image_start_s": image_start}


if __name__ == "__main__":
    run()
