"""A/B variants, data capture and serverless mode in the translated template, for every combination."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.helpers import MODEL_URI

pytestmark = pytest.mark.infrastructure

CHALLENGER_URI = "s3://iris-gateway-models-123456789012/models/4567cdef/model.tar.gz"
WITH_CHALLENGER = {"ChallengerModelDataUrl": CHALLENGER_URI}
CAPTURING = {"DataCapturePercent": "25"}
SERVERLESS = {"InferenceMode": "serverless"}
# What SageMaker's documentation lists as unsupported on serverless endpoints, as the property
# (or resource) that would ask for it: a serverless deployment must contain none of them.
SERVERLESS_UNSUPPORTED = {
    "network isolation": lambda model, config: "EnableNetworkIsolation" in model["Properties"],
    "VPC configuration": lambda model, config: "VpcConfig" in model["Properties"],
    "inference pipelines": lambda model, config: "Containers" in model["Properties"],
    "data capture": lambda model, config: "DataCaptureConfig" in config["Properties"],
    "multiple production variants": lambda model, config: len(config["Properties"]["ProductionVariants"]) > 1,
    "KMS keys": lambda model, config: "KmsKeyId" in config["Properties"],
    "GPUs": lambda model, config: any(
        v.get("InstanceType", "").startswith(("ml.g", "ml.p")) for v in config["Properties"]["ProductionVariants"]
    ),
}


def _one(deployment, kind: str) -> dict:
    (resource,) = deployment.of_type(kind).values()
    return resource


def _variants(deployment) -> dict[str, dict]:
    config = _one(deployment, "AWS::SageMaker::EndpointConfig")
    return {v["VariantName"]: v for v in config["Properties"]["ProductionVariants"]}


def _model_role_statements(deployment) -> list[dict]:
    (role,) = [r for r in deployment.of_type("AWS::IAM::Role").values() if "sagemaker.amazonaws.com" in json.dumps(r)]
    return [s for policy in role["Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def _function_environment(deployment) -> dict[str, str]:
    return _one(deployment, "AWS::Lambda::Function")["Properties"]["Environment"]["Variables"]


COMBINATIONS = [
    pytest.param(
        mode, challenger, capture, id=f"{mode}-{'ab' if challenger else 'one'}-{'capture' if capture else 'no'}"
    )
    for mode, challenger, capture in itertools.product(["instances", "serverless"], [False, True], [False, True])
]


@pytest.mark.parametrize(("mode", "challenger", "capture"), COMBINATIONS)
def test_every_combination_is_deployable_or_refused_by_a_clear_rule(deploy, mode, challenger, capture):
    parameters = {"ModelDataUrl": MODEL_URI, "InferenceMode": mode}
    if challenger:
        parameters |= WITH_CHALLENGER
    if capture:
        parameters |= CAPTURING

    deployment = deploy(**parameters)

    refused = deployment.rule_violations()
    if mode == "serverless" and (challenger or capture):
        # Serverless endpoints have one variant and no data capture: CloudFormation refuses first.
        expected = []
        if challenger:
            expected.append("Serverless endpoints serve a single production variant")
        if capture:
            expected.append("Serverless endpoints cannot capture data")
        assert [message.split(":")[0] for message in refused] == expected
        return
    assert refused == []
    assert set(_variants(deployment)) == ({"primary", "challenger"} if challenger else {"primary"})
    config = _one(deployment, "AWS::SageMaker::EndpointConfig")
    assert ("DataCaptureConfig" in config["Properties"]) is capture
    # Callers choose no variant unless the operator lets them (SelectableVariants=deployed, or names).
    assert _function_environment(deployment)["SELECTABLE_VARIANTS"] == ""
    assert _function_environment(deploy(**parameters, SelectableVariants="deployed"))["SELECTABLE_VARIANTS"] == (
        "primary,challenger" if challenger else "primary"
    )


@pytest.mark.parametrize("mode", ["instances", "serverless"])
def test_each_modes_model_and_config_use_only_what_the_mode_supports(deploy, mode):
    deployment = deploy(ModelDataUrl=MODEL_URI, InferenceMode=mode)

    model = _one(deployment, "AWS::SageMaker::Model")
    config = _one(deployment, "AWS::SageMaker::EndpointConfig")
    used = {feature for feature, asks_for in SERVERLESS_UNSUPPORTED.items() if asks_for(model, config)}
    # Instance endpoints keep the container off the network; serverless ones cannot be isolated.
    assert used == ({"network isolation"} if mode == "instances" else set())
    if mode == "instances":
        assert model["Properties"]["EnableNetworkIsolation"] is True


def test_a_challenger_is_a_second_model_and_variant_with_its_share_of_traffic(deploy):
    deployment = deploy(**WITH_CHALLENGER, ModelDataUrl=MODEL_URI, PrimaryWeight="4", ChallengerWeight="1")

    models = deployment.of_type("AWS::SageMaker::Model")
    assert {name: m["Properties"]["PrimaryContainer"]["ModelDataUrl"] for name, m in models.items()} == {
        "Model": MODEL_URI,
        "ChallengerModel": CHALLENGER_URI,
    }
    assert models["ChallengerModel"]["Properties"]["EnableNetworkIsolation"] is True
    variants = _variants(deployment)
    assert variants["primary"]["InitialVariantWeight"] == "4"
    assert variants["challenger"]["InitialVariantWeight"] == "1"
    assert variants["challenger"]["ModelName"] == {"Fn::GetAtt": ["ChallengerModel", "ModelName"]}
    reads = next(s for s in _model_role_statements(deployment) if s["Action"] == "s3:GetObject")
    assert [r["Fn::Sub"][1]["Object"]["Fn::Select"][1]["Fn::Split"][1] for r in reads["Resource"]] == [
        MODEL_URI,
        CHALLENGER_URI,
    ]


def test_without_a_challenger_the_single_variant_takes_all_traffic(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI, PrimaryWeight="4")

    assert _variants(deployment)["primary"]["InitialVariantWeight"] == 1
    assert "ChallengerModel" not in deployment.resources


def test_both_variants_scale_alarm_and_roll_back(deploy):
    deployment = deploy(**WITH_CHALLENGER, ModelDataUrl=MODEL_URI)

    targets = deployment.of_type("AWS::ApplicationAutoScaling::ScalableTarget")
    assert sorted(t["Properties"]["ResourceId"]["Fn::Sub"] for t in targets.values()) == [
        "endpoint/${EndpointName}/variant/challenger",
        "endpoint/${EndpointName}/variant/primary",
    ]
    policies = deployment.of_type("AWS::ApplicationAutoScaling::ScalingPolicy")
    assert {p["Properties"]["ScalingTargetId"]["Ref"] for p in policies.values()} == set(targets)
    alarms = deployment.of_type("AWS::CloudWatch::Alarm")
    by_variant = {
        (
            a["Properties"]["MetricName"],
            next(d["Value"] for d in a["Properties"]["Dimensions"] if d["Name"] == "VariantName"),
        )
        for a in alarms.values()
        if a["Properties"]["Namespace"] == "AWS/SageMaker"
    }
    assert by_variant == {
        (metric, variant) for metric in ("Invocation5XXErrors", "ModelLatency") for variant in ("primary", "challenger")
    }
    endpoint = _one(deployment, "AWS::SageMaker::Endpoint")
    rollback = endpoint["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    assert {a["AlarmName"]["Ref"] for a in rollback} == {
        "EndpointErrorsAlarm",
        "ModelLatencyAlarm",
        "ChallengerErrorsAlarm",
        "ChallengerLatencyAlarm",
    }


def test_capture_writes_input_and_output_to_a_private_encrypted_expiring_bucket(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI, **CAPTURING, DataCaptureRetentionInDays="30")

    capture = _one(deployment, "AWS::SageMaker::EndpointConfig")["Properties"]["DataCaptureConfig"]
    assert capture["EnableCapture"] is True
    assert capture["InitialSamplingPercentage"] == "25"
    assert capture["CaptureOptions"] == [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]
    assert capture["CaptureContentTypeHeader"] == {
        "JsonContentTypes": ["application/json"],
        "CsvContentTypes": ["text/csv"],
    }
    assert capture["DestinationS3Uri"]["Fn::Sub"][1] == {"Bucket": {"Ref": "CaptureBucket"}}
    bucket = deployment.resources["CaptureBucket"]
    properties = bucket["Properties"]
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms"
    }
    assert all(properties["PublicAccessBlockConfiguration"].values())
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", "30")
    assert bucket["DeletionPolicy"] == "Retain"
    (statement,) = deployment.resources["CaptureBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    writes = next(s for s in _model_role_statements(deployment) if s["Action"] == "s3:PutObject")
    assert writes["Resource"]["Fn::Sub"][0].endswith("/data-capture/*")
    assert "DataCaptureUri" in deployment.template["Outputs"]


def test_capture_into_the_operators_own_bucket_creates_none(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI, **CAPTURING, DataCaptureBucket="team-captures")

    capture = _one(deployment, "AWS::SageMaker::EndpointConfig")["Properties"]["DataCaptureConfig"]
    assert capture["DestinationS3Uri"] == "s3://team-captures/data-capture"
    assert "AWS::S3::Bucket" not in {r["Type"] for r in deployment.resources.values()}


def test_no_capture_by_default(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI)

    assert "DataCaptureConfig" not in _one(deployment, "AWS::SageMaker::EndpointConfig")["Properties"]
    assert not any(s["Action"] == "s3:PutObject" for s in _model_role_statements(deployment))


@pytest.mark.parametrize(
    ("selectable", "expected"), [("none", ""), ("primary,blue", "primary,blue"), ("deployed", "primary")]
)
def test_the_variants_callers_may_choose(deploy, selectable, expected):
    deployment = deploy(ExistingEndpointName="team-iris", SelectableVariants=selectable)

    assert _function_environment(deployment)["SELECTABLE_VARIANTS"] == expected


def test_the_serving_containers_install_their_code_without_the_network(deploy):
    deployment = deploy(**WITH_CHALLENGER, ModelDataUrl=MODEL_URI)

    for model in deployment.of_type("AWS::SageMaker::Model").values():
        environment = model["Properties"]["PrimaryContainer"]["Environment"]
        assert environment["PIP_NO_BUILD_ISOLATION"] == "false"


@pytest.mark.parametrize(("manage", "created"), [("true", True), ("false", False)])
def test_the_endpoint_log_group_can_be_left_to_sagemaker(deploy, manage, created):
    deployment = deploy(ModelDataUrl=MODEL_URI, ManageEndpointLogGroup=manage)

    assert ("EndpointLogGroup" in deployment.resources) is created


def test_the_account_wide_api_gateway_role_is_left_alone_by_default(deploy):
    default = deploy(ModelDataUrl=MODEL_URI)
    owner = deploy(ModelDataUrl=MODEL_URI, ConfigureApiGatewayLogging="true")

    assert "AWS::ApiGateway::Account" not in {r["Type"] for r in default.resources.values()}
    assert "AWS::ApiGateway::Account" in {r["Type"] for r in owner.resources.values()}
    # Other APIs in the account keep logging after this stack is deleted.
    assert owner.resources["ApiGatewayLoggingRole"]["DeletionPolicy"] == "Retain"


def test_sam_local_can_point_the_function_at_a_local_endpoint_without_changing_the_deployed_one(deploy):
    environment = _function_environment(deploy(ModelDataUrl=MODEL_URI))

    # Declared, so `sam local --env-vars` may set it; empty, which botocore ignores (test_sam_local.py).
    assert environment["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] == ""
