"""make invoke EVENT=events/<file>.json: `sam local invoke PredictFunction -e <file>` without Docker.

Runs the real handler once on the event, against the local endpoint (a running one named by
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, or one started here for the call), and prints its response.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from local_stack import settings
from local_stack.api_gateway import TEMPLATE, LambdaContext, load_handler, load_routes
from local_stack.stack import local_endpoint, prepare_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", type=Path)
    parser.add_argument("--function", default="PredictFunction")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())
    route = next((r for r in load_routes(TEMPLATE) if r.function == args.function), None)
    if route is None:
        print(f"no route in template.yaml invokes a function named {args.function}", file=sys.stderr)
        return 2
    running_endpoint = os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
    endpoint = (
        nullcontext(running_endpoint)
        if running_endpoint
        else local_endpoint(settings.model_artifact(), settings.endpoint_name(), settings.host(), 0)
    )
    with endpoint as endpoint_url:
        prepare_environment(endpoint_url, settings.endpoint_name(), os.environ.get("ALLOWED_ORIGINS"))
        handler = load_handler(route)
        response = handler(event, LambdaContext(route.function, route.memory_size, route.timeout))
    print(json.dumps(response, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
