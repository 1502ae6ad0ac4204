"""make run: the local stack on its default ports until Ctrl-C.

    python -m local_stack [--challenger]

Configuration (environment): the local stack's own variables (local_stack/settings.py) and the
function's (functions/predict/settings.py); the README's Configuration table lists them all.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from local_stack import settings
from local_stack.cloudformation import load_template
from local_stack.stack import configured_capture, configured_variants, local_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--challenger", action="store_true", help="serve a second variant next to the first (A/B)")
    args = parser.parse_args(argv)
    refusal = settings.network_refusal(settings.host(), settings.auth_mode(), settings.api_key())
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    defaults = load_template().parameter_defaults
    variants = configured_variants(settings.model_artifact(), args.challenger, defaults)
    missing = [variant.artifact for variant in variants if not variant.artifact.exists()]
    if missing:
        print(f"No model at {', '.join(map(str, missing))}: run `make model` (and `make challenger`).", file=sys.stderr)
        return 1
    capture = configured_capture(defaults)
    stop = threading.Event()
    # Explicit handlers: a shell that starts us in the background sets SIGINT to "ignore".
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stop.set())
    function = settings.function_settings()
    with local_stack(variants=variants, capture=capture, function=function, operate=True) as stack:
        assert stack.aws is not None
        split = ", ".join(f"{variant.name} (weight {variant.weight:g})" for variant in stack.variants)
        captured = f"{capture.sampling_percentage}% into {capture.root}/" if capture else "off (DATA_CAPTURE_PERCENT)"
        page = stack.page_url + "/"
        if stack.api_url != f"http://{settings.DEFAULT_HOST}:{settings.DEFAULT_API_PORT}":
            page += f"?api={stack.api_url}"  # the page's default is the default API address
        auth = (
            f"{stack.auth_mode}, x-api-key: {settings.api_key()}" if stack.auth_mode == "API_KEY" else stack.auth_mode
        )
        choosable = ", ".join(stack.function.selectable_variants) or "none (SELECTABLE_VARIANTS)"
        exposed = (
            ""
            if settings.is_loopback(settings.host())
            else f"\n  Listening on {settings.host()}: anyone who can reach this machine can call the API and the"
            " local endpoint (which takes any credentials); the AWS APIs stay on 127.0.0.1."
        )
        print(
            f"""
iris-gateway local stack is up.
  Web page (browser client):       {page}
  API (local API Gateway):         {stack.api_url}   routes from template.yaml, AuthMode {auth}
  SageMaker Runtime (local):       {stack.endpoint_url}   endpoint '{stack.function.endpoint_name}'
  The function runs:               {stack.lambda_runtime}
  The model runs:                  {stack.model_runtime}
  Production variants:             {split}; callers may choose: {choosable}
  Data capture:                    {captured}
  AWS APIs (local, one address):   {stack.aws.address}   sagemaker, sagemaker-runtime, s3, cloudwatch, logs,
                                   application-autoscaling, sns, sts; the template's endpoint, alarms,
                                   dashboard and scaling are deployed there (waits x{settings.time_scale():g})
  Alarm notifications (SNS):       {settings.alarm_outbox()}{exposed}

Try it:
  curl -X POST {stack.api_url}/predict \\
      -H "Content-Type: application/json" \\
      -d '{{"instances": [[5.1, 3.5, 1.4, 0.2]]}}'

The operator guide's commands, with one export (docs/operations.md, "Operating it locally"):
  export AWS_ENDPOINT_URL={stack.aws.address} AWS_DEFAULT_REGION={settings.REGION} \\
         AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  aws sagemaker describe-endpoint --endpoint-name {stack.function.endpoint_name}

Ctrl-C stops everything.
""",
            flush=True,
        )
        stop.wait()
    print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
