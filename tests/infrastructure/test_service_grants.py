"""Where two AWS services meet, the translated template holds the grant AWS documents, in every
combination of parameters where the pair exists. docs/operations.md ("Service-to-service grants")
lists the same pairs with their sources; a test keeps the two lists equal.

The combinations: every combination of the parameters that decide which SageMaker resources exist
(endpoint mode, challenger, data capture, autoscaling), with the API's defaults; and every
combination of the parameters that shape the API (auth mode, the account's logging role, the
per-IP limit), with the default endpoint. No parameter of one group changes a grant of the other.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import MODEL_URI, PSEUDO_PARAMETERS, ROOT, render, source_template

pytestmark = pytest.mark.infrastructure

CHALLENGER_URI = "s3://iris-gateway-models-123456789012/models/4567cdef/model.tar.gz"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:iris-gateway-predict"
API_ID = "a1b2c3d4e5"
STACK_CAPTURE_BUCKET = "iris-gateway-capturebucket-1a2b3c"
ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]
OPERATIONS = ROOT / "docs" / "operations.md"


def _endpoint_side() -> list[dict[str, str]]:
    combinations: list[dict[str, str]] = [{"ExistingEndpointName": "team-iris"}]
    combinations.append({"ModelDataUrl": MODEL_URI, "InferenceMode": "serverless"})
    for challenger, capture, scaling in itertools.product([False, True], ["", "stack", "own"], ["true", "false"]):
        parameters = {"ModelDataUrl": MODEL_URI, "AutoScaling": scaling}
        if challenger:
            parameters["ChallengerModelDataUrl"] = CHALLENGER_URI
        if capture:
            parameters["DataCapturePercent"] = "20"
        if capture == "own":
            parameters["DataCaptureBucket"] = "team-captures"
        combinations.append(parameters)
    return combinations


def _api_side() -> list[dict[str, str]]:
    return [
        {"ModelDataUrl": MODEL_URI, "AuthMode": auth, "ConfigureApiGatewayLogging": logging, "RateLimitPerIp": limit}
        for auth, logging, limit in itertools.product(["NONE", "API_KEY", "IAM"], ["false", "true"], ["0", "300"])
    ]


COMBINATIONS = _endpoint_side() + _api_side()


def _id(parameters: dict[str, str]) -> str:
    return ",".join(f"{name}={value}" for name, value in parameters.items() if name != "ModelDataUrl") or "defaults"


def _values(deployment) -> dict[str, str]:
    """What the Refs and attributes the grants use stand for, as CloudFormation would resolve them."""
    return {
        **deployment.parameters,
        "Endpoint.EndpointName": deployment.parameters["EndpointName"],
        "PredictFunction.Arn": FUNCTION_ARN,
        "PredictFunctionAliaslive": f"{FUNCTION_ARN}:live",
        "PredictApi": API_ID,
        "AlarmTopic": f"arn:aws:sns:us-east-1:{ACCOUNT}:iris-gateway-AlarmTopic-1A2B",
        "CaptureBucket": STACK_CAPTURE_BUCKET,
        **{f"{name}.Arn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:iris-gateway-{name}-1A2B" for name in
           deployment.of_type("AWS::CloudWatch::Alarm")},
    }  # fmt: skip


def _statements(document: dict) -> list[dict]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _role_statements(role: dict) -> list[dict]:
    return [s for policy in role["Properties"].get("Policies", []) for s in _statements(policy["PolicyDocument"])]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _allows(statement: dict, action: str) -> bool:
    return statement["Effect"] == "Allow" and action in _as_list(statement["Action"])


def _trusts(role: dict, service: str) -> bool:
    return any(
        s["Effect"] == "Allow" and s["Action"] == "sts:AssumeRole" and s["Principal"] == {"Service": service}
        for s in _statements(role["Properties"]["AssumeRolePolicyDocument"])
    )


def _references(node: Any) -> set[str]:
    """Every logical id a template value refers to (Ref, Fn::GetAtt, or ${...} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)}
                found |= _references(value[1:] if isinstance(value, list) else [])
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _depends_on(deployment, name: str, target: str) -> bool:
    """Whether CloudFormation must create ``target`` before ``name`` (DependsOn or any reference)."""
    resources = deployment.resources
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen or current not in resources:
            continue
        seen.add(current)
        resource = resources[current]
        direct = set(_as_list(resource.get("DependsOn", []))) | _references(
            {k: v for k, v in resource.items() if k in ("Properties", "Metadata")}
        )
        if target in direct:
            return True
        pending.extend(direct)
    return False


# ---------------------------------------------------------------- the pairs
def alarms_to_topic(deployment) -> None:
    """Each alarm notifies the topic; CloudWatch may publish to it, and use its key if it has one."""
    values = _values(deployment)
    alarms = deployment.of_type("AWS::CloudWatch::Alarm")
    for name, alarm in alarms.items():
        for actions in ("AlarmActions", "OKActions"):
            assert alarm["Properties"][actions] == [{"Ref": "AlarmTopic"}], name
    topic = deployment.resources["AlarmTopic"]["Properties"]
    if "KmsMasterKeyId" in topic:
        # An AWS-managed key (alias/aws/sns) cannot be used by CloudWatch: only a key of this stack
        # whose policy lets cloudwatch.amazonaws.com use it will do.
        key = topic["KmsMasterKeyId"]
        assert isinstance(key, dict), f"the alarm topic's key {key} is not one this stack can grant"
        (key_name,) = _references(key)
        key_policy = deployment.resources[key_name]["Properties"]["KeyPolicy"]
        assert any(
            s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
            and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(_as_list(s["Action"]))
            for s in _statements(key_policy)
            if s["Effect"] == "Allow"
        )
    (policy,) = [p for p in deployment.of_type("AWS::SNS::TopicPolicy").values() if p["Properties"]["Topics"] == [
        {"Ref": "AlarmTopic"}]]  # fmt: skip
    (statement,) = [
        s
        for s in _statements(policy["Properties"]["PolicyDocument"])
        if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and _allows(s, "sns:Publish")
    ]
    assert render(statement["Resource"], values) == values["AlarmTopic"]
    condition = statement["Condition"]
    assert render(condition["StringEquals"]["aws:SourceAccount"], values) == ACCOUNT
    allowed = set(render(condition["ArnEquals"]["aws:SourceArn"], values))
    assert allowed == {values[f"{name}.Arn"] for name in alarms}


def sagemaker_to_model_artifacts(deployment) -> None:
    """The execution role of every model may read that model's artifact, in this account's buckets."""
    values = _values(deployment)
    role = deployment.resources["ModelExecutionRole"]
    assert _trusts(role, "sagemaker.amazonaws.com")
    reads = [s for s in _role_statements(role) if _allows(s, "s3:GetObject")]
    readable = {arn for s in reads for arn in _as_list(render(s["Resource"], values))}
    for model in deployment.of_type("AWS::SageMaker::Model").values():
        assert model["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]}
        uri = model["Properties"]["PrimaryContainer"]["ModelDataUrl"]
        assert "arn:aws:s3:::" + uri.removeprefix("s3://") in readable
    for statement in reads:
        assert render(statement["Condition"]["StringEquals"]["s3:ResourceAccount"], values) == ACCOUNT


def sagemaker_to_serving_image(deployment) -> None:
    """The execution role may pull every model's image from its ECR repository."""
    values = _values(deployment)
    role = deployment.resources["ModelExecutionRole"]
    (pull,) = [s for s in _role_statements(role) if _allows(s, "ecr:BatchGetImage")]
    repository = render(pull["Resource"], values)
    for model in deployment.of_type("AWS::SageMaker::Model").values():
        image = render(model["Properties"]["PrimaryContainer"]["Image"], values)
        registry, _, path = image.partition(".dkr.ecr.us-east-1.amazonaws.com/")
        assert repository == f"arn:aws:ecr:us-east-1:{registry}:repository/{re.split('[:@]', path)[0]}"
    assert any(_allows(s, "ecr:GetAuthorizationToken") for s in _role_statements(role))


def data_capture_to_bucket(deployment) -> None:
    """The endpoint's role may write under the capture prefix it is given, in this account's bucket;
    a bucket the stack creates is encrypted with the account's S3 key, which needs no grant."""
    values = _values(deployment)
    (config,) = deployment.of_type("AWS::SageMaker::EndpointConfig").values()
    destination = render(config["Properties"]["DataCaptureConfig"]["DestinationS3Uri"], values)
    (model,) = [m for name, m in deployment.of_type("AWS::SageMaker::Model").items() if name == "Model"]
    assert model["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]}
    writes = [s for s in _role_statements(deployment.resources["ModelExecutionRole"]) if _allows(s, "s3:PutObject")]
    (statement,) = writes
    assert render(statement["Resource"], values) == "arn:aws:s3:::" + destination.removeprefix("s3://") + "/*"
    assert render(statement["Condition"]["StringEquals"]["s3:ResourceAccount"], values) == ACCOUNT
    assert "KmsKeyId" not in config["Properties"]["DataCaptureConfig"]
    if "CaptureBucket" in deployment.resources:
        (rule,) = deployment.resources["CaptureBucket"]["Properties"]["BucketEncryption"][
            "ServerSideEncryptionConfiguration"]  # fmt: skip
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms"}, "a key of its own needs a grant"


def api_to_function_alias(deployment) -> None:
    """Every integration that invokes the function invokes the alias live (the others are API Gateway's
    own MOCK answers), and API Gateway may invoke that alias from this API."""
    values = _values(deployment)
    (api,) = deployment.of_type("AWS::ApiGateway::RestApi").values()
    targets = {
        render(operation["x-amazon-apigateway-integration"]["uri"], values)
        for methods in api["Properties"]["Body"]["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict)
        and operation.get("x-amazon-apigateway-integration", {}).get("type") == "aws_proxy"
    }
    assert targets == {f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}:live/invocations"}
    aliases = {
        name: a for name, a in deployment.of_type("AWS::Lambda::Alias").items() if a["Properties"]["Name"] == "live"
    }
    permissions = [
        p["Properties"]
        for p in deployment.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    (permission,) = permissions
    assert permission["Action"] == "lambda:InvokeFunction"
    assert _references(permission["FunctionName"]) <= set(aliases)
    assert render(permission["FunctionName"], values) == f"{FUNCTION_ARN}:live"
    assert render(permission["SourceArn"], values) == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/*"


def autoscaling_to_variants(deployment) -> None:
    """Application Auto Scaling scales each instance variant through its service-linked role."""
    values = _values(deployment)
    (config,) = deployment.of_type("AWS::SageMaker::EndpointConfig").values()
    variants = {v["VariantName"] for v in config["Properties"]["ProductionVariants"]}
    targets = deployment.of_type("AWS::ApplicationAutoScaling::ScalableTarget")
    scaled = set()
    for target in targets.values():
        properties = target["Properties"]
        # No RoleARN: Application Auto Scaling uses (and creates) its service-linked role
        # AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint.
        assert "RoleARN" not in properties
        assert (properties["ServiceNamespace"], properties["ScalableDimension"]) == (
            "sagemaker",
            "sagemaker:variant:DesiredInstanceCount",
        )
        endpoint, variant = re.fullmatch(
            r"endpoint/(.+)/variant/(.+)", render(properties["ResourceId"], values)
        ).groups()
        assert endpoint == values["Endpoint.EndpointName"]
        assert "Endpoint" in _as_list(target.get("DependsOn", []))
        scaled.add(variant)
    assert scaled == variants


def function_to_endpoint(deployment) -> None:
    """The function may invoke its endpoint, named in the ARN as SageMaker writes it: in lower case."""
    values = _values(deployment)
    (function,) = deployment.of_type("AWS::Lambda::Function").values()
    name = render(function["Properties"]["Environment"]["Variables"]["ENDPOINT_NAME"], values)
    role_name = function["Properties"]["Role"]["Fn::GetAtt"][0]
    (statement,) = [
        s for s in _role_statements(deployment.resources[role_name]) if _allows(s, "sagemaker:InvokeEndpoint")
    ]
    assert render(statement["Resource"], values) == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/{name.lower()}"


def api_to_cloudwatch_logs(deployment) -> None:
    """The stage writes its access log to the stack's log group; where the stack sets the account's
    CloudWatch role, that role is API Gateway's and the stage is created after it."""
    (stage_name, stage), *_ = deployment.of_type("AWS::ApiGateway::Stage").items()
    assert stage["Properties"]["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    accounts = deployment.of_type("AWS::ApiGateway::Account")
    if deployment.parameters["ConfigureApiGatewayLogging"] == "false":
        assert accounts == {}
        return
    ((account_name, account),) = accounts.items()
    (role_name,) = _references(account["Properties"]["CloudWatchRoleArn"])
    role = deployment.resources[role_name]
    assert _trusts(role, "apigateway.amazonaws.com")
    assert render(role["Properties"]["ManagedPolicyArns"], {}) == [
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    ]
    assert _depends_on(deployment, stage_name, account_name)


def waf_to_stage(deployment) -> None:
    """The per-IP web ACL is associated with the API's stage, once the stage exists."""
    values = _values(deployment)
    acls = deployment.of_type("AWS::WAFv2::WebACL")
    associations = deployment.of_type("AWS::WAFv2::WebACLAssociation")
    if deployment.parameters["RateLimitPerIp"] == "0":
        assert acls == associations == {}
        return
    ((acl_name, acl),) = acls.items()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    ((_, association),) = associations.items()
    (stage_name, stage), *_ = deployment.of_type("AWS::ApiGateway::Stage").items()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_name, "Arn"]}
    assert render(association["Properties"]["ResourceArn"], values) == (
        f"arn:aws:apigateway:us-east-1::/restapis/{API_ID}/stages/{stage['Properties']['StageName']}"
    )
    assert stage_name in _as_list(association.get("DependsOn", []))


# The pairs, as docs/operations.md names them, each with when it exists and what must hold.
def _always(deployment) -> bool:
    return True


def _condition(name: str) -> Callable[[Any], bool]:
    return lambda deployment: deployment.conditions[name]


GRANTS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], None]]] = {
    "CloudWatch alarms → SNS topic (and its key)": (_always, alarms_to_topic),
    "SageMaker → model artifacts in S3 (and their key)": (_condition("CreateEndpoint"), sagemaker_to_model_artifacts),
    "SageMaker → serving image in ECR": (_condition("CreateEndpoint"), sagemaker_to_serving_image),
    "SageMaker data capture → capture bucket (and its key)": (_condition("CaptureData"), data_capture_to_bucket),
    "API Gateway → the function's alias": (_always, api_to_function_alias),
    "Application Auto Scaling → endpoint variants": (_condition("ScaleAutomatically"), autoscaling_to_variants),
    "The function → InvokeEndpoint": (_always, function_to_endpoint),
    "API Gateway → CloudWatch Logs": (_always, api_to_cloudwatch_logs),
    "AWS WAF → the API's stage": (_always, waf_to_stage),
}


@pytest.mark.parametrize("pair", list(GRANTS))
def test_every_combination_where_the_pair_exists_has_its_grant(deploy, pair):
    exists, check = GRANTS[pair]
    checked = 0
    for parameters in COMBINATIONS:
        deployment = deploy(**parameters)
        if exists(deployment):
            try:
                check(deployment)
            except AssertionError as failure:
                raise AssertionError(f"{pair}, with {_id(parameters)}: {failure}") from failure
            checked += 1
    assert checked > 0, f"no combination has {pair}"


def test_the_operations_guide_lists_exactly_these_pairs():
    section = OPERATIONS.read_text().split("## Service-to-service grants", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == list(GRANTS)


@pytest.mark.parametrize(
    "name",
    ["team-iris", "Team-Iris", "IRIS-ENDPOINT-2", "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-01234567"],
)
def test_an_existing_endpoint_of_any_allowed_name_is_invocable(deploy, name):
    pattern = source_template()["Parameters"]["ExistingEndpointName"]["AllowedPattern"]
    assert re.fullmatch(pattern, name)
    deployment = deploy(ExistingEndpointName=name)

    function_to_endpoint(deployment)
    (function,) = deployment.of_type("AWS::Lambda::Function").values()
    # InvokeEndpoint wants the name as created; only the ARN is lower case.
    assert function["Properties"]["Environment"]["Variables"]["ENDPOINT_NAME"] == name


@pytest.mark.parametrize(("name", "allowed"), [("iris-endpoint", True), ("iris-2", True), ("Iris-Endpoint", False)])
def test_the_endpoint_the_stack_creates_has_a_lower_case_name(name, allowed):
    # Log group, scalable target and alarm dimensions are built from it: only lower case keeps them
    # equal to the names SageMaker uses.
    pattern = source_template()["Parameters"]["EndpointName"]["AllowedPattern"]

    assert bool(re.fullmatch(pattern, name)) is allowed


def test_the_alarm_check_refuses_the_aws_managed_key(deploy):
    deployment = copy.deepcopy(deploy(ModelDataUrl=MODEL_URI))
    deployment.template["Resources"]["AlarmTopic"]["Properties"]["KmsMasterKeyId"] = "alias/aws/sns"

    with pytest.raises(AssertionError, match="not one this stack can grant"):
        alarms_to_topic(deployment)
