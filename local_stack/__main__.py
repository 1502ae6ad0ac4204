"""make run: the local stack on its default ports until Ctrl-C.

    python -m local_stack

Configuration (environment): LOCAL_HOST, LOCAL_API_PORT, LOCAL_ENDPOINT_PORT, ENDPOINT_NAME,
ALLOWED_ORIGINS, MODEL_ARTIFACT. See the README.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from local_stack import settings
from local_stack.stack import local_stack


def main() -> int:
    artifact = settings.model_artifact()
    if not artifact.exists():
        print(f"No model at {artifact}: run `make model` first (make run does it for you).", file=sys.stderr)
        return 1
    stop = threading.Event()
    # Explicit handlers: a shell that starts us in the background sets SIGINT to "ignore".
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stop.set())
    with local_stack(artifact, allowed_origins=os.environ.get("ALLOWED_ORIGINS")) as stack:
        print(
            f"""
iris-gateway local stack is up.
  API (local API Gateway):         {stack.api_url}   routes from template.yaml
  SageMaker Runtime (local):       {stack.endpoint_url}   endpoint '{stack.endpoint_name}'

Try it:
  curl -X POST {stack.api_url}/predict \\
      -H "Content-Type: application/json" \\
      -d '{{"instances": [[5.1, 3.5, 1.4, 0.2]]}}'

Ctrl-C stops everything.
""",
            flush=True,
        )
        stop.wait()
    print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
