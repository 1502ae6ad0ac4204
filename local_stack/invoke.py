"""make invoke EVENT=events/<file>.json: `sam local invoke PredictFunction -e <file>` without Docker.

Runs the function once on the event, in the Lambda Runtime Interface Emulator where this machine
can (else in this process), against the local endpoint: a running one named by
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, or one started here for the call. Prints its response, or
the error document Lambda would return.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from local_stack import settings
from local_stack.cloudformation import load_template
from local_stack.http_server import log_event
from local_stack.lambda_environments import FunctionError
from local_stack.stack import function_environment, local_endpoint, local_functions, primary_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", type=Path)
    parser.add_argument("--function", default="PredictFunction")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())
    template = load_template()
    if args.function not in template.functions:
        print(f"no route in template.yaml invokes a function named {args.function}", file=sys.stderr)
        return 2
    running_endpoint = os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
    variants = primary_only(settings.model_artifact())
    function = settings.function_settings([variant.name for variant in variants])
    endpoint = (
        nullcontext(running_endpoint)
        if running_endpoint
        else local_endpoint(variants, function.endpoint_name, settings.host(), 0)
    )
    with endpoint as endpoint_url:
        environment = function_environment(endpoint_url, function)
        with local_functions(template, environment, instances=1) as (functions, described):
            log_event("local-invoke", function=args.function, runtime=described)
            try:
                response = functions.invoke(args.function, event)
            except FunctionError as error:
                print(json.dumps({"errorType": error.error_type, "errorMessage": str(error)}, indent=2))
                return 1
    print(json.dumps(response, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
