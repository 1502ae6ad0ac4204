"""The operator guide's Monitoring, Updating the Model and Scaling sections, run as
docs/operator-guide.md writes them against the local stack, with boto3 and with the AWS CLI. The
only change is AWS_ENDPOINT_URL (and local credentials): every command reaches the local AWS address."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from bench.operations import SteadyLoad
from local_stack import settings
from local_stack.deploy import statuses_until_in_service, upload_model, wait_in_service
from local_stack.stack import RunningStack, VariantSpec, local_stack
from predict.settings import DEFAULT_ENDPOINT_NAME
from project import ROOT
from tests.helpers import GUIDE_CURL_BODY, broken_artifact, guide_blocks, guide_values, http, predict

AWS_CLI_DIRECTORY = str(Path(sys.executable).parent)  # requirements/dev.txt installs the AWS CLI into .venv
# A local clock 50 times as fast: a 300-second canary bake lasts 6 s, a 60-second alarm period 1.2 s.
TIME_SCALE = "0.02"
# The shared test machine is slow and noisy: the p99 latency alarm fires at 2 s rather than 200 ms,
# so that only the injected faults roll an update back.
TEMPLATE_PARAMETERS = {"ModelLatencyAlarmMicroseconds": "2000000"}
ENDPOINT_ERRORS_ALARM = f"{settings.STACK_NAME}-EndpointErrorsAlarm"


@pytest.fixture(scope="module")
def operated(model_artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The stack as `make run` starts it: the template's endpoint, alarms and scaling in the local AWS."""
    outbox = tmp_path_factory.mktemp("outbox") / "alarm-notifications.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_TIME_SCALE", TIME_SCALE)
        patch.setenv("LOCAL_ALARM_OUTBOX", str(outbox))
        with local_stack(
            variants=[VariantSpec("primary", model_artifact)],
            endpoint_port=0,
            api_port=0,
            aws_port=0,
            serve_page=False,
            operate=True,
            template_parameters=TEMPLATE_PARAMETERS,
        ) as running:
            yield running


@pytest.fixture
def guide_environment(operated: RunningStack, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This process's environment with the one change the README asks for; boto3 reads it too."""
    assert operated.aws is not None
    for name, value in {
        "AWS_ENDPOINT_URL": operated.aws.address,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": settings.REGION,
    }.items():
        monkeypatch.setenv(name, value)
    # Only AWS_ENDPOINT_URL: a service's own variable (set here by an in-process stack) would win over it.
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"):
        monkeypatch.delenv(name, raising=False)
    return {**os.environ, "PATH": f"{AWS_CLI_DIRECTORY}:{os.environ['PATH']}"}


def run_block(block: str, environment: dict[str, str], cwd: Path = ROOT) -> list[dict[str, Any]]:
    """Runs a bash block of the guide as it is; returns the JSON document each command printed
    (lines of plain text, such as `aws s3 cp`'s, are left out)."""
    completed = subprocess.run(
        ["bash", "-e", "-c", block], env=environment, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    decoder = json.JSONDecoder()
    documents, text = [], completed.stdout.strip()
    while text:
        try:
            document, end = decoder.raw_decode(text)
        except ValueError:
            end = (text.find("\n") + 1) or len(text)
        else:
            documents.append(document)
        text = text[end:].strip()
    return documents


def invoke(count: int) -> None:
    runtime = boto3.client("sagemaker-runtime")
    for _ in range(count):
        runtime.invoke_endpoint(
            EndpointName=DEFAULT_ENDPOINT_NAME, ContentType="application/json", Body=GUIDE_CURL_BODY
        )


def test_check_endpoint_status_shows_the_templates_endpoint_in_service(guide_environment):
    (described,) = run_block(guide_blocks("Check Endpoint Status")[0], guide_environment)

    assert described["EndpointName"] == DEFAULT_ENDPOINT_NAME
    assert described["EndpointStatus"] == "InService"
    config = boto3.client("sagemaker").describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    (variant,) = config["ProductionVariants"]
    # The template's defaults: ml.m5.large, one instance, its model.
    assert (variant["VariantName"], variant["InstanceType"], variant["InitialInstanceCount"]) == (
        "primary",
        guide_values()["params.instance_type"],
        int(guide_values()["params.initial_instance_count"]),
    )
    model = boto3.client("sagemaker").describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert model["PrimaryContainer"]["ModelDataUrl"].startswith("s3://")


def test_invocation_count_for_the_last_hour_is_what_was_sent(guide_environment):
    (block,) = guide_blocks("View Invocation Metrics")

    def invocations() -> float:
        time.sleep(1.1)  # the CLI's times have whole seconds, and EndTime is not included
        (answer,) = run_block(block, guide_environment)
        return sum(point["Sum"] for point in answer["Datapoints"])

    before = invocations()
    invoke(7)

    assert invocations() - before == 7


@pytest.mark.parametrize(
    "metric",
    ["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", "OverheadLatency"],
)
def test_every_metric_the_guide_names_exists_with_sagemakers_unit_and_dimensions(guide_environment, metric):
    invoke(2)
    time.sleep(1.1)
    now = datetime.datetime.now(datetime.UTC)
    answer = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName=metric,
        Dimensions=[
            {"Name": "EndpointName", "Value": DEFAULT_ENDPOINT_NAME},
            {"Name": "VariantName", "Value": "primary"},
        ],
        StartTime=now - datetime.timedelta(hours=1),
        EndTime=now,
        Period=3600,
        Statistics=["SampleCount", "Maximum"],
    )

    (point,) = answer["Datapoints"]
    assert point["SampleCount"] >= 2
    assert point["Unit"] == ("Microseconds" if metric.endswith("Latency") else "None")
    if metric.endswith("Errors"):
        assert point["Maximum"] == 0  # two good invocations, no errors
    elif metric.endswith("Latency"):
        assert 0 < point["Maximum"] < 60_000_000


def test_endpoint_logs_are_the_containers_and_readable_with_the_cli(guide_environment, operated):
    (block,) = guide_blocks("View Logs")
    group = f"/aws/sagemaker/Endpoints/{DEFAULT_ENDPOINT_NAME}"
    assert f"aws logs tail {group} --follow" in block
    invoke(1)

    # `aws logs tail` is AWS CLI v2's; v1 (this project's pin) reads the same events with filter-log-events.
    (events,) = run_block(f"aws logs filter-log-events --log-group-name {group}", guide_environment)

    if "the scikit-learn image" not in operated.model_runtime:
        pytest.skip(f"SKIPPED LOUDLY: the containers run in this process ({operated.model_runtime}): no container log")
    streams = {event["logStreamName"] for event in events["events"]}
    assert streams == {"primary/local"}
    assert any("gunicorn" in event["message"].lower() for event in events["events"])
    (stream,) = run_block(
        f"aws logs get-log-events --log-group-name {group} --log-stream-name primary/local", guide_environment
    )
    assert [event["message"] for event in stream["events"]] == [event["message"] for event in events["events"]]


def test_the_apis_access_log_and_the_functions_log_have_groups_of_their_own(guide_environment, operated):
    _status, headers, _answer = predict(operated.api_url)
    request_id = headers["x-amzn-RequestId"]

    def lines_naming_the_request(group: str) -> list[dict[str, Any]]:
        pages = boto3.client("logs").get_paginator("filter_log_events").paginate(logGroupName=group)
        return [event for page in pages for event in page["events"] if request_id in event["message"]]

    (access,) = lines_naming_the_request(f"/aws/apigateway/{settings.STACK_NAME}-access")
    line = json.loads(access["message"])
    assert (line["method"], line["path"], line["status"]) == ("POST", "/predict", "200")

    if operated.lambda_runtime.startswith("in this process"):
        pytest.skip(f"SKIPPED LOUDLY: the function runs {operated.lambda_runtime}: its log lines are not collected")
    # The function's round trip through the emulator takes milliseconds, within the request's own.
    assert 0 < int(line["integrationLatencyMs"]) <= int(line["latencyMs"])
    deadline = time.monotonic() + 10
    while not (found := lines_naming_the_request(f"/aws/lambda/{settings.STACK_NAME}-predict")):
        assert time.monotonic() < deadline, "the function's log line never arrived"
        time.sleep(0.2)
    assert found[0]["logStreamName"].split("/")[-1].startswith("[$LATEST]")


def test_the_guides_scaling_commands_are_accepted_next_to_the_templates(guide_environment):
    (block,) = guide_blocks("Auto Scaling (via AWS Console or CLI)")
    run_block(block, guide_environment)

    scaling = boto3.client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    policies = {
        policy["PolicyName"]: policy
        for policy in scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    }
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == (
        f"endpoint/{DEFAULT_ENDPOINT_NAME}/variant/primary",
        1,
        10,
    )
    guides = policies[f"{DEFAULT_ENDPOINT_NAME}-scaling-policy"]["TargetTrackingScalingPolicyConfiguration"]
    templates = policies[f"{DEFAULT_ENDPOINT_NAME}-invocations-per-instance"][
        "TargetTrackingScalingPolicyConfiguration"
    ]
    for configuration in (guides, templates):
        assert configuration["TargetValue"] == 70.0
        assert configuration["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
            "SageMakerVariantInvocationsPerInstance"
        )


def create_model(name: str, artifact: Path) -> None:
    """The guide's steps before its snippet: the artifact uploaded to S3, a model made from it."""
    url = upload_model(boto3.client("s3"), artifact)
    boto3.client("sagemaker").create_model(
        ModelName=name,
        ExecutionRoleArn=f"arn:aws:iam::{settings.ACCOUNT}:role/local",
        PrimaryContainer={"Image": "sagemaker-scikit-learn", "ModelDataUrl": url},
    )


def test_the_guides_blue_green_update_switches_models_under_load_with_no_failure(
    guide_environment, operated, challenger_artifact
):
    (snippet,) = guide_blocks("Updating the Model")
    create_model("your-new-model", challenger_artifact)
    old_version = json.loads(
        boto3.client("sagemaker-runtime")
        .invoke_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME, Body=GUIDE_CURL_BODY, ContentType="application/json")[
            "Body"
        ]
        .read()
    )["model_version"]

    with SteadyLoad(operated.aws.address, operated.api_url) as load:
        time.sleep(0.5)
        exec(compile(snippet, "operator-guide.md", "exec"), {})  # the guide's own code, as written
        statuses = statuses_until_in_service(boto3.client("sagemaker"), DEFAULT_ENDPOINT_NAME)
        in_service_at = time.monotonic()
        time.sleep(0.5)

    described = boto3.client("sagemaker").describe_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME)
    print(f"\nupdate under load: {load.requests} requests, {len(load.failures)} failed")
    assert load.failures == []
    assert statuses == ["Updating", "InService"]
    assert described["EndpointConfigName"] == f"{DEFAULT_ENDPOINT_NAME}-v2"
    assert "FailureReason" not in described
    answers = sorted(load.answers)
    assert answers[0][1] == old_version
    # Once the endpoint is InService on the new config, every answer comes from the new model.
    after = {version for at, version in answers if at > in_service_at}
    assert len(after) == 1
    assert after != {old_version}


def test_a_fault_during_the_canary_bake_alarms_notifies_and_rolls_back(guide_environment, operated, tmp_path):
    assert operated.aws is not None
    sagemaker = boto3.client("sagemaker")
    before = sagemaker.describe_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME)
    create_model("faulty-model", broken_artifact(before_artifact(before), tmp_path))
    sagemaker.create_endpoint_config(
        EndpointConfigName="faulty-config",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": "faulty-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )

    with SteadyLoad(operated.aws.address, operated.api_url) as load:
        # The stack's own DeploymentConfig: a 10% canary, rolled back by EndpointErrorsAlarm.
        sagemaker.update_endpoint(
            EndpointName=DEFAULT_ENDPOINT_NAME,
            EndpointConfigName="faulty-config",
            DeploymentConfig=operated.aws.deployed.deployment_config,
        )
        statuses = statuses_until_in_service(boto3.client("sagemaker"), DEFAULT_ENDPOINT_NAME)
    after = sagemaker.describe_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME)

    assert statuses == ["Updating", "RollingBack", "InService"]
    assert after["EndpointConfigName"] == before["EndpointConfigName"]
    assert ENDPOINT_ERRORS_ALARM in after["FailureReason"]
    assert 0 < len(load.failures) < len(load.answers)  # only the canary's share failed
    alarm_states = [notice["Message"]["NewStateValue"] for notice in outbox(ENDPOINT_ERRORS_ALARM)]
    assert alarm_states[:1] == ["ALARM"]  # the stack's first notification of it: the fault
    topic = operated.aws.deployed.alarm_topic_arn
    assert {notice["TopicArn"] for notice in outbox(ENDPOINT_ERRORS_ALARM)} == {topic}

    # Recovery: with the old model serving, the errors stop and the alarm goes back to OK.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and state(ENDPOINT_ERRORS_ALARM) != "OK":
        invoke(1)
        time.sleep(0.2)
    assert state(ENDPOINT_ERRORS_ALARM) == "OK"
    assert [notice["Message"]["NewStateValue"] for notice in outbox(ENDPOINT_ERRORS_ALARM)][-2:] == ["ALARM", "OK"]


def before_artifact(described: dict[str, Any]) -> Path:
    """The artifact the endpoint serves now, read back from the local S3."""
    sagemaker = boto3.client("sagemaker")
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    url = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])["PrimaryContainer"][
        "ModelDataUrl"
    ]
    bucket, _, key = url.removeprefix("s3://").partition("/")
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"serving-{os.getpid()}.tar.gz"
    path.write_bytes(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    return path


def state(alarm: str) -> str:
    (found,) = boto3.client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
    return found["StateValue"]


def outbox(alarm: str) -> list[dict[str, Any]]:
    lines = settings.alarm_outbox().read_text().splitlines()
    return [notice for notice in map(json.loads, lines) if notice["Message"]["AlarmName"] == alarm]


def test_the_stacks_alarms_exist_with_the_templates_metrics(guide_environment, operated):
    alarms = {alarm["AlarmName"]: alarm for alarm in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert operated.aws is not None

    endpoint_errors = alarms[ENDPOINT_ERRORS_ALARM]
    assert (endpoint_errors["Namespace"], endpoint_errors["MetricName"]) == ("AWS/SageMaker", "Invocation5XXErrors")
    assert {d["Name"]: d["Value"] for d in endpoint_errors["Dimensions"]} == {
        "EndpointName": DEFAULT_ENDPOINT_NAME,
        "VariantName": "primary",
    }
    assert endpoint_errors["AlarmActions"] == [operated.aws.deployed.alarm_topic_arn]
    assert set(alarms) == set(operated.aws.deployed.alarm_names.values())


def test_wait_in_service_names_a_failed_endpoint(guide_environment, tmp_path):
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model(
        ModelName="missing-artifact",
        ExecutionRoleArn=f"arn:aws:iam::{settings.ACCOUNT}:role/local",
        PrimaryContainer={"Image": "sagemaker-scikit-learn", "ModelDataUrl": "s3://nowhere/model.tar.gz"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="missing-artifact",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": "missing-artifact",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName="another-endpoint", EndpointConfigName="missing-artifact")

    with pytest.raises(RuntimeError, match=r"Could not access model data at s3://nowhere/model\.tar\.gz"):
        wait_in_service(sagemaker, "another-endpoint", timeout=30)


# Dashboard metrics the local stack cannot emit, and why.
NOT_EMITTED_LOCALLY = {
    ("/aws/sagemaker/Endpoints", "CPUUtilization"): "an instance's agent reports it; no instance runs locally",
    ("/aws/sagemaker/Endpoints", "MemoryUtilization"): "an instance's agent reports it; no instance runs locally",
    ("AWS/Lambda", "Throttles"): "Lambda counts throttled invocations; the local runtime never throttles",
    ("IrisGateway", "EndpointErrors"): "the function counts the endpoint's failures; none is injected here",
}
SEARCH = re.compile(r"SEARCH\('\{(?P<schema>[^}]*)\}(?P<terms>[^']*)'")


def dashboard_metrics(body: dict[str, Any]) -> set[tuple[str, str, frozenset[str]]]:
    """Every (namespace, metric, dimension names) a dashboard's widgets plot: metric arrays (where
    "." repeats the line above) and SEARCH expressions ({namespace,dimensions} MetricName=...)."""
    found = set()
    for widget in body["widgets"]:
        previous: list[str] = []
        for line in widget["properties"]["metrics"]:
            if isinstance(line[0], dict):
                search = SEARCH.search(line[0]["expression"])
                assert search, line
                namespace, *dimensions = search["schema"].split(",")
                for metric in re.findall(r'"(\w+)"', search["terms"].split("MetricName=")[1]):
                    found.add((namespace, metric, frozenset(dimensions)))
                continue
            fields = [field for field in line if not isinstance(field, dict)]
            fields = [previous[i] if field == "." else field for i, field in enumerate(fields)]
            previous = fields
            found.add((fields[0], fields[1], frozenset(fields[2::2])))
    return found


def emitted_metrics(names: set[tuple[str, str]]) -> set[tuple[str, str, frozenset[str]]]:
    """(namespace, metric, dimension names) of each of ``names`` that CloudWatch lists."""
    pages = boto3.client("cloudwatch").get_paginator("list_metrics")
    return {
        (metric["Namespace"], metric["MetricName"], frozenset(d["Name"] for d in metric["Dimensions"]))
        for namespace, name in names
        for page in pages.paginate(Namespace=namespace, MetricName=name)
        for metric in page["Metrics"]
    }


def test_every_dashboard_metric_is_one_the_local_stack_emits(guide_environment, operated):
    assert operated.aws is not None
    # One flower of each class through the API (curl's path), so the function counts each class.
    for row in ([5.1, 3.5, 1.4, 0.2], [6.0, 2.7, 4.1, 1.0], [7.7, 3.0, 6.1, 2.3]):
        predict(operated.api_url, json.dumps({"instances": [row]}))
    invoke(1)
    body = json.loads(
        boto3.client("cloudwatch").get_dashboard(DashboardName=operated.aws.deployed.dashboard_name)["DashboardBody"]
    )
    if operated.lambda_runtime.startswith("in this process"):
        pytest.skip(f"SKIPPED LOUDLY: the function runs {operated.lambda_runtime}: its log lines are not collected")

    deadline = time.monotonic() + 10
    while True:
        emitted = emitted_metrics({(namespace, metric) for namespace, metric, _ in dashboard_metrics(body)})
        missing = {
            found for found in dashboard_metrics(body) - emitted if (found[0], found[1]) not in NOT_EMITTED_LOCALLY
        }
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # the function's log lines arrive a moment after its answer

    assert missing == set()
    plotted = {(namespace, metric) for namespace, metric, _ in dashboard_metrics(body)}
    assert set(NOT_EMITTED_LOCALLY) <= plotted  # each exception names a metric the dashboard has


def test_the_readmes_operating_commands_run_as_written(guide_environment, operated, challenger_artifact, tmp_path):
    assert operated.aws is not None
    # The README's address is make run's; this stack listens on a free port.
    status, upload = (
        block.replace(f"http://127.0.0.1:{settings.DEFAULT_AWS_PORT}", operated.aws.address)
        for block in guide_blocks("Operating it locally", ROOT / "README.md")
    )

    described, _metrics, _events, alarms, policies = run_block(status, {**guide_environment, "PWD": str(ROOT)})
    # In a checkout where `make challenger` has run: its artifact where the README says.
    (tmp_path / "build" / "challenger").mkdir(parents=True)
    (tmp_path / "build" / "challenger" / "model.tar.gz").symlink_to(challenger_artifact)
    run_block(upload, guide_environment, cwd=tmp_path)

    assert described["EndpointStatus"] in {"InService", "Updating"}
    assert [f"{settings.STACK_NAME}-EndpointErrorsAlarm", "OK"] in alarms or [
        f"{settings.STACK_NAME}-EndpointErrorsAlarm",
        "ALARM",
    ] in alarms
    assert {policy["PolicyName"] for policy in policies["ScalingPolicies"]} >= {
        f"{DEFAULT_ENDPOINT_NAME}-invocations-per-instance"
    }
    model = boto3.client("sagemaker").describe_model(ModelName="your-new-model")
    assert model["PrimaryContainer"]["ModelDataUrl"].endswith("/models/challenger/model.tar.gz")


def test_the_rehearsal_snippet_passes_the_templates_own_deployment_config(operated):
    assert operated.aws is not None
    (snippet,) = guide_blocks("Rehearsing locally", ROOT / "docs" / "operations.md")
    calls: list[dict[str, Any]] = []

    class Recorder:
        def update_endpoint(self, **parameters: Any) -> None:
            calls.append(parameters)

    fake_boto3 = type(sys)("boto3")
    fake_boto3.client = lambda service: Recorder()  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "boto3", fake_boto3)
        exec(compile(snippet, "operations.md", "exec"), {})

    (call,) = calls
    assert call["DeploymentConfig"] == operated.aws.deployed.deployment_config


@pytest.mark.parametrize("action", ["CreateEndpoint", "UpdateEndpoint", "DeleteEndpoint"])
@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe{", b'{"EndpointName": 5}', b'{"EndpointName": null}', b"{}" * 1000],
    ids=["empty", "cut", "array", "null", "string", "not-utf8", "number-name", "null-name", "repeated"],
)
def test_the_control_planes_own_actions_answer_raw_hostile_bodies_with_a_400(operated, action, body):
    assert operated.aws is not None
    status, _headers, answer = http(
        operated.aws.address,
        body=body,
        headers={
            "X-Amz-Target": f"SageMaker.{action}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20261202/us-east-1/sagemaker/aws4_request",
        },
    )

    assert status == 400
    assert answer["__type"] in {"SerializationException", "ValidationException"}
    # The endpoint the stack deployed is untouched.
    assert boto3.client(
        "sagemaker",
        endpoint_url=operated.aws.address,
        region_name=settings.REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).describe_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME)["EndpointStatus"] in {"InService", "Updating"}
