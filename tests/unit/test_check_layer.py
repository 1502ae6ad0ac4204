"""make check-layer, against Lambda's and SSM's answers as botocore's Stubber gives them (moto has no
GetLayerVersionByArn): it agrees only when the layer holds the pinned release for the function."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from tools import check_layer

ARN = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:40"
WANT = check_layer.Expected(
    powertools="3.37.0",
    runtime="python3.13",
    architecture="arm64",
    layers=(
        "arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:40",
    ),
)


def _layer(release: str = "3.37.0", runtimes: tuple[str, ...] = ("python3.13",), architectures=("arm64",)) -> dict:
    return {
        "LayerVersionArn": ARN,
        "Version": 40,
        # The description's form, as Powertools' layer pipeline writes it (powertools-lambda-layer-cdk#108).
        "Description": f"Powertools for AWS Lambda (Python) V3 [arm64 - Python 3.13] with extra dependencies "
        f"version {release}",
        "CompatibleRuntimes": list(runtimes),
        "CompatibleArchitectures": list(architectures),
    }


def _check(layer: dict, ssm_value: str | None = ARN) -> list[str]:
    lambda_client = boto3.client("lambda", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    ssm_client = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(lambda_client) as lambdas, Stubber(ssm_client) as ssm:
        lambdas.add_response("get_layer_version_by_arn", layer, {"Arn": ARN})
        parameter = "/aws/service/powertools/python/arm64/python3.13/3.37.0"
        if ssm_value is None:
            ssm.add_client_error("get_parameter", "ParameterNotFound", expected_params={"Name": parameter})
        else:
            ssm.add_response(
                "get_parameter", {"Parameter": {"Name": parameter, "Value": ssm_value}}, {"Name": parameter}
            )
        problems = check_layer.check(lambda_client, ssm_client, "aws", "eu-west-1", WANT)
        lambdas.assert_no_pending_responses()
    return problems


def test_the_pinned_release_for_this_runtime_and_architecture_agrees(capsys):
    assert _check(_layer()) == []
    assert "with extra dependencies version 3.37.0" in capsys.readouterr().out


def test_another_release_in_the_layer_is_a_difference():
    (problem,) = _check(_layer(release="3.38.0"))

    assert problem == "the layer's description names 3.38.0, requirements/lambda.txt pins 3.37.0"


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        (_layer(runtimes=("python3.12",)), "do not include python3.13"),
        (_layer(architectures=("x86_64",)), "do not include arm64"),
    ],
)
def test_a_layer_for_another_runtime_or_architecture_is_a_difference(layer, words):
    (problem,) = _check(layer)

    assert words in problem


def test_ssm_naming_another_version_number_for_the_release_is_a_difference():
    (problem,) = _check(_layer(), ssm_value=ARN.replace(":40", ":41"))

    assert problem.endswith(f"{ARN.replace(':40', ':41')} for 3.37.0, the template uses {ARN}")


def test_an_unreadable_ssm_parameter_is_reported_not_a_difference(capsys):
    assert _check(_layer(), ssm_value=None) == []
    assert "not read" in capsys.readouterr().out


def test_the_expectation_comes_from_the_template_and_the_lambda_requirements(tmp_path):
    requirements = tmp_path / "lambda.txt"
    requirements.write_text("# the runtime\nawslambdaric==4.2.2\naws-lambda-powertools[all]==3.12.0  # the layer\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        "Globals:\n  Function:\n    Runtime: python3.12\n    Architectures: [x86_64]\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Layers: [!Sub 'arn:${AWS::Partition}:lambda:${AWS::Region}:1:layer:L:3']\n"
    )

    want = check_layer.expected(template, requirements)

    assert want == check_layer.Expected(
        "3.12.0", "python3.12", "x86_64", ("arn:${AWS::Partition}:lambda:${AWS::Region}:1:layer:L:3",)
    )
    assert check_layer.layer_arn(want.layers[0], "aws-cn", "cn-north-1") == "arn:aws-cn:lambda:cn-north-1:1:layer:L:3"
