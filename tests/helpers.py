"""Helpers the test layers share: sample events, calling the handler, and HTTP to the local stack.

Fixtures live in the conftest modules; everything a test imports lives here.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import re
import tarfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.response import StreamingBody
from iris_contract import FEATURE_NAMES
from samtranslator.yaml_helper import yaml_parse
from werkzeug.exceptions import InternalServerError

from local_stack import settings as local_settings
from local_stack.cloudformation import TEMPLATE
from local_stack.sagemaker_container import InvocationResult
from local_stack.sagemaker_runtime import COMPONENT as ENDPOINT_COMPONENT
from local_stack.serving_image import Container, ContainerStarter
from predict import app, endpoint_client
from project import ROOT

EVENTS = ROOT / "events"
# Named origins, so CORS echo and Vary are exercised; the sample events send the first.
ALLOWED_ORIGIN = "https://app.example.com"
ALLOWED_ORIGINS = (ALLOWED_ORIGIN, "https://admin.example.com")
GUIDE_CURL_BODY = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
# The API key of the integration tests' API_KEY-mode stack (a fixture: secured_stacks).
SECURED_STACK_KEY = "k-1"
MODEL_URI = "s3://iris-gateway-models-123456789012/models/0123abcd/model.tar.gz"
POWERTOOLS_LAYER = (
    "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:017000801446:layer:"
    "AWSLambdaPowertoolsPythonV3-python313-arm64:{version}"
)
# The official layer's version number for each Powertools release the tests may pin, as the template
# uses it. Counted, not read: Powertools' own pull requests show one layer version per release
# early in v3 (3.1.0 is 2, 3.2.0 is 3, 3.4.0 is 5, 3.4.1 is 6), but a later docs update moved the
# documented number from 18 to 27 at once, and no public source names the numbers below. `make
# check-layer` confirms an entry with AWS credentials (Powertools' SSM parameter
# /aws/service/powertools/python/arm64/python3.13/<release> names the layer version of a release).
POWERTOOLS_LAYER_VERSIONS = {"3.34.0": 37, "3.35.0": 38, "3.36.0": 39, "3.37.0": 40}


def examples(count: int) -> int:
    """A property test's example count, scaled by FUZZ_SHARE: `make mutation` runs each mutant's
    tests with a tenth of them (those tests run once per mutant); `make test` runs them all."""
    return max(10, round(count * float(os.environ.get("FUZZ_SHARE", "1"))))


# ---------------------------------------------------------------- events (as `sam local invoke -e` uses)
def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/, the same files `sam local invoke -e` and `make invoke` use."""
    return json.loads((EVENTS / f"{name}.json").read_text())


def route_event(
    method: str, path: str, origin: str | None = ALLOWED_ORIGIN, resource: str = "/{proxy+}"
) -> dict[str, Any]:
    """A request for any method and path, as API Gateway passes it on from the ``resource`` it matched
    (by default the catch-all {proxy+}; for a served path with another method, the path itself)."""
    event = load_event("health")
    event["httpMethod"], event["path"], event["resource"] = method, path, resource
    event["requestContext"]["httpMethod"], event["requestContext"]["resourcePath"] = method, resource
    return with_header(event, "Origin", origin)


def with_body(
    event: dict[str, Any], body: bytes | str, content_type: str | None = "application/json"
) -> dict[str, Any]:
    """The event with another body (base64-encoded when it is not UTF-8, as API Gateway does)."""
    event = json.loads(json.dumps(event))
    raw = body.encode() if isinstance(body, str) else body
    try:
        event["body"], event["isBase64Encoded"] = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    return with_header(event, "Content-Type", content_type)


def predict_event(body: bytes | str, content_type: str | None = "application/json") -> dict[str, Any]:
    """The one-row sample request with another body (and Content-Type; None sends none)."""
    return with_body(load_event("predict-one-row"), body, content_type)


def base64_predict_event(encoded: str) -> dict[str, Any]:
    """A /predict request whose body API Gateway hands over base64-encoded: ``encoded`` as it is, valid or not."""
    event = predict_event("{}")
    event["body"], event["isBase64Encoded"] = encoded, True
    return event


def with_header(event: dict[str, Any], name: str, value: str | None) -> dict[str, Any]:
    """Sets (or with None removes) a header in both places API Gateway puts it."""
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers.pop(name, None)
        if value is not None:
            headers[name] = value if headers is event["headers"] else [value]
    return event


# ---------------------------------------------------------------- the handler, called directly
@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes Powertools reads from Lambda's context object."""

    function_name: str = "PredictFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:PredictFunction"
    aws_request_id: str = "a1b2c3d4-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]  # lower-case names, multi-values joined with ", "
    body: Any


def call(event: dict[str, Any]) -> HttpAnswer:
    """The handler's answer to one event, as API Gateway would write it out."""
    result = app.lambda_handler(event, FakeLambdaContext())
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ", ".join(str(v) for v in values)
    body = result.get("body")
    return HttpAnswer(result["statusCode"], headers, json.loads(body) if body else None)


def endpoint_answer(document: dict[str, Any] | bytes) -> dict[str, Any]:
    """An InvokeEndpoint response for botocore's Stubber."""
    payload = document if isinstance(document, bytes) else json.dumps(document).encode()
    return {
        "Body": StreamingBody(io.BytesIO(payload), len(payload)),
        "ContentType": "application/json",
        "InvokedProductionVariant": "primary",
    }


def json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON lines in captured output: the function's logs and its EMF metrics."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def problem_logs(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The function's WARNING and ERROR log lines."""
    return [line for line in lines if line.get("level") in ("WARNING", "ERROR")]


def emf_metrics(lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every EMF metric by name: its values, its dimensions' values, and how CloudWatch files it
    (namespace, unit, dimension sets)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive["Metrics"]:
                found.setdefault(metric["Name"], []).append(
                    {
                        "value": line[metric["Name"]],
                        **{d: line[d] for dims in directive["Dimensions"] for d in dims},
                        "namespace": directive["Namespace"],
                        "unit": metric["Unit"],
                        "dimension_sets": [sorted(dims) for dims in directive["Dimensions"]],
                    }
                )
    return found


class RaisingClient:
    """Stands in for the client where Stubber cannot: transport errors raised by botocore itself."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def invoke_endpoint(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise self.error


# ---------------------------------------------------------------- the serving hooks' hostile bodies
ROW_1 = "row 1 (instances[0])"
ROW_2 = "row 2 (instances[1])"
EXPECTED_4 = "expected 4: " + ", ".join(FEATURE_NAMES)
# Bodies the serving hooks refuse, each with the refusal word for word: (Content-Type, body, message).
BAD_PAYLOADS = [
    (
        "application/json",
        b"{not json",
        "the body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ),
    ("application/json", b"\xff\xfe", "the body is not UTF-8 text (byte 0)"),
    ("application/json", b"[[5.1, 3.5, 1.4, 0.2]]", 'expected a JSON object {"instances": [[...], ...]}'),
    ("application/json", b'{"rows": [[1, 2, 3, 4]]}', 'expected a JSON object {"instances": [[...], ...]}'),
    ("application/json", b'{"instances": []}', '"instances" must be a non-empty list of rows'),
    ("application/json", b'{"instances": "5.1,3.5"}', '"instances" must be a non-empty list of rows'),
    ("application/json", b'{"instances": [5.1, 3.5, 1.4, 0.2]}', f"{ROW_1} is not a list of numbers"),
    ("application/json", b'{"instances": [[5.1, 3.5, 1.4, 0.2], 7]}', f"{ROW_2} is not a list of numbers"),
    ("application/json", b'{"instances": [[5.1, "3.5", 1.4, 0.2]]}', f'{ROW_1} has a non-number value "3.5"'),
    ("application/json", b'{"instances": [[5.1, true, 1.4, 0.2]]}', f"{ROW_1} has a non-number value true"),
    (
        "application/json",
        b'{"instances": [[5.1, 3.5, 1.4, 0.2], [false, 1, 2, 3]]}',
        f"{ROW_2} has a non-number value false",
    ),
    ("application/json", b'{"instances": [[5.1, null, 1.4, 0.2]]}', f"{ROW_1} has a non-number value null"),
    (
        "application/json",
        b'{"instances": [[5.1, NaN, 1.4, 0.2]]}',
        f"{ROW_1} has a value that is not a finite number: nan",
    ),
    (
        "application/json",
        b'{"instances": [[5.1, 3.5, 1.4, 0.2], [5.1, Infinity, 1.4, 0.2]]}',
        f"{ROW_2} has a value that is not a finite number: inf",
    ),
    (
        "application/json",
        b'{"instances": [[5.1, 1e300, 1.4, 0.2]]}',
        f"{ROW_1} has a value that is not a finite number: 1e+300",
    ),
    # Finite in float64 but past float32, which scikit-learn's trees compare in.
    (
        "application/json",
        b'{"instances": [[5.1, 3.5, 1.4, 0.2], [5.1, 3.5e38, 1.4, 0.2]]}',
        f"{ROW_2} has a value that is not a finite number: 3.5e+38",
    ),
    (
        "application/json",
        b'{"instances": [[5.1, 1%s, 1.4, 0.2]]}' % (b"0" * 400),
        f"{ROW_1} has a value that is not a finite number: inf",
    ),
    ("application/json", b'{"instances": [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]}', f"row 1 has 5 values, {EXPECTED_4}"),
    ("application/json", b'{"instances": [[]]}', f"row 1 has 0 values, {EXPECTED_4}"),
    ("text/csv", b"5.1,3.5,abc,0.2\n", "row 1 has a non-number value 'abc'"),
    ("text/csv", b"5.1,3.5,1.4,nan\n", "row 1 has a value that is not a finite number: nan"),
    ("text/csv", b"5.1,3.5,1.4,-inf\n", "row 1 has a value that is not a finite number: -inf"),
    ("text/csv", b"5.1,3.5,1.4,1e39\n", "row 1 has a value that is not a finite number: 1e+39"),
    (
        "application/json",
        b'{"instances": [[5.1, -1%s, 1.4, 0.2]]}' % (b"0" * 400),
        f"{ROW_1} has a value that is not a finite number: -inf",
    ),
    ("text/csv", b"\n\n", "the CSV body has no rows"),
    ("text/csv", b"5.1,3.5,1.4,0.2\n1,2,3\n", f"row 2 has 3 values, {EXPECTED_4}"),
]


# ---------------------------------------------------------------- the local stack, over HTTP
def http(url: str, method: str = "POST", body: bytes | str | None = None, headers: dict[str, str] | None = None):
    """(status, headers, parsed body) for one request; HTTP errors are answers too."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, payload = error.code, error.headers, error.read()
    return status, answer_headers, json.loads(payload) if payload else None


def predict(api_url: str, body: str = GUIDE_CURL_BODY, content_type: str = "application/json"):
    """POST /predict from the allowed origin, as a frontend would."""
    return http(f"{api_url}/predict", body=body, headers={"Content-Type": content_type, "Origin": ALLOWED_ORIGIN})


# What the serving image answers when a hook raises (Flask's page for an unhandled exception,
# which is werkzeug's InternalServerError page, the same in every werkzeug 2 and 3).
GENERIC_500_PAGE = InternalServerError().get_body()


def endpoint_log_has(capsys: Any, text: str, timeout: float = 10.0) -> bool:
    """Whether a local endpoint's log event (JSON on stderr, captured by pytest) mentions ``text``,
    waiting a while for the container's lines, which arrive on their own thread."""
    deadline = time.monotonic() + timeout
    seen = ""
    while True:
        seen += capsys.readouterr().err
        # Other processes' raw lines share stderr with the log events: only whole JSON lines count.
        ours = [line for line in seen.splitlines() if f'"component": "{ENDPOINT_COMPONENT}"' in line]
        found = any(text in _message(line) for line in ours)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _message(line: str) -> str:
    try:
        return str(json.loads(line).get("message", ""))
    except (ValueError, AttributeError):
        return ""


def handler_client(endpoint_url: str, **overrides: float):
    """A client like the handler's own (same timeouts and retries), aimed at a local endpoint."""
    config = endpoint_client.CLIENT_CONFIG.merge(Config(**overrides)) if overrides else endpoint_client.CLIENT_CONFIG
    return boto3.client(
        "sagemaker-runtime", endpoint_url=endpoint_url, region_name=local_settings.REGION, config=config
    )


class SharedContainers:
    """A container starter that starts each (endpoint, variant, artifact) once and hands the same
    container to every endpoint after, which then cannot close it: ``close()`` does. A test session
    starts many local stacks on the same artifacts; each serving-image container takes seconds."""

    def __init__(self, start: ContainerStarter) -> None:
        self._start = start
        self._started: dict[tuple[str, str, Path], Container] = {}
        self._lock = threading.Lock()

    def __call__(self, endpoint_name: str, variant: str, artifact: Path) -> Container:
        key = (endpoint_name, variant, artifact.resolve())
        with self._lock:
            if key not in self._started:
                self._started[key] = self._start(endpoint_name, variant, artifact)
            return _KeptOpen(self._started[key])

    def close(self) -> None:
        for container in self._started.values():
            container.close()
        self._started.clear()


@dataclass(frozen=True)
class _KeptOpen:
    """A shared container as one endpoint sees it: closing it leaves it running for the next."""

    container: Container

    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        return self.container.invoke(body, content_type, accept)

    def close(self) -> None:
        """SharedContainers.close() stops it."""


# ---------------------------------------------------------------- the template
@functools.cache
def source_template() -> dict[str, Any]:
    """template.yaml as SAM reads it (short-form intrinsics become their long form)."""
    return yaml_parse(TEMPLATE.read_text())


# What CloudFormation substitutes for the pseudo parameters when tests render a value.
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "iris-gateway",
}


def render(node: Any, values: dict[str, str]) -> Any:
    """A template value (conditions already resolved) as CloudFormation computes it: Ref, Fn::GetAtt,
    Fn::Sub, Fn::Join, Fn::Split, Fn::Select and Fn::FindInMap (template.yaml's mappings).

    ``values`` names what a Ref or an attribute ("Endpoint.EndpointName") stands for; pseudo
    parameters have PSEUDO_PARAMETERS' values."""
    known = {**PSEUDO_PARAMETERS, **values}
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return [render(item, values) for item in node]
    ((function, argument),) = node.items()
    if function == "Ref":
        return known[argument]
    if function == "Fn::GetAtt":
        return known[".".join(argument)]
    if function == "Fn::Join":
        separator, items = argument
        return separator.join(render(items, values))
    if function == "Fn::Split":
        separator, text = argument
        return render(text, values).split(separator)
    if function == "Fn::FindInMap":
        mapping, key, field = (render(part, values) for part in argument)
        return source_template()["Mappings"][mapping][key][field]
    if function == "Fn::Select":
        index, items = argument
        return render(items, values)[int(index)]
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        local = {name: render(value, values) for name, value in variables.items()}
        return re.sub(r"\$\{([^}!]+)\}", lambda match: local[match[1]] if match[1] in local else known[match[1]], text)
    raise ValueError(f"cannot render {node!r}")


# The operator guide as the seed writes it (docs/operator-guide.md), with its placeholders.
OPERATOR_GUIDE = ROOT / "docs" / "operator-guide.md"
GUIDE_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def guide_values() -> dict[str, str]:
    """What the guide's placeholders stand for with the template's defaults, in the local region."""
    defaults = {name: str(spec.get("Default", "")) for name, spec in source_template()["Parameters"].items()}
    return {
        "artifacts.endpoint.endpoint_name": defaults["EndpointName"],
        "artifacts.endpoint.region": local_settings.REGION,
        "params.instance_type": defaults["InstanceType"],
        "params.initial_instance_count": defaults["InitialInstanceCount"],
    }


def guide_blocks(heading: str, document: Path = OPERATOR_GUIDE) -> list[str]:
    """The code blocks under a heading of the operator guide, or of another Markdown ``document``
    (to the next heading of its level or higher), placeholders filled in."""
    lines = document.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("#").strip() == heading and line.startswith("#"))
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    section: list[str] = []
    in_code = False
    for line in lines[start + 1 :]:
        in_code ^= line.lstrip().startswith("```")
        if not in_code and line.startswith("#") and len(line) - len(line.lstrip("#")) <= level:
            break
        section.append(line)
    fenced = re.findall(r"^ *```\w*\n(.*?)^ *```", "\n".join(section) + "\n", flags=re.S | re.M)
    blocks = [textwrap.dedent(block) for block in fenced]
    values = guide_values()
    return [GUIDE_PLACEHOLDER.sub(lambda found: values[found.group(1)], block) for block in blocks]


def broken_artifact(artifact: Path, folder: Path) -> Path:
    """A copy of ``artifact`` whose predict_fn raises, as a model with a bug does: its container
    answers every invocation with a 500."""
    broken = folder / "broken-model.tar.gz"
    with tarfile.open(artifact) as source, tarfile.open(broken, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            content = data.read() if data else None
            if member.name.endswith("code/inference.py") and content is not None:
                content += b"\n\ndef predict_fn(input_data, model):\n    raise RuntimeError('injected fault')\n"
                member.size = len(content)
            target.addfile(member, io.BytesIO(content) if content is not None else None)
    return broken
