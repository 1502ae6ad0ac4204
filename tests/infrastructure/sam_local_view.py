"""What `sam local` sees in template.yaml, through SAM CLI's own classes; run by .venv-sam's Python.

    .venv-sam/bin/python tests/infrastructure/sam_local_view.py TEMPLATE AUTH_MODE ENV_VARS_FILE

Prints one JSON document: the functions as SamFunctionProvider resolves them (handler, runtime,
architectures, timeout, environment with the env-vars file applied as `sam local --env-vars` applies
it, layers with ARN and version) and the API routes as ApiProvider finds them. Not a test module:
SAM CLI's pins clash with the test environment's, so the tests run this in SAM CLI's own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

REGION = "us-east-1"


def view(template: Path, auth_mode: str, env_vars_file: Path) -> dict:
    root = str(template.parent)
    stacks, _ = SamLocalStackProvider.get_stacks(
        str(template),
        parameter_overrides={"AuthMode": auth_mode},
        # What `sam local` sets from --region; the account as its containers get it.
        global_parameter_overrides={"AWS::Region": REGION, "AWS::AccountId": "123456789012"},
    )
    functions = SamFunctionProvider(stacks, ignore_code_extraction_warnings=True)
    runner = LocalLambdaRunner(
        local_runtime=None,
        function_provider=functions,
        cwd=root,
        real_path=root,
        aws_region=REGION,
        env_vars_values=json.loads(env_vars_file.read_text()),
    )
    api = ApiProvider(stacks, cwd=root)
    return {
        "functions": {
            function.name: {
                "handler": function.handler,
                "runtime": function.runtime,
                "architectures": function.architectures,
                "timeout": function.timeout,
                "codeuri": function.codeuri,
                "environment": runner._make_env_vars(function).resolve(),  # what --env-vars gives it
                "layers": [
                    {"arn": layer.arn, "version": layer.version, "name": layer.name} for layer in function.layers
                ],
            }
            for function in functions.get_all()
        },
        "routes": sorted([route.path, sorted(route.methods), route.function_name] for route in api.routes),
        "stage": api.api.stage_name,
    }


if __name__ == "__main__":
    print(json.dumps(view(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])), default=str))
