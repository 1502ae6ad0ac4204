"""The template's operational resources, created in the local AWS through its APIs, as
CloudFormation would create them for the parameters a local run uses: the models (their artifacts
uploaded to the local S3 first), the endpoint config and the endpoint with its DeploymentConfig,
the log groups, the alarm topic, the alarms, the dashboard, and the scalable targets with their
policies.

Each resource's properties are the template's, resolved for the parameters (``Intrinsics``), and
go to the API call of the same names, so what ``describe-endpoint``, ``describe-alarms`` or
``describe-scaling-policies`` show is what the template would deploy. Names CloudFormation would
generate are written <stack>-<logical id> here, without its random suffix.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from samtranslator.yaml_helper import yaml_parse

from local_stack import settings
from local_stack.cloudformation import TEMPLATE, log_group_names
from local_stack.intrinsics import Intrinsics, parameter_defaults

# The bucket `make publish-model` would upload to; locally, in the local S3.
MODEL_BUCKET = f"{settings.STACK_NAME}-models"
READY_SECONDS = 300.0
# The properties each API takes as numbers, which the template may give as parameter strings.
INTEGERS = {
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "InitialInstanceCount",
    "MinCapacity",
    "MaxCapacity",
    "InitialSamplingPercentage",
    "WaitIntervalInSeconds",
    "TerminationWaitInSeconds",
    "MaximumExecutionTimeoutInSeconds",
    "ScaleInCooldown",
    "ScaleOutCooldown",
    "RetentionInDays",
}
SIZES = {"CanarySize", "LinearStepSize"}  # whose Value is a number (a dimension's Value is a string)
FLOATS = {"Threshold", "InitialVariantWeight", "TargetValue"}


@dataclass(frozen=True)
class DeployedStack:
    endpoint_name: str
    endpoint_config_name: str
    model_names: dict[str, str]  # logical id -> name
    alarm_names: dict[str, str]  # logical id -> name
    alarm_topic_arn: str
    dashboard_name: str
    deployment_config: dict[str, Any] | None


def clients(address: str) -> dict[str, Any]:
    """boto3 clients of the local AWS address, signed with local credentials whatever the shell has."""
    session = boto3.session.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local services check no signature
        region_name=settings.REGION,
    )
    return {
        service: session.client(service, endpoint_url=address)
        for service in ("s3", "sagemaker", "cloudwatch", "logs", "sns", "application-autoscaling")
    }


def upload_model(s3: Any, artifact: Path) -> str:
    """Puts an artifact in the local model bucket, by its content's hash; returns its ModelDataUrl."""
    data = artifact.read_bytes()
    key = f"models/{hashlib.sha256(data).hexdigest()[:16]}/model.tar.gz"
    s3.create_bucket(Bucket=MODEL_BUCKET)
    s3.put_object(Bucket=MODEL_BUCKET, Key=key, Body=data)
    return f"s3://{MODEL_BUCKET}/{key}"


def deploy(aws: Mapping[str, Any], parameters: Mapping[str, str], template: Path = TEMPLATE) -> DeployedStack:
    """Creates the template's resources for ``parameters`` (the others take their defaults) through
    the local AWS's ``clients`` and waits for the endpoint to be InService."""
    document = yaml_parse(template.read_text())
    resources: dict[str, Any] = document["Resources"]
    account = settings.ACCOUNT
    stack = settings.STACK_NAME
    pseudo = {
        "AWS::StackName": stack,
        "AWS::Region": settings.REGION,
        "AWS::AccountId": account,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    given = {**parameter_defaults(document), **parameters}
    condition_check = Intrinsics(document.get("Conditions", {}), given)

    def exists(logical_id: str) -> bool:
        condition = resources[logical_id].get("Condition")
        return condition is None or condition_check.holds(condition)

    names = {logical_id: f"{stack}-{logical_id}" for logical_id in resources}
    names["PredictFunction"] = settings.function_name("PredictFunction")
    names["CaptureBucket"] = f"{stack}-capture".lower()
    names["Endpoint"] = given["EndpointName"]
    names["AlarmTopic"] = f"arn:aws:sns:{settings.REGION}:{account}:{stack}-AlarmTopic"
    for logical_id in ("Model", "ChallengerModel"):
        url = given["ModelDataUrl" if logical_id == "Model" else "ChallengerModelDataUrl"]
        names[logical_id] = f"{logical_id}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"
    names["EndpointConfig"] = (
        "EndpointConfig-"
        + hashlib.sha256(
            json.dumps([names["Model"], names["ChallengerModel"], sorted(given.items())]).encode()
        ).hexdigest()[:12]
    )
    names |= log_group_names(resources, Intrinsics(document.get("Conditions", {}), {**given, **pseudo}, {}))
    attributes = {
        "Model.ModelName": names["Model"],
        "ChallengerModel.ModelName": names["ChallengerModel"],
        "EndpointConfig.EndpointConfigName": names["EndpointConfig"],
        "Endpoint.EndpointName": names["Endpoint"],
        "ModelExecutionRole.Arn": f"arn:aws:iam::{account}:role/{stack}-ModelExecutionRole",
        **{
            f"{logical_id}.Arn": f"arn:aws:cloudwatch:{settings.REGION}:{account}:alarm:{names[logical_id]}"
            for logical_id, resource in resources.items()
            if resource["Type"] == "AWS::CloudWatch::Alarm"
        },
    }
    resolver = Intrinsics(
        document.get("Conditions", {}), {**given, **pseudo, **names}, attributes, document.get("Mappings", {})
    )

    def properties(logical_id: str) -> dict[str, Any]:
        return _typed(resolver.resolve(resources[logical_id]["Properties"]))

    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Logs::LogGroup" and exists(logical_id):
            group = properties(logical_id)
            aws["logs"].create_log_group(logGroupName=group["LogGroupName"])
            aws["logs"].put_retention_policy(
                logGroupName=group["LogGroupName"], retentionInDays=group["RetentionInDays"]
            )
    topic = aws["sns"].create_topic(
        Name=f"{stack}-AlarmTopic", Attributes={"DisplayName": properties("AlarmTopic")["DisplayName"]}
    )
    alarm_names = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::CloudWatch::Alarm" and exists(logical_id):
            aws["cloudwatch"].put_metric_alarm(AlarmName=names[logical_id], **properties(logical_id))
            alarm_names[logical_id] = names[logical_id]
    dashboard = properties("Dashboard")
    aws["cloudwatch"].put_dashboard(**dashboard)
    model_names = {}
    for logical_id in ("Model", "ChallengerModel"):
        if exists(logical_id):
            model = properties(logical_id)
            aws["sagemaker"].create_model(ModelName=names[logical_id], **model)
            model_names[logical_id] = names[logical_id]
    aws["sagemaker"].create_endpoint_config(EndpointConfigName=names["EndpointConfig"], **properties("EndpointConfig"))
    endpoint = properties("Endpoint")
    deployment_config = endpoint.get("DeploymentConfig")
    aws["sagemaker"].create_endpoint(
        EndpointName=endpoint["EndpointName"],
        EndpointConfigName=endpoint["EndpointConfigName"],
        **({"DeploymentConfig": deployment_config} if deployment_config else {}),
    )
    wait_in_service(aws["sagemaker"], endpoint["EndpointName"])
    targets = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget" and exists(logical_id):
            target = properties(logical_id)
            aws["application-autoscaling"].register_scalable_target(**target)
            targets[logical_id] = target
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy" and exists(logical_id):
            policy = properties(logical_id)
            target = targets[resources[logical_id]["Properties"]["ScalingTargetId"]["Ref"]]
            policy.pop("ScalingTargetId")
            aws["application-autoscaling"].put_scaling_policy(
                ServiceNamespace=target["ServiceNamespace"],
                ResourceId=target["ResourceId"],
                ScalableDimension=target["ScalableDimension"],
                **policy,
            )
    return DeployedStack(
        endpoint["EndpointName"],
        endpoint["EndpointConfigName"],
        model_names,
        alarm_names,
        topic["TopicArn"],
        dashboard["DashboardName"],
        deployment_config,
    )


def wait_in_service(sagemaker: Any, endpoint_name: str, timeout: float = READY_SECONDS) -> dict[str, Any]:
    """DescribeEndpoint until the endpoint is InService (or Failed: then its FailureReason is raised)."""
    deadline = time.monotonic() + timeout
    while True:
        described = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        status = described["EndpointStatus"]
        if status == "InService":
            return described
        if status == "Failed":
            raise RuntimeError(f"endpoint {endpoint_name} failed: {described.get('FailureReason')}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"endpoint {endpoint_name} is still {status} after {timeout:g} s")
        time.sleep(0.1)


def statuses_until_in_service(sagemaker: Any, endpoint_name: str, timeout: float = READY_SECONDS) -> list[str]:
    """Each EndpointStatus an update passes through, in order, until the endpoint is InService again."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "InService" and len(seen) > 1:
            return seen
        time.sleep(0.05)
    raise TimeoutError(f"endpoint {endpoint_name} is still {seen[-1]} after {timeout:g} s")


def _typed(node: Any, key: str = "") -> Any:
    """Numbers where the APIs take numbers, and the DashboardBody as the string it is."""
    if isinstance(node, dict) and key in SIZES:
        return {**node, "Value": int(float(node["Value"]))}
    if isinstance(node, dict):
        return {name: _typed(value, name) for name, value in node.items()}
    if isinstance(node, list):
        return [_typed(item, key) for item in node]
    if key in INTEGERS:
        return int(float(node))
    if key in FLOATS:
        return float(node)
    return node
