"""sam-local-env.json, written from the function's settings: make openapi writes it with the other
generated files, and a test fails when it drifts.

`sam local invoke --env-vars` and `sam local start-api --env-vars` set these variables in the
function's container: its default settings (functions/predict/settings.py), and the local
SageMaker Runtime on this machine, as a container reaches it.
"""

from __future__ import annotations

import json
import sys

from local_stack import settings
from local_stack.cloudformation import load_template
from local_stack.sagemaker_runtime import PRIMARY_VARIANT
from local_stack.stack import function_environment
from predict.settings import Settings
from project import ROOT

DOCUMENT = ROOT / "sam-local-env.json"
# How a container reaches the host: Docker Desktop's name, or --add-host on Linux (README).
HOST_FROM_CONTAINER = "host.docker.internal"
# What the template gives a stack that serves one model, as `make run` does.
SETTINGS = Settings(selectable_variants=(PRIMARY_VARIANT,))


def rendered() -> str:
    endpoint_url = f"http://{HOST_FROM_CONTAINER}:{settings.DEFAULT_ENDPOINT_PORT}"
    document = {name: function_environment(endpoint_url, SETTINGS) for name in load_template().functions}
    return json.dumps(document, indent=2) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT}", file=sys.stderr)
