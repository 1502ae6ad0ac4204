"""SageMaker's control plane for the local runtime: endpoints are created, updated and deleted
through the SageMaker API at the local AWS address, and the runtime serves what they say.

moto keeps the records (models, endpoint configs, endpoints) and answers every other call. This
module adds what moto does not do: it starts each variant's container from the model's
``ModelDataUrl`` in the local S3 when an endpoint is created, and it implements ``UpdateEndpoint``
(moto 5.2 has none) as SageMaker's blue/green deployment
(docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green.html):
- the new fleet starts next to the old one, and the endpoint is ``Updating``;
- traffic shifts as the DeploymentConfig's TrafficRoutingConfiguration says (CANARY, LINEAR or
  ALL_AT_ONCE, the default when an update names none), waiting WaitIntervalInSeconds after each
  step and TerminationWaitInSeconds once all traffic is on the new fleet (the baking period);
- if an alarm of the AutoRollbackConfiguration is in ALARM while it waits, all traffic goes back
  to the old fleet, the new one is stopped, and the endpoint is ``InService`` on its old config
  with the reason in ``FailureReason``;
- otherwise the old fleet is stopped once its requests have finished, and the endpoint is
  ``InService`` on the new config.
Every wait lasts ``time_scale`` times as long as the config says (LOCAL_TIME_SCALE).
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.backends import get_backend
from moto.core.utils import utcnow
from werkzeug.wrappers import Request, Response

from local_stack import settings
from local_stack.data_capture import DataCapture
from local_stack.http_server import log_event
from local_stack.sagemaker_runtime import Endpoint, ProductionVariant, Route, SageMakerRuntime
from local_stack.serving_image import Container, ModelServing

COMPONENT = "local-sagemaker"
# How long a replaced fleet waits for the requests it is still answering before it stops.
DRAIN_SECONDS = 30.0
# Every action of SageMaker's JSON protocol arrives as X-Amz-Target: SageMaker.<Action>.
TARGET_PREFIX = "SageMaker."


@dataclass
class Fleet:
    """The containers serving one endpoint config: one per variant of its endpoint."""

    config_name: str
    endpoint: Endpoint

    def close(self) -> None:
        for variant in self.endpoint.variants:
            variant.container.close()
        if self.endpoint.capture is not None:
            self.endpoint.capture.close()


@dataclass
class ShiftingTraffic:
    """An endpoint during a blue/green update: ``green_share`` of the requests go to the new fleet."""

    blue: Endpoint
    green: Endpoint
    green_share: float
    rng: random.Random = field(default_factory=random.Random)

    @property
    def capture(self) -> DataCapture | None:
        return self.blue.capture

    def variant(self, endpoint_name: str, target: str | None) -> ProductionVariant:
        fleet = self.green if self.rng.random() < self.green_share else self.blue
        return fleet.variant(endpoint_name, target)


class ApiError(Exception):
    """An error of SageMaker's JSON protocol: botocore reads the code from ``__type``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def response(self) -> Response:
        body = json.dumps({"__type": self.code, "message": self.message})
        return Response(body, status=self.status, content_type="application/x-amz-json-1.1")


def _parameters(body: bytes, action: str) -> dict[str, Any]:
    """The request's JSON object, with the names each of these actions requires as strings, or the
    400 SageMaker's front end gives; botocore checks this before sending, raw HTTP callers may not."""
    try:
        parameters = json.loads(body or b"{}")
    except ValueError:
        raise ApiError("SerializationException", "The request body is not a JSON object.") from None
    required = ["EndpointName"] + (["EndpointConfigName"] if action != "DeleteEndpoint" else [])
    if not isinstance(parameters, dict):
        raise ApiError("SerializationException", "The request body is not a JSON object.")
    for name in required:
        if not isinstance(parameters.get(name), str):
            raise ApiError("ValidationException", f"1 validation error detected: Value at '{name}' must be a string.")
    return parameters


def traffic_steps(deployment_config: dict[str, Any] | None) -> list[tuple[float, float]]:
    """(share of traffic on the new fleet, seconds to wait then) for each step of a blue/green
    update; the last step's wait is the baking period (TerminationWaitInSeconds)."""
    policy = (deployment_config or {}).get("BlueGreenUpdatePolicy", {})
    routing = policy.get("TrafficRoutingConfiguration", {"Type": "ALL_AT_ONCE"})
    wait = float(routing.get("WaitIntervalInSeconds", 0))
    termination_wait = float(policy.get("TerminationWaitInSeconds", 0))
    kind = routing["Type"]
    if kind == "CANARY":
        return [(_share(routing["CanarySize"]), wait), (1.0, termination_wait)]
    if kind == "LINEAR":
        step = _share(routing["LinearStepSize"])
        steps = math.ceil(round(1 / step, 9))  # round first: 1 / 0.1 is 10.000000000000002
        shares = [min(1.0, step * count) for count in range(1, steps + 1)]
        return [(share, wait) for share in shares[:-1]] + [(1.0, termination_wait)]
    if kind == "ALL_AT_ONCE":
        return [(1.0, termination_wait)]
    raise ApiError("ValidationException", f"Unknown TrafficRoutingConfiguration Type {kind}")


def _share(size: dict[str, Any]) -> float:
    if size["Type"] != "CAPACITY_PERCENT":
        raise ApiError("ValidationException", "The local control plane sizes steps by CAPACITY_PERCENT only")
    return min(1.0, float(size["Value"]) / 100)


class ControlPlane:
    """Runs the endpoints moto's SageMaker records: the runtime's ``endpoints`` follow them."""

    def __init__(
        self,
        runtime: SageMakerRuntime,
        serving: ModelServing,
        account: str,
        capture_root: Path,
        time_scale: float,
    ) -> None:
        self.runtime = runtime
        self.serving = serving
        self.records = get_backend("sagemaker")[account][settings.REGION]
        self.cloudwatch = get_backend("cloudwatch")[account][settings.REGION]
        self.s3 = get_backend("s3")[account]["aws"]
        self.capture_root = capture_root
        self.time_scale = time_scale
        self.fleets: dict[str, Fleet] = {}
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._closing = threading.Event()

    # ---------------------------------------------------------------- the API calls it takes part in
    def handles(self, request: Request) -> bool:
        return request.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX) in {
            "CreateEndpoint",
            "UpdateEndpoint",
            "DeleteEndpoint",
        }

    def handle(self, request: Request, moto: Callable[[Request], Response]) -> Response:
        action = request.headers["X-Amz-Target"].removeprefix(TARGET_PREFIX)
        try:
            parameters = _parameters(request.get_data(cache=True), action)
            if action == "UpdateEndpoint":
                return self.update_endpoint(parameters)
            response = moto(request)
            if response.status_code == 200:
                if action == "CreateEndpoint":
                    self.create_endpoint(parameters["EndpointName"], parameters)
                else:
                    self.delete_endpoint(parameters["EndpointName"])
            return response
        except ApiError as error:
            return error.response()

    def create_endpoint(self, name: str, parameters: dict[str, Any]) -> None:
        record = self.records.endpoints[name]
        record.endpoint_status = "Creating"
        record.deployment_config = parameters.get("DeploymentConfig")
        self._in_background(f"create-{name}", lambda: self._create(name, parameters["EndpointConfigName"]))

    def _create(self, name: str, config_name: str) -> None:
        record = self.records.endpoints[name]
        try:
            fleet = self.start_fleet(name, config_name)
        except Exception as error:  # noqa: BLE001 - a container that cannot start fails the endpoint, as on AWS
            self._finish(record, "Failed", str(error)[:1024])
            return
        with self._lock:
            self.fleets[name] = fleet
        self.runtime.route(name, fleet.endpoint)
        self._finish(record, "InService", None)

    def delete_endpoint(self, name: str) -> None:
        retired = self.runtime.route(name, None)
        with self._lock:
            fleet = self.fleets.pop(name, None)
        if fleet is not None:
            self._stop_after(fleet, [retired] if retired else [])

    def update_endpoint(self, parameters: dict[str, Any]) -> Response:
        name = parameters["EndpointName"]
        config_name = parameters["EndpointConfigName"]
        record = self.records.endpoints.get(name)
        if record is None:
            raise ApiError("ValidationException", f'Could not find endpoint "{self._arn("endpoint", name)}".')
        if config_name not in self.records.endpoint_configs:
            raise ApiError(
                "ValidationException",
                f'Could not find endpoint configuration "{self._arn("endpoint-config", config_name)}".',
            )
        if record.endpoint_status != "InService" or name not in self.fleets:
            raise ApiError(
                "ValidationException",
                f'Cannot update in-progress endpoint "{self._arn("endpoint", name)}".',
            )
        deployment_config = parameters.get("DeploymentConfig")
        if deployment_config is None and parameters.get("RetainDeploymentConfig"):
            deployment_config = getattr(record, "deployment_config", None)
        steps = traffic_steps(deployment_config)
        alarms = [
            alarm["AlarmName"]
            for alarm in (deployment_config or {}).get("AutoRollbackConfiguration", {}).get("Alarms", [])
        ]
        record.endpoint_status = "Updating"
        record.failure_reason = None
        record.last_deployment_config = deployment_config
        record.last_modified_time = utcnow()
        log_event(COMPONENT, endpoint=name, status="Updating", config=config_name, steps=steps, alarms=alarms)
        self._in_background(f"update-{name}", lambda: self._deploy(name, config_name, steps, alarms))
        body = json.dumps({"EndpointArn": record.arn})
        return Response(body, status=200, content_type="application/x-amz-json-1.1")

    # ---------------------------------------------------------------- blue/green
    def _deploy(self, name: str, config_name: str, steps: list[tuple[float, float]], alarms: list[str]) -> None:
        record = self.records.endpoints[name]
        blue = self.fleets[name]
        try:
            green = self.start_fleet(name, config_name)
        except Exception as error:  # noqa: BLE001 - the new fleet never took traffic: the old one serves on
            self._finish(record, "InService", f"The new fleet could not start: {error}"[:1024])
            return
        retired: list[Route] = []  # every route that sent requests to the old fleet
        for share, wait_seconds in steps:
            route = green.endpoint if share >= 1 else ShiftingTraffic(blue.endpoint, green.endpoint, share)
            previous = self.runtime.route(name, route)
            if previous is not None:
                retired.append(previous)
            log_event(COMPONENT, endpoint=name, status="Updating", traffic_on_new_fleet=share)
            fired = self._bake(alarms, wait_seconds * self.time_scale)
            if fired:
                record.endpoint_status = "RollingBack"
                self.runtime.route(name, blue.endpoint)
                # The routes that sent requests to the new fleet: this one, and the earlier steps'.
                self._stop_after(green, [route, *retired[1:]])
                self._finish(record, "InService", f"Alarm {fired} went into ALARM during the update: rolled back.")
                return
        with self._lock:
            self.fleets[name] = green
        self._stop_after(blue, retired)
        record.endpoint_config_name = config_name
        config = self.records.describe_endpoint_config(config_name)
        record.production_variants = record._process_production_variants(config["ProductionVariants"])
        record.data_capture_config = config["DataCaptureConfig"]
        self._finish(record, "InService", None)

    def _stop_after(self, fleet: Fleet, routes: Sequence[Route]) -> None:
        """Stops ``fleet`` once every request that took one of ``routes`` (the routes replaced, which
        sent requests to it) has been answered."""
        for route in routes:
            if not self.runtime.wait_until_idle(route, DRAIN_SECONDS):
                log_event(COMPONENT, message="requests still running after the drain", fleet=fleet.config_name)
        fleet.close()

    def _bake(self, alarms: list[str], seconds: float) -> str | None:
        """The first of ``alarms`` found in ALARM within ``seconds``, or None."""
        deadline = time.monotonic() + seconds
        while True:
            for alarm in alarms:
                found = self.cloudwatch.alarms.get(alarm)
                if found is not None and found.state_value == "ALARM":
                    return alarm
            if time.monotonic() >= deadline or self._closing.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
                return None

    def _finish(self, record: Any, status: str, failure_reason: str | None) -> None:
        record.endpoint_status = status
        record.failure_reason = failure_reason
        record.last_modified_time = utcnow()
        log_event(COMPONENT, endpoint=record.endpoint_name, status=status, reason=failure_reason)

    # ---------------------------------------------------------------- fleets
    def start_fleet(self, endpoint_name: str, config_name: str) -> Fleet:
        """One container per production variant of the config, each serving its model's artifact."""
        config = self.records.describe_endpoint_config(config_name)
        containers: list[Container] = []
        variants = []
        try:
            for variant in config["ProductionVariants"]:
                model = self.records.describe_model(variant["ModelName"])
                artifact = self.artifact(model.primary_container["ModelDataUrl"])
                try:
                    container = self.serving.start(endpoint_name, variant["VariantName"], artifact)
                finally:
                    artifact.unlink()
                containers.append(container)
                variants.append(
                    ProductionVariant(
                        variant["VariantName"],
                        container,
                        float(variant.get("InitialVariantWeight", 1.0)),
                        int(variant.get("InitialInstanceCount", 1)),
                    )
                )
        except BaseException:
            for started in containers:
                started.close()
            raise
        return Fleet(config_name, Endpoint(variants, self.capture(config.get("DataCaptureConfig") or {})))

    def capture(self, config: dict[str, Any]) -> DataCapture | None:
        """The config's data capture, written under the local capture folder (it stands for DestinationS3Uri)."""
        if not config.get("EnableCapture"):
            return None
        return DataCapture(self.capture_root, int(config.get("InitialSamplingPercentage", 0)))

    def artifact(self, model_data_url: str) -> Path:
        """The model's artifact, read from the local S3 into a file of its own."""
        bucket, _, key = model_data_url.removeprefix("s3://").partition("/")
        try:
            data = self.s3.get_object(bucket, key).value
        except Exception as error:
            raise ValueError(f"Could not access model data at {model_data_url}: {error!r}") from error
        with tempfile.NamedTemporaryFile(prefix="model-", suffix=".tar.gz", delete=False) as file:
            file.write(data)
        return Path(file.name)

    # ---------------------------------------------------------------- lifetime
    def _in_background(self, name: str, work: Callable[[], None]) -> None:
        worker = threading.Thread(target=work, name=name, daemon=True)
        self._workers.append(worker)
        worker.start()

    def close(self) -> None:
        self._closing.set()
        for worker in self._workers:
            worker.join(timeout=DRAIN_SECONDS)
        with self._lock:
            fleets = list(self.fleets.values())
            self.fleets.clear()
        for fleet in fleets:
            fleet.close()

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{settings.REGION}:{self.records.account_id}:{kind}/{name}"
