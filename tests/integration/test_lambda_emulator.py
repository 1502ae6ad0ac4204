"""The function in the Lambda Runtime Interface Emulator, over real HTTP through the local API
Gateway: its timeout, a failed init, concurrent callers on separate instances, and the cold/warm
lifecycle. Small handlers written here stand in for the function where a behaviour needs one."""

from __future__ import annotations

import dataclasses
import itertools
import json
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local_stack.api_gateway import LocalRestApi
from local_stack.cloudformation import ApiRoute, FunctionSpec, load_template
from local_stack.http_server import base_url, serve_in_background
from local_stack.lambda_environments import EmulatedFunctions, emulator_binary
from tests.helpers import ALLOWED_ORIGIN, http

pytestmark = pytest.mark.integration

HANDLERS = """
import json, os, time

STARTED = time.time()  # module scope: runs once per instance, in its init phase
INVOCATIONS = 0


def respond(body):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def lifecycle(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    return respond({"pid": os.getpid(), "invocations": INVOCATIONS, "started": STARTED,
                    "remaining_ms": context.get_remaining_time_in_millis(),
                    "memory": context.memory_limit_in_mb, "secret": os.environ.get("AWS_SECRET_ACCESS_KEY")})


def slow(event, context):
    began = time.time()
    time.sleep(float(event["queryStringParameters"]["seconds"]))
    return respond({"pid": os.getpid(), "began": began, "ended": time.time()})
"""


@pytest.fixture(scope="module", autouse=True)
def needs_the_emulator():
    try:
        emulator_binary()
    except ValueError as unavailable:
        pytest.skip(f"SKIPPED LOUDLY: the Lambda Runtime Interface Emulator cannot run here: {unavailable}")


def _function(tmp_path: Path, handler: str, source: str = HANDLERS, timeout: int = 2) -> FunctionSpec:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / "toy.py").write_text(textwrap.dedent(source))
    return FunctionSpec(
        logical_id="Toy",
        code_uri=code,
        handler=handler,
        runtime="python3.13",
        timeout_seconds=timeout,
        memory_mb=256,
        environment={"GREETING": "hello"},
        declared_environment=frozenset({"GREETING"}),
    )


class _Gateway:
    """One route, /toy, to the given function in the emulator, served over HTTP."""

    def __init__(self, function: FunctionSpec, instances: int) -> None:
        self.functions = EmulatedFunctions({"Toy": function}, {}, instances)
        self.template = load_template(parameters={"AllowedOrigins": ALLOWED_ORIGIN})
        self.url = ""

    def __enter__(self) -> _Gateway:
        self.functions.__enter__()
        # The template's gateway responses, with a route to the toy function instead of its own.
        toy_api = dataclasses.replace(self.template, routes=(ApiRoute("/toy", "ANY", "Toy"),))
        gateway = LocalRestApi.from_spec(toy_api, self.functions)
        self._server = serve_in_background(gateway)
        self.url = base_url(self._server.__enter__()) + "/toy"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)
        self.functions.__exit__()

    def call(self, query: str = ""):
        return http(f"{self.url}{query}", method="GET", headers={"Origin": ALLOWED_ORIGIN})


def test_init_runs_once_per_instance_then_the_instance_is_warm(tmp_path, capsys):
    with _Gateway(_function(tmp_path, "toy.lifecycle"), instances=1) as gateway:
        answers = [gateway.call()[2] for _ in range(3)]

    assert [answer["invocations"] for answer in answers] == [1, 2, 3]
    assert len({(answer["pid"], answer["started"]) for answer in answers}) == 1
    init_logs = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"phase": "init"' in line]
    assert [(log["function"], log["instance"]) for log in init_logs] == [("Toy", 0)]


def test_the_function_sees_lambdas_context_and_only_its_own_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "a-secret-of-this-shell")
    with _Gateway(_function(tmp_path, "toy.lifecycle"), instances=1) as gateway:
        answer = gateway.call()[2]

    assert answer["memory"] == "256"  # a string, as Lambda's own runtime client gives it
    assert 0 < answer["remaining_ms"] <= 2000
    assert answer["secret"] == "local"


def test_a_function_over_its_timeout_is_answered_as_api_gateway_answers_a_failed_lambda(tmp_path):
    with _Gateway(_function(tmp_path, "toy.slow", timeout=1), instances=1) as gateway:
        status, headers, body = gateway.call("?seconds=3")
        after = gateway.call("?seconds=0")

    assert status == 502
    assert body == {"message": "Internal server error", "errors": [], "requestId": headers["x-amzn-RequestId"]}
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    # The timed-out runtime was replaced: the instance serves again.
    assert after[0] == 200


def test_a_function_that_fails_at_import_is_answered_502(tmp_path):
    broken = "import json\nraise RuntimeError('no config at init')\ndef handler(event, context): pass\n"

    with _Gateway(_function(tmp_path, "toy.handler", source=broken), instances=1) as gateway:
        first, again = gateway.call(), gateway.call()

    for status, headers, body in (first, again):
        assert (status, body["message"]) == (502, "Internal server error")
        assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_concurrent_callers_run_at_once_on_separate_instances(tmp_path):
    with _Gateway(_function(tmp_path, "toy.slow"), instances=3) as gateway, ThreadPoolExecutor(3) as pool:
        answers = [body for _, _, body in pool.map(lambda _: gateway.call("?seconds=0.5"), range(3))]

    assert len({answer["pid"] for answer in answers}) == 3
    # Every invocation began before any other had ended: they overlapped in time.
    assert max(answer["began"] for answer in answers) < min(answer["ended"] for answer in answers)


def test_more_callers_than_instances_wait_their_turn(tmp_path):
    with _Gateway(_function(tmp_path, "toy.slow"), instances=1) as gateway, ThreadPoolExecutor(3) as pool:
        answers = [body for _, _, body in pool.map(lambda _: gateway.call("?seconds=0.2"), range(3))]

    assert len({answer["pid"] for answer in answers}) == 1
    spans = sorted((answer["began"], answer["ended"]) for answer in answers)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


def test_the_real_function_runs_with_the_templates_settings(stack):
    (function,) = load_template().functions.values()

    status, _, body = http(
        f"{stack.api_url}/predict",
        body='{"instances": [[5.1, 3.5, 1.4, 0.2]]}',
        headers={"Content-Type": "application/json"},
    )

    assert (function.handler, function.timeout_seconds) == ("predict.app.lambda_handler", 20)
    assert status == 200
    assert body["predictions"] == [0]
    assert stack.lambda_runtime.startswith("Lambda Runtime Interface Emulator")
