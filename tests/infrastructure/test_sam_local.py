"""What `sam local invoke` and `sam local start-api` see in template.yaml, by SAM CLI's own classes
(SamLocalStackProvider, SamFunctionProvider, ApiProvider, the --env-vars resolution), in every
AuthMode. They run in .venv-sam's interpreter, through tests/infrastructure/sam_local_view.py."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import boto3
import pytest

from local_stack.cloudformation import load_template
from project import ROOT, SAM_ENVIRONMENT
from tests.helpers import POWERTOOLS_LAYER_VERSIONS, TEMPLATE, source_template

pytestmark = pytest.mark.infrastructure

SAM_PYTHON = SAM_ENVIRONMENT / "bin" / "python"
VIEW = Path(__file__).with_name("sam_local_view.py")
ENV_VARS_FILE = ROOT / "sam-local-env.json"
LAYER_ARN = re.compile(r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")


@pytest.fixture(scope="module", params=["NONE", "API_KEY", "IAM"])
def sam_view(request) -> dict:
    if not SAM_PYTHON.exists():
        pytest.skip(f"SKIPPED LOUDLY: SAM CLI is not installed at {SAM_PYTHON}; `make test` installs it")
    completed = subprocess.run(
        [str(SAM_PYTHON), str(VIEW), str(TEMPLATE), request.param, str(ENV_VARS_FILE)],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    # SAM CLI prints its own warnings first; the view is the last line.
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_every_layer_has_a_valid_arn_and_the_version_of_the_pinned_powertools(sam_view):
    (function,) = sam_view["functions"].values()

    (layer,) = function["layers"]
    assert LAYER_ARN.match(layer["arn"]), layer["arn"]
    assert layer["version"] == POWERTOOLS_LAYER_VERSIONS[version("aws-lambda-powertools")]


def test_the_api_provider_gives_the_templates_routes(sam_view):
    local = load_template()

    assert {(path, function) for path, _, function in sam_view["routes"]} == {
        (route.path, route.function) for route in local.routes
    }
    assert sam_view["stage"] == "Prod"


def test_the_function_is_what_the_code_and_the_local_stack_expect(sam_view):
    (expected,) = load_template().functions.values()
    (function,) = sam_view["functions"].values()

    assert (function["handler"], function["runtime"], function["timeout"]) == (
        expected.handler, expected.runtime, expected.timeout_seconds,
    )  # fmt: skip
    assert function["architectures"] == ["arm64"]
    # The handler names a module under the code folder that defines it.
    module, handler = function["handler"].rsplit(".", 1)
    source = Path(function["codeuri"], *module.split(".")).with_suffix(".py")
    assert handler in {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}


def test_the_env_vars_file_points_the_function_at_a_local_endpoint(sam_view):
    (function,) = sam_view["functions"].values()
    overrides = json.loads(ENV_VARS_FILE.read_text())["PredictFunction"]

    assert {name: function["environment"][name] for name in overrides} == overrides
    assert overrides["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"].startswith("http://host.docker.internal:")


def test_the_env_vars_file_sets_only_variables_the_template_declares():
    # SAM CLI applies --env-vars only to declared variables; an undeclared one would be dropped silently.
    declared = source_template()["Resources"]["PredictFunction"]["Properties"]["Environment"]["Variables"]

    assert set(json.loads(ENV_VARS_FILE.read_text())["PredictFunction"]) <= set(declared)


def test_the_deployed_function_ignores_its_empty_local_endpoint_variable(monkeypatch):
    # template.yaml declares AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME as "" so sam local can set it.
    declared = source_template()["Resources"]["PredictFunction"]["Properties"]["Environment"]["Variables"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", declared["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"])

    client = boto3.client("sagemaker-runtime", region_name="eu-west-1")

    assert client.meta.endpoint_url == "https://runtime.sagemaker.eu-west-1.amazonaws.com"
