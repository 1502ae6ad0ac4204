"""The whole request path on this machine: local API Gateway -> the function -> boto3 -> local endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from moto.moto_api._internal.models import moto_api_backend

from local_stack import settings, telemetry
from local_stack.api_gateway import Functions, LocalRestApi
from local_stack.aws import LocalAws
from local_stack.cloudformation import TEMPLATE, LocalTemplate, load_template
from local_stack.cloudwatch import AlarmEvaluator, LocalCloudWatch
from local_stack.control_plane import ControlPlane
from local_stack.data_capture import DataCapture
from local_stack.deploy import DeployedStack, clients, deploy, upload_model
from local_stack.http_server import base_url, serve_in_background
from local_stack.lambda_environments import EmulatedFunctions, emulator_binary
from local_stack.lambda_runtime import InProcessFunctions
from local_stack.sagemaker_runtime import PRIMARY_VARIANT, Endpoint, ProductionVariant, SageMakerRuntime
from local_stack.serving_image import Container, ModelServing, choose_serving
from local_stack.static_site import static_site
from predict.settings import Settings

# The local stack never signs with real credentials, whatever the shell has (functions in this process).
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": settings.REGION,
}


# The template's second production variant (ChallengerModelDataUrl).
CHALLENGER_VARIANT = "challenger"


@dataclass(frozen=True)
class VariantSpec:
    name: str
    artifact: Path
    weight: float = 1.0


@dataclass(frozen=True)
class OperatedAws:
    """The local AWS behind one address (local_stack/aws.py), with the template's resources deployed."""

    address: str  # AWS_ENDPOINT_URL
    deployed: DeployedStack
    alarms: AlarmEvaluator
    control_plane: ControlPlane


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    endpoint_url: str
    function: Settings  # what the function was configured with
    variants: Sequence[VariantSpec]
    functions: Functions
    # How the function runs: in the Lambda Runtime Interface Emulator, or in this process and why.
    lambda_runtime: str
    page_url: str | None  # the browser client, on its own origin
    auth_mode: str
    # How the endpoint's containers run: the serving image's code, or in this process and why.
    model_runtime: str
    aws: OperatedAws | None = None  # the local AWS address, when the stack runs one


def function_environment(endpoint_url: str, function: Settings) -> dict[str, str]:
    """The local values of the variables template.yaml declares for the function: its settings,
    and the SageMaker Runtime it calls (botocore's own variable, which the template declares empty)."""
    return {"AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": endpoint_url, **function.environment()}


@contextmanager
def function_environment_in_this_process(environment: dict[str, str]) -> Iterator[None]:
    """The function's environment in this process, as Lambda sets it before init, until the block
    ends: then this process's own comes back, so a stack started earlier in the same process (the
    tests run several) finds its function configured as before. Two in-process stacks cannot hold
    two configurations at once: they share one environment."""
    names = {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", *environment}
    saved = {name: os.environ.get(name) for name in names}
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(environment)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def primary_only(artifact: Path) -> list[VariantSpec]:
    return [VariantSpec(PRIMARY_VARIANT, artifact)]


@contextmanager
def local_endpoint(
    variants: Sequence[VariantSpec],
    endpoint_name: str,
    host: str,
    port: int,
    capture: DataCapture | None = None,
    serving: ModelServing | None = None,
) -> Iterator[str]:
    """The local SageMaker Runtime serving each variant's artifact as ``endpoint_name``; yields its URL.

    ``serving`` starts the containers: the serving image's code where it runs, unless told otherwise."""
    start = (serving or choose_serving(settings.serve_with_image())).start
    containers: list[Container] = []
    try:
        for variant in variants:
            containers.append(start(endpoint_name, variant.name, variant.artifact))
        endpoint = Endpoint(
            [ProductionVariant(v.name, c, v.weight) for v, c in zip(variants, containers, strict=True)], capture
        )
        with serve_in_background(SageMakerRuntime({endpoint_name: endpoint}), host, port) as server:
            yield base_url(server)
    finally:
        for container in containers:
            container.close()
        if capture is not None:
            capture.close()


@contextmanager
def operated_endpoint(
    variants: Sequence[VariantSpec],
    endpoint_name: str,
    host: str,
    endpoint_port: int,
    aws_port: int,
    capture: DataCapture | None,
    serving: ModelServing,
    template_parameters: dict[str, str] | None = None,
) -> Iterator[tuple[str, OperatedAws]]:
    """The endpoint as the template deploys it, in the local AWS: its artifacts uploaded to the local
    S3, its models, config and endpoint created through the SageMaker API (whose control plane
    starts the containers), its alarms evaluated, its metrics and logs recorded. Yields the local
    SageMaker Runtime's own URL and the local AWS. moto's stores belong to the process, so one
    such endpoint runs per process at a time; each starts from empty stores."""
    moto_api_backend.reset()  # what moto's POST /moto-api/reset does: empty stores, new backends
    runtime = SageMakerRuntime({})
    capture_root = capture.root if capture else settings.data_capture_dir()
    capture_percent = capture.sampling_percentage if capture else 0
    if capture is not None:
        capture.close()  # the control plane captures as the endpoint config says, into the same folder
    cloudwatch = LocalCloudWatch(settings.ACCOUNT)
    time_scale = settings.time_scale()
    control_plane = ControlPlane(runtime, serving, settings.ACCOUNT, capture_root, time_scale)
    with ExitStack() as running:
        # Loopback only, whatever LOCAL_HOST says: the local AWS takes any credentials, and an endpoint
        # created through it runs the inference.py of whatever artifact its caller uploaded.
        aws_server = running.enter_context(
            serve_in_background(LocalAws(runtime, control_plane), settings.DEFAULT_HOST, aws_port)
        )
        address = base_url(aws_server)
        running.callback(control_plane.close)
        running.enter_context(telemetry.recording(cloudwatch))
        alarms = running.enter_context(
            AlarmEvaluator(cloudwatch, settings.ACCOUNT, settings.alarm_outbox(), time_scale)
        )
        runtime_server = running.enter_context(serve_in_background(runtime, host, endpoint_port))
        aws = clients(address)
        s3 = aws["s3"]
        parameters = {
            "EndpointName": endpoint_name,
            "ModelDataUrl": upload_model(s3, variants[0].artifact),
            "DataCapturePercent": str(capture_percent),
            **(template_parameters or {}),
        }
        if len(variants) > 1:
            parameters |= {
                "ChallengerModelDataUrl": upload_model(s3, variants[1].artifact),
                "PrimaryWeight": f"{variants[0].weight:g}",
                "ChallengerWeight": f"{variants[1].weight:g}",
            }
        deployed = deploy(aws, parameters)
        yield base_url(runtime_server), OperatedAws(address, deployed, alarms, control_plane)


def configured_variants(artifact: Path, challenger: bool, template_defaults: dict[str, str]) -> list[VariantSpec]:
    """The primary variant, and the challenger when asked for, weighted as configured."""
    if not challenger:
        return primary_only(artifact)
    weight = settings.variant_weight
    return [
        VariantSpec(PRIMARY_VARIANT, artifact, weight(PRIMARY_VARIANT, template_defaults["PrimaryWeight"])),
        VariantSpec(
            CHALLENGER_VARIANT,
            settings.challenger_artifact(),
            weight(CHALLENGER_VARIANT, template_defaults["ChallengerWeight"]),
        ),
    ]


def configured_capture(template_defaults: dict[str, str]) -> DataCapture | None:
    percent = settings.data_capture_percent(template_defaults["DataCapturePercent"])
    return DataCapture(settings.data_capture_dir(), percent) if percent > 0 else None


@contextmanager
def local_functions(
    template: LocalTemplate,
    settings_for_function: dict[str, str],
    emulate: bool | None = None,
    instances: int | None = None,
) -> Iterator[tuple[Functions, str]]:
    """The template's functions in the Runtime Interface Emulator where it runs, else in this process.

    ``emulate=None`` chooses by what this machine has; the description says which, and why.
    """
    reason = None
    if emulate is not False:
        try:
            emulator_binary()
        except ValueError as unavailable:
            if emulate:
                raise
            reason = str(unavailable)
    if reason is None and emulate is not False:
        instances = instances or settings.lambda_instances()
        with EmulatedFunctions(template.functions, settings_for_function, instances) as emulated:
            plural = "" if instances == 1 else "s"
            yield emulated, f"Lambda Runtime Interface Emulator, {instances} instance{plural} per function"
        return
    with function_environment_in_this_process({**LOCAL_AWS_ENVIRONMENT, **settings_for_function}):
        yield InProcessFunctions(template.functions), f"in this process ({reason or 'as asked'})"


@contextmanager
def local_stack(
    artifact: Path | None = None,
    function: Settings | None = None,
    host: str | None = None,
    endpoint_port: int | None = None,
    api_port: int | None = None,
    allowed_origins: tuple[str, ...] | None = None,
    template: Path = TEMPLATE,
    variants: Sequence[VariantSpec] | None = None,
    capture: DataCapture | None = None,
    emulate: bool | None = None,
    page_port: int | None = None,
    serve_page: bool = True,
    auth_mode: str | None = None,
    api_key: str | None = None,
    serving: ModelServing | None = None,
    operate: bool = False,
    aws_port: int | None = None,
    template_parameters: dict[str, str] | None = None,
) -> Iterator[RunningStack]:
    """Starts the endpoint, then the function with its environment, then serves the API and the page.

    ``function`` is the function's configuration (default: its defaults); ``allowed_origins``, when
    given, replaces its origins. `make run` reads it from the shell (``settings.function_settings``),
    the tests write it out, so nothing the in-process function leaves in this process's environment
    reconfigures a later stack. ``emulate`` chooses
    how the function runs (None: as LOCAL_LAMBDA says, else the emulator where it runs). ``auth_mode`` is the
    template's AuthMode (NONE, API_KEY, IAM); in API_KEY mode ``api_key`` is the key callers must send.
    ``serving`` runs the endpoint's containers (see local_endpoint). ``operate`` deploys the endpoint
    as the template does into a local AWS on one address (``aws_port``, default LOCAL_AWS_PORT), for
    the operator guide's commands (see operated_endpoint), with ``template_parameters`` overriding
    the template's defaults there.
    """
    serving = serving or choose_serving(settings.serve_with_image())
    variants = variants or primary_only(artifact or settings.model_artifact())
    emulate = settings.emulate_lambda() if emulate is None else emulate
    function = function or Settings()
    if allowed_origins:
        function = replace(function, allowed_origins=allowed_origins)
    host = host or settings.host()
    api_key = api_key or settings.api_key()
    auth_mode = auth_mode or settings.auth_mode()
    refusal = settings.network_refusal(host, auth_mode, api_key)
    if refusal:
        raise ValueError(refusal)
    api = load_template(template, {"AuthMode": auth_mode, "AllowedOrigins": ",".join(function.allowed_origins)})
    endpoint_port = settings.endpoint_port() if endpoint_port is None else endpoint_port
    operated = None
    with ExitStack() as running:
        if operate:
            aws_port = settings.aws_port() if aws_port is None else aws_port
            endpoint_url, operated = running.enter_context(
                operated_endpoint(
                    variants,
                    function.endpoint_name,
                    host,
                    endpoint_port,
                    aws_port,
                    capture,
                    serving,
                    template_parameters,
                )
            )
        else:
            endpoint_url = running.enter_context(
                local_endpoint(variants, function.endpoint_name, host, endpoint_port, capture, serving)
            )
        functions, described = running.enter_context(
            local_functions(api, function_environment(endpoint_url, function), emulate)
        )
        gateway = LocalRestApi.from_spec(api, functions, api_key)
        api_server = running.enter_context(
            serve_in_background(gateway, host, settings.api_port() if api_port is None else api_port)
        )
        page_url = None
        if serve_page:
            page_server = running.enter_context(
                serve_in_background(static_site(), host, settings.page_port() if page_port is None else page_port)
            )
            page_url = base_url(page_server)
        yield RunningStack(
            base_url(api_server),
            endpoint_url,
            function,
            variants,
            functions,
            described,
            page_url,
            auth_mode,
            serving.described,
            operated,
        )
