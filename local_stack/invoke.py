"""make invoke EVENT=events/<file>.json: `sam local invoke PredictFunction -e <file>` without Docker.

Runs the function once on the event, against the local endpoint (a running one named by
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, or one started here for the call), and prints its response.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from functions.predict.settings import ANY_ORIGIN
from local_stack import settings
from local_stack.cloudformation import load_template
from local_stack.lambda_runtime import InProcessFunctions
from local_stack.stack import function_environment, local_endpoint, prepare_environment, primary_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", type=Path)
    parser.add_argument("--function", default="PredictFunction")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())
    functions = load_template().functions
    if args.function not in functions:
        print(f"no route in template.yaml invokes a function named {args.function}", file=sys.stderr)
        return 2
    running_endpoint = os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
    variants = primary_only(settings.model_artifact())
    endpoint = (
        nullcontext(running_endpoint)
        if running_endpoint
        else local_endpoint(variants, settings.endpoint_name(), settings.host(), 0)
    )
    with endpoint as endpoint_url:
        allowed_origins = os.environ.get("ALLOWED_ORIGINS", ANY_ORIGIN)
        prepare_environment(function_environment(endpoint_url, settings.endpoint_name(), allowed_origins, variants))
        response = InProcessFunctions({args.function: functions[args.function]}).invoke(args.function, event)
    print(json.dumps(response, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
