"""Operations: a model update under steady load, and the capacity behind the autoscaling target.

**A model update under load.** One local stack with its local AWS (``operate=True``): the template's
endpoint, alarms and DeploymentConfig in the local SageMaker, whose control plane runs UpdateEndpoint
as SageMaker's blue/green deployment. Its clock runs 50 times as fast (LOCAL_TIME_SCALE=0.02): the
canary's 300-second wait lasts 6 s, so does the 300-second bake. As in the operator-guide tests, the
p99 latency alarm fires at 2 s rather than 200 ms, so that this shared, noisy machine's latency does
not roll the update back. Four callers invoke the endpoint through the local AWS address with boto3
and one POSTs /predict to the API, without pause, from before ``update_endpoint`` until the endpoint
is InService on the new config and half a second more. Every answer names the model_version that
made it. Measured twice: with the template's DeploymentConfig (a 10% canary, rolled back by the
alarms) to the challenger artifact, then as the operator guide's snippet does it (no DeploymentConfig:
all at once) back to the primary artifact.

**Capacity for autoscaling.** SageMaker's "Load testing your auto scaling configuration"
(https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-loadtest.html) finds the peak
requests per second of one instance with a load test of increasing concurrency, then sets
``SageMakerVariantInvocationsPerInstance = (MAX_RPS * SAFETY_FACTOR) * 60`` (per minute, the metric's
period), recommending a SAFETY_FACTOR of 0.5 to start with. Here one container of the scikit-learn
image's serving code runs with one gunicorn worker (SAGEMAKER_MODEL_SERVER_WORKERS=1, the model
environment variable sagemaker-containers reads; by default the image starts one per vCPU, two on an
ml.m5.large) behind the local SageMaker Runtime. 1, 2, 4 and 8 callers invoke it with boto3, 1-row
requests, for 2.5 s per level; the level with the most requests per second and no error is the peak,
which gives the target, set next to the template's TargetInvocationsPerInstance. The same worker
is also driven on its own socket, as the image's nginx reaches it, to show how much of the peak the
local runtime and the callers (in this process, on the same cores) take: on this machine the worker
is not what limits the endpoint's peak, so the target derived from it is a floor. An ml.m5.large is
not this machine, and a real endpoint adds TLS, network and SageMaker's own front end; the ratio to
the template's target is what carries over.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import io
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import boto3

from bench.report import figure
from local_stack import serving_image, settings
from local_stack.cloudformation import load_template
from local_stack.deploy import statuses_until_in_service, upload_model
from local_stack.serving_image import ImageContainer, ModelServing, image_unavailable, network_isolation_unavailable
from local_stack.stack import (
    OperatedAws,
    function_environment_in_this_process,
    local_endpoint,
    local_stack,
    primary_only,
)
from model_training import artifact

ENDPOINT = "iris-endpoint"
BODY = json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]]})
# A local clock 50 times as fast: a 300-second canary wait lasts 6 s.
TIME_SCALE = "0.02"
# The shared machine is slow and noisy: the p99 latency alarm fires at 2 s rather than 200 ms.
TEMPLATE_PARAMETERS = {"ModelLatencyAlarmMicroseconds": "2000000"}
RUNTIME_CALLERS = 4
API_CALLERS = 1
SETTLE_SECONDS = 0.5
UPDATE_TIMEOUT_SECONDS = 60.0
ROLE = f"arn:aws:iam::{settings.ACCOUNT}:role/local"
# The capacity sweep: concurrent callers, and how long each level lasts.
CALLERS = (1, 2, 4, 8)
LEVEL_SECONDS = 2.5
SOCKET_LEVEL_SECONDS = 1.5
SAFETY_FACTOR = 0.5
WORKERS = "1"


# ------------------------------------------------------------------------------------------- helpers
class _Tail(io.TextIOBase):
    """The stack's JSON log lines (one per request) kept aside, the last few only."""

    def __init__(self, lines: int = 300) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=lines)

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)


@contextlib.contextmanager
def _logs_aside() -> Iterator[None]:
    """Thousands of request log lines would bury the figures; they are shown only when a run fails."""
    tail = _Tail()
    try:
        with contextlib.redirect_stderr(tail):
            yield
    except BaseException:
        sys.stderr.write("".join(tail.lines))
        raise


def _client(service: str, address: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=address,
        region_name=settings.REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local AWS checks no signature
    )


def _invoke(runtime: Any) -> str:
    answer = runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=BODY)
    return json.loads(answer["Body"].read())["model_version"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ---------------------------------------------------------------------------- 1. update under load
class SteadyLoad:
    """Callers without pause, through the local AWS address and through the API, until stopped: when
    each answer came and from which model_version, and every failure."""

    def __init__(self, address: str, api_url: str) -> None:
        self.answers: list[tuple[float, str]] = []  # (monotonic time, model_version)
        self.failures: list[str] = []
        self._stop = threading.Event()
        # boto3's default session is not safe to share between threads: each caller's client is made here.
        runtimes = [_client("sagemaker-runtime", address) for _ in range(RUNTIME_CALLERS)]
        self._threads = [threading.Thread(target=self._call_runtime, args=(r,), daemon=True) for r in runtimes]
        self._threads += [
            threading.Thread(target=self._call_api, args=(api_url,), daemon=True) for _ in range(API_CALLERS)
        ]

    def __enter__(self) -> SteadyLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    @property
    def requests(self) -> int:
        return len(self.answers) + len(self.failures)

    def _call_runtime(self, runtime: Any) -> None:
        while not self._stop.is_set():
            try:
                self.answers.append((time.monotonic(), _invoke(runtime)))
            except Exception as error:  # noqa: BLE001 - every failure is counted, whatever it is
                self.failures.append(f"invoke_endpoint: {error!r}")

    def _call_api(self, api_url: str) -> None:
        address = urlsplit(api_url)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        while not self._stop.is_set():
            try:
                connection.request("POST", "/predict", body=BODY, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    self.failures.append(f"POST /predict: {response.status} {body[:200]!r}")
                    continue
                self.answers.append((time.monotonic(), json.loads(body)["model_version"]))
            except Exception as error:  # noqa: BLE001 - every failure is counted, whatever it is
                self.failures.append(f"POST /predict: {error!r}")
                connection.close()  # a new connection for the next call


@dataclass(frozen=True)
class Update:
    requests: int
    failures: list[str]
    old: int
    new: int
    other: int
    seconds: float  # from the update_endpoint call to InService
    statuses: list[str]
    first_new_at: float  # seconds after the update_endpoint call
    last_old_at: float
    both_new_share: float  # of the answers while both models answered, the new model's share
    switched: bool  # InService on the new config, with no FailureReason
    failure_reason: str = ""


def _share_while_both(answers: list[tuple[float, str]], new_version: str, since: float, until: float) -> float:
    """The new model's share of the answers between ``since`` and ``until`` (its first answer and the
    old model's last)."""
    both = [version for at, version in answers if since <= at <= until]
    return both.count(new_version) / len(both) if both else float("nan")


def _update_under_load(
    aws: OperatedAws, api_url: str, name: str, model: Path, deployment_config: dict[str, Any] | None
) -> Update:
    """A new model and endpoint config named ``name``, then UpdateEndpoint to it under load."""
    sagemaker, runtime = _client("sagemaker", aws.address), _client("sagemaker-runtime", aws.address)
    old_version = _invoke(runtime)
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": "sagemaker-scikit-learn",
            "ModelDataUrl": upload_model(_client("s3", aws.address), model),
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {"VariantName": "primary", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    shifting = {"DeploymentConfig": deployment_config} if deployment_config else {}
    with SteadyLoad(aws.address, api_url) as load:
        time.sleep(SETTLE_SECONDS)
        started = time.monotonic()
        sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName=name, **shifting)
        statuses = statuses_until_in_service(sagemaker, ENDPOINT, UPDATE_TIMEOUT_SECONDS)
        seconds = time.monotonic() - started
        time.sleep(SETTLE_SECONDS)
    described = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    new_version = _invoke(runtime)
    answers = [(at - started, version) for at, version in load.answers]  # seconds after update_endpoint
    versions = [version for _, version in answers]
    new_at = [at for at, version in answers if version == new_version and version != old_version]
    old_at = [at for at, version in answers if version == old_version]
    return Update(
        requests=load.requests,
        failures=list(load.failures),
        old=versions.count(old_version),
        new=versions.count(new_version) if new_version != old_version else 0,
        other=sum(1 for version in versions if version not in {old_version, new_version}),
        seconds=seconds,
        statuses=statuses,
        first_new_at=min(new_at, default=float("nan")),
        last_old_at=max(old_at, default=float("nan")),
        both_new_share=_share_while_both(answers, new_version, min(new_at, default=0), max(old_at, default=0)),
        switched=described["EndpointConfigName"] == name and "FailureReason" not in described,
        failure_reason=described.get("FailureReason", ""),
    )


def _report_update(label: str, update: Update) -> None:
    sequence = " -> ".join(update.statuses)  # as DescribeEndpoint answered after update_endpoint
    print(f"  {label}")
    print(
        f"    {update.requests} requests, {len(update.failures)} failed; answers: {update.old} from the old"
        f" model_version, {update.new} from the new, {update.other} from neither"
    )
    print(
        f"    update_endpoint to InService: {update.seconds:.1f} s ({sequence}); first answer from the new"
        f" model at +{update.first_new_at:.1f} s, last from the old at +{update.last_old_at:.1f} s"
    )
    if update.last_old_at - update.first_new_at > 1:
        print(f"    while both models answered, {update.both_new_share:.1%} of the answers came from the new one")
    if not update.switched:
        print(f"    NOT switched to the new config: {update.failure_reason or 'no reason given'}")
    for failure in update.failures[:5]:
        print(f"    failure: {failure}")
    figure(
        f"model update under load, {label}: failures",
        f"{len(update.failures)} of {update.requests}",
        "0, and InService on the new config",
        not update.failures and update.switched and update.other == 0,
    )
    figure(
        f"model update under load, {label}: answers old/new, duration, statuses",
        f"{update.old} old, {update.new} new; {update.seconds:.1f} s; {sequence}",
    )


def update_under_load() -> dict[str, float]:
    print(
        f"Model update under load: {RUNTIME_CALLERS} boto3 callers on the local AWS address and {API_CALLERS}"
        f" on POST /predict, LOCAL_TIME_SCALE={TIME_SCALE}"
    )
    figures: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory() as scratch,
        function_environment_in_this_process(
            {
                "LOCAL_TIME_SCALE": TIME_SCALE,
                "LOCAL_ALARM_OUTBOX": str(Path(scratch) / "alarm-notifications.jsonl"),
                "DATA_CAPTURE_DIR": str(Path(scratch) / "data-capture"),
            }
        ),
        _logs_aside(),
        local_stack(
            variants=primary_only(artifact.PATH),
            operate=True,
            aws_port=0,
            endpoint_port=0,
            api_port=0,
            serve_page=False,
            template_parameters=TEMPLATE_PARAMETERS,
        ) as running,
    ):
        assert running.aws is not None
        runs = {
            "canary (the template's DeploymentConfig)": ("iris-canary", artifact.CHALLENGER_PATH, True),
            "all at once (the operator guide's snippet)": ("iris-all-at-once", artifact.PATH, False),
        }
        updates = {
            label: _update_under_load(
                running.aws, running.api_url, name, model, running.aws.deployed.deployment_config if canary else None
            )
            for label, (name, model, canary) in runs.items()
        }
        model_runtime, lambda_runtime = running.model_runtime, running.lambda_runtime
    print(f"  (the endpoint: {model_runtime}; the function: {lambda_runtime})")
    for (label, update), key in zip(updates.items(), ("canary", "all_at_once"), strict=True):
        _report_update(label, update)
        figures |= {f"update_{key}_failures": len(update.failures), f"update_{key}_seconds": update.seconds}
    return figures


# ----------------------------------------------------------------------------- 2. capacity
@dataclass
class Level:
    callers: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def row(self) -> str:
        return (
            f"  {self.callers:>7}  {self.rps:>8.0f}  {statistics.median(self.latencies) * 1000:>7.2f} ms"
            f"  {_percentile(self.latencies, 0.99) * 1000:>7.2f} ms  {len(self.errors):>6}"
        )


def _drive(calls: list[Callable[[], None]], seconds: float) -> Level:
    """Each call on its own thread, without pause, for ``seconds`` from a common start."""
    level = Level(len(calls))
    start = threading.Barrier(len(calls) + 1)

    def loop(call: Callable[[], None]) -> None:
        start.wait()
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            began = time.perf_counter()
            try:
                call()
            except Exception as error:  # noqa: BLE001 - counted, whatever it is
                level.errors.append(repr(error))
                continue
            level.latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=loop, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    level.seconds = time.perf_counter() - began
    return level


def _sweep(title: str, make_call: Callable[[], Callable[[], None]], seconds: float) -> Level:
    print(f"  {title}")
    print(f"  {'callers':>7}  {'req/s':>8}  {'p50':>10}  {'p99':>10}  {'errors':>6}")
    levels = []
    for callers in CALLERS:
        calls = [make_call() for _ in range(callers)]
        for call in calls:
            call()  # connections and lazy imports outside the measurement
        levels.append(_drive(calls, seconds))
        print(levels[-1].row())
    # SageMaker's peak is where latency rises or answers start failing: the best level with no error.
    return max([level for level in levels if not level.errors] or levels, key=lambda level: level.rps)


def capacity() -> dict[str, float]:
    reason = image_unavailable()
    if reason is not None:
        print(f"Capacity for autoscaling: not measured, {reason}")
        return {}
    containers: list[ImageContainer] = []

    def one_worker(endpoint_name: str, variant: str, model: Path) -> ImageContainer:
        with mock.patch.dict(serving_image.IMAGE_ENVIRONMENT, {"SAGEMAKER_MODEL_SERVER_WORKERS": WORKERS}):
            containers.append(
                ImageContainer(endpoint_name, variant, model, isolate_network=network_isolation_unavailable() is None)
            )
        return containers[-1]

    print(
        f"Capacity for autoscaling: one container of the serving image, {WORKERS} gunicorn gevent worker,"
        f" 1-row requests, {LEVEL_SECONDS:g} s per level"
    )
    serving = ModelServing(one_worker, f"the serving image, {WORKERS} worker")
    with _logs_aside(), local_endpoint(primary_only(artifact.PATH), ENDPOINT, "127.0.0.1", 0, serving=serving) as url:

        def through_runtime() -> Callable[[], None]:
            runtime = _client("sagemaker-runtime", url)
            return lambda: runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=BODY)[
                "Body"
            ].read()

        def on_socket() -> Callable[[], None]:
            def call() -> None:
                answer = containers[0].invoke(BODY.encode(), "application/json", "application/json")
                if answer.status != 200:
                    raise RuntimeError(f"the worker answered {answer.status}")

            return call

        endpoint_peak = _sweep(
            "boto3 invoke_endpoint -> the local SageMaker Runtime -> the worker", through_runtime, LEVEL_SECONDS
        )
        socket_peak = _sweep(
            "the worker on its own socket, a connection per request as nginx makes", on_socket, SOCKET_LEVEL_SECONDS
        )
    default = float(load_template().parameter_defaults["TargetInvocationsPerInstance"])
    target = endpoint_peak.rps * 60 * SAFETY_FACTOR
    print(
        f"  SageMakerVariantInvocationsPerInstance = (MAX_RPS * SAFETY_FACTOR) * 60 = ({endpoint_peak.rps:.0f}"
        f" * {SAFETY_FACTOR:g}) * 60 = {target:,.0f} per minute; the template's default is {default:.0f}"
        f" ({target / default:,.0f}x lower)"
    )
    figure(
        f"one serving worker's peak through the endpoint ({endpoint_peak.callers} callers)",
        f"{endpoint_peak.rps:.0f} requests/s, p50 {statistics.median(endpoint_peak.latencies) * 1000:.1f} ms"
        f" (on its own socket: {socket_peak.rps:.0f}/s with {socket_peak.callers} callers)",
    )
    figure(
        "TargetInvocationsPerInstance from that peak, (rps x 0.5) x 60, vs the template's",
        f"{target:,.0f}/min vs {default:.0f}/min ({target / default:,.0f}x)",
    )
    return {
        "worker_peak_rps": endpoint_peak.rps,
        "worker_socket_peak_rps": socket_peak.rps,
        "derived_target_per_minute": target,
        "template_target_per_minute": default,
    }


def run() -> dict[str, float]:
    figures = update_under_load()
    print()
    return figures | capacity()


if __name__ == "__main__":
    run()
