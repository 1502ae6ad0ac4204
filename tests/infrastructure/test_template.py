"""template.yaml, translated by SAM for each meaningful combination of parameters."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from local_stack.cloudformation import load_template
from predict import endpoint_client
from tests.helpers import MODEL_URI, POWERTOOLS_LAYER, POWERTOOLS_LAYER_VERSIONS, TEMPLATE

pytestmark = pytest.mark.infrastructure

NEW_ENDPOINT = {"ModelDataUrl": MODEL_URI}
SAGEMAKER_TYPES = {
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Endpoint",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
}


def _types(deployment) -> set[str]:
    return {resource["Type"] for resource in deployment.resources.values()}


def _function_policy_statements(deployment) -> list[dict]:
    role = next(r for r in deployment.of_type("AWS::IAM::Role").values() if "lambda.amazonaws.com" in json.dumps(r))
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def _rest_api_body(deployment) -> dict:
    (api,) = deployment.of_type("AWS::ApiGateway::RestApi").values()
    return api["Properties"]["Body"]


def test_cfn_lint_is_clean():
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_new_endpoint_on_instances(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    assert _types(deployment) >= SAGEMAKER_TYPES
    (model,) = deployment.of_type("AWS::SageMaker::Model").values()
    container = model["Properties"]["PrimaryContainer"]
    assert container["ModelDataUrl"] == MODEL_URI
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    assert "ModelName" not in model["Properties"]
    (config,) = deployment.of_type("AWS::SageMaker::EndpointConfig").values()
    (variant,) = config["Properties"]["ProductionVariants"]
    assert "EndpointConfigName" not in config["Properties"]
    assert (variant["VariantName"], variant["InstanceType"], variant["InitialInstanceCount"]) == (
        "primary",
        "ml.m5.large",
        "1",
    )
    assert "ServerlessConfig" not in variant


def test_a_bad_model_rolls_back_on_the_endpoint_alarms(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    (endpoint,) = deployment.of_type("AWS::SageMaker::Endpoint").values()
    config = endpoint["Properties"]["DeploymentConfig"]
    routing = config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["Type"] == "CANARY"
    assert {a["AlarmName"]["Ref"] for a in config["AutoRollbackConfiguration"]["Alarms"]} == {
        "EndpointErrorsAlarm",
        "ModelLatencyAlarm",
    }
    alarms = deployment.of_type("AWS::CloudWatch::Alarm")
    assert alarms["EndpointErrorsAlarm"]["Properties"]["MetricName"] == "Invocation5XXErrors"
    assert alarms["ModelLatencyAlarm"]["Properties"]["MetricName"] == "ModelLatency"


def test_linear_and_all_at_once_updates(deploy):
    linear = deploy(**NEW_ENDPOINT, TrafficShifting="LINEAR")
    at_once = deploy(**NEW_ENDPOINT, TrafficShifting="ALL_AT_ONCE")

    (endpoint,) = linear.of_type("AWS::SageMaker::Endpoint").values()
    assert (
        endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"]
        == "LINEAR"
    )
    (endpoint,) = at_once.of_type("AWS::SageMaker::Endpoint").values()
    assert "DeploymentConfig" not in endpoint["Properties"]


def test_autoscaling_follows_the_guide(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    (target,) = deployment.of_type("AWS::ApplicationAutoScaling::ScalableTarget").values()
    (policy,) = deployment.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    assert target["Properties"]["ResourceId"] == {"Fn::Sub": "endpoint/${EndpointName}/variant/primary"}
    assert target["Properties"]["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    tracking = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "SageMakerVariantInvocationsPerInstance"
    assert (tracking["TargetValue"], tracking["ScaleInCooldown"], tracking["ScaleOutCooldown"]) == ("70", "300", "60")


def test_autoscaling_off(deploy):
    deployment = deploy(**NEW_ENDPOINT, AutoScaling="false")

    assert "AWS::ApplicationAutoScaling::ScalableTarget" not in _types(deployment)
    assert "AWS::SageMaker::Endpoint" in _types(deployment)


def test_serverless_endpoint(deploy):
    deployment = deploy(**NEW_ENDPOINT, InferenceMode="serverless", ServerlessMemorySizeInMB="3072")

    (config,) = deployment.of_type("AWS::SageMaker::EndpointConfig").values()
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": "3072", "MaxConcurrency": "5"}
    assert "InstanceType" not in variant
    assert "InitialInstanceCount" not in variant
    # Neither instance autoscaling nor blue/green traffic shifting applies to serverless variants.
    assert "AWS::ApplicationAutoScaling::ScalableTarget" not in _types(deployment)
    (endpoint,) = deployment.of_type("AWS::SageMaker::Endpoint").values()
    assert "DeploymentConfig" not in endpoint["Properties"]


def test_existing_endpoint_creates_no_sagemaker_resources(deploy):
    deployment = deploy(ExistingEndpointName="team-iris")

    assert not SAGEMAKER_TYPES & _types(deployment)
    assert not any("sagemaker.amazonaws.com" in json.dumps(r) for r in deployment.of_type("AWS::IAM::Role").values())
    (statement,) = _function_policy_statements(deployment)
    assert statement["Resource"]["Fn::Sub"][1] == {"Name": "team-iris"}
    (function,) = deployment.of_type("AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"]["ENDPOINT_NAME"] == "team-iris"


def test_the_function_may_invoke_one_endpoint_and_nothing_else(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    statements = _function_policy_statements(deployment)
    assert len(statements) == 1
    (statement,) = statements
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sagemaker:InvokeEndpoint"
    arn_template, variables = statement["Resource"]["Fn::Sub"]
    assert arn_template.endswith(":endpoint/${Name}")
    assert "*" not in arn_template
    assert variables == {"Name": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}}


def _model_role_statements(deployment) -> list[dict]:
    (role,) = [r for r in deployment.of_type("AWS::IAM::Role").values() if "sagemaker.amazonaws.com" in json.dumps(r)]
    return [s for policy in role["Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def _s3_object(uri: str) -> dict:
    return {"Object": {"Fn::Select": [1, {"Fn::Split": ["s3://", uri]}]}}


def test_the_model_role_reads_only_its_artifact(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    s3 = [s for s in _model_role_statements(deployment) if "s3" in json.dumps(s["Action"])]
    assert [s["Action"] for s in s3] == ["s3:GetObject"]
    assert [resource["Fn::Sub"][1] for resource in s3[0]["Resource"]] == [_s3_object(MODEL_URI)]


def test_the_function_runtime_layer_tracing_and_timeout(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    (function,) = deployment.of_type("AWS::Lambda::Function").values()
    properties = function["Properties"]
    assert (properties["Runtime"], properties["Architectures"]) == ("python3.13", ["arm64"])
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert endpoint_client.WORST_CASE_SECONDS < properties["Timeout"] < 29
    (layer,) = properties["Layers"]
    assert layer == {
        "Fn::Sub": POWERTOOLS_LAYER.format(version=POWERTOOLS_LAYER_VERSIONS[version("aws-lambda-powertools")])
    }


@pytest.mark.parametrize(
    ("mode", "security", "usage_plan"),
    [("NONE", [], False), ("API_KEY", [{"api_key": []}], True), ("IAM", [{"sigv4": []}], False)],
)
def test_auth_modes(deploy, mode, security, usage_plan):
    deployment = deploy(**NEW_ENDPOINT, AuthMode=mode)

    paths = _rest_api_body(deployment)["paths"]
    assert paths["/predict"]["post"]["security"] == security
    # Preflight, health and the JSON 404/405 answers never need credentials.
    assert paths["/predict"]["options"]["security"] == []
    assert paths["/health"]["x-amazon-apigateway-any-method"]["security"] == []
    assert ("AWS::ApiGateway::UsagePlan" in _types(deployment)) is usage_plan
    assert ("AWS::ApiGateway::ApiKey" in _types(deployment)) is usage_plan


def test_every_route_invokes_the_predict_function(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    paths = _rest_api_body(deployment)["paths"]
    assert set(paths) == {"/predict", "/health", "/{proxy+}"}
    for methods in paths.values():
        for operation in methods.values():
            if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation:
                integration = operation["x-amazon-apigateway-integration"]
                assert integration["type"] == "aws_proxy"
                assert "${PredictFunction.Arn}" in integration["uri"]["Fn::Sub"]


def test_the_stage_logs_throttles_and_traces(deploy):
    deployment = deploy(**NEW_ENDPOINT, ThrottlingRateLimit="25", ThrottlingBurstLimit="40")

    (stage,) = deployment.of_type("AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    assert properties["TracingEnabled"] is True
    assert properties["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert json.loads(properties["AccessLogSetting"]["Format"].replace("\n", ""))["requestId"] == "$context.requestId"
    (setting,) = properties["MethodSettings"]
    assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == ("25", "40")


@pytest.mark.parametrize(
    ("origins", "sent"),
    [
        ("*", "'*'"),
        ("https://app.example.com", "'https://app.example.com'"),
        # API Gateway's own answers cannot check an allow-list: with several origins the caller's is echoed.
        ("https://app.example.com,https://admin.example.com", "method.request.header.Origin"),
    ],
)
def test_gateway_errors_carry_cors_and_the_error_shape(deploy, origins, sent):
    deployment = deploy(**NEW_ENDPOINT, AllowedOrigins=origins)

    responses = _rest_api_body(deployment)["x-amazon-apigateway-gateway-responses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        parameters = responses[kind]["responseParameters"]
        origin = parameters["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert (origin if isinstance(origin, str) else _sub(origin)) == sent
        assert parameters["gatewayresponse.header.Vary"] == "'Origin'"
        rendered = responses[kind]["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"m"'
        )
        assert set(json.loads(rendered)) == {"message", "errors", "requestId"}


def _sub(node: dict) -> str:
    template, variables = node["Fn::Sub"]
    for name, value in variables.items():
        template = template.replace("${" + name + "}", value)
    return template


def test_log_groups_have_retention(deploy):
    deployment = deploy(**NEW_ENDPOINT, LogRetentionInDays="14")

    groups = deployment.of_type("AWS::Logs::LogGroup")
    assert set(groups) == {"FunctionLogGroup", "ApiAccessLogGroup", "EndpointLogGroup"}
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {"14"}


def test_alarms_notify_the_topic_and_email_is_optional(deploy):
    without = deploy(**NEW_ENDPOINT)
    with_email = deploy(**NEW_ENDPOINT, AlarmEmail="ops@example.com")

    alarms = without.of_type("AWS::CloudWatch::Alarm")
    assert set(alarms) == {
        "ApiServerErrorsAlarm",
        "FunctionErrorsAlarm",
        "FunctionThrottlesAlarm",
        "EndpointErrorsAlarm",
        "ModelLatencyAlarm",
    }
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())
    assert "AWS::SNS::Subscription" not in _types(without)
    assert "AWS::SNS::Subscription" in _types(with_email)


def test_dashboard_shows_the_guides_metrics_for_every_variant(deploy):
    deployment = deploy(**NEW_ENDPOINT)

    (dashboard,) = deployment.of_type("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"][0]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    assert all({"type", "x", "y", "width", "height", "properties"} <= set(widget) for widget in widgets)
    for metric in ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", "OverheadLatency"):
        assert f'\\"{metric}\\"' in body
    # Endpoint widgets search by VariantName, so a challenger shows up next to the primary.
    assert body.count("{AWS/SageMaker,EndpointName,VariantName}") == 2
    assert "{IrisGateway,service,variant}" in body
    assert 'MetricName=\\"EndpointLatency\\"' in body
    for metric in ('"Latency"', '"IntegrationLatency"', '"Duration"'):
        assert metric in body


def test_outputs(deploy):
    outputs = deploy(**NEW_ENDPOINT).template["Outputs"]

    assert outputs["PredictUrl"]["Value"]["Fn::Sub"].endswith("/Prod/predict")
    assert {"EndpointName", "DashboardUrl"} <= set(outputs)


def test_the_local_api_serves_the_templates_routes(deploy):
    body_paths = _rest_api_body(deploy(**NEW_ENDPOINT))["paths"]
    documented = {
        (path, "ANY" if method == "x-amazon-apigateway-any-method" else method.upper())
        for path, methods in body_paths.items()
        for method in methods
        if method != "parameters"
    }

    assert {(route.path, route.method) for route in load_template(TEMPLATE).routes} == documented
