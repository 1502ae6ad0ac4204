"""The local SageMaker Runtime through unmodified boto3 and the AWS CLI, over real HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from iris_contract import CLASS_NAMES, GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS

from local_stack.sagemaker_runtime import MAX_BODY_BYTES, PRIMARY_VARIANT, log_group
from local_stack.settings import ACCOUNT, REGION
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import GENERIC_500_PAGE, endpoint_log_has

pytestmark = pytest.mark.integration

GUIDE_BODY = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES})
LOG_GROUP = log_group(DEFAULT_ENDPOINT_NAME)
AWS_CLI = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


def _invoke(client, body=GUIDE_BODY, **overrides):
    arguments = {
        "EndpointName": DEFAULT_ENDPOINT_NAME,
        "ContentType": "application/json",
        "Accept": "application/json",
        "Body": body,
        **overrides,
    }
    return client.invoke_endpoint(**arguments)


def test_guide_example_through_boto3(runtime_client):
    response = _invoke(runtime_client)

    result = json.loads(response["Body"].read())
    assert result["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)
    assert [len(row) for row in result["probabilities"]] == [len(CLASS_NAMES)] * 3
    assert response["ContentType"] == "application/json"
    assert response["InvokedProductionVariant"] == PRIMARY_VARIANT
    assert response["ResponseMetadata"]["RequestId"]


def test_endpoint_url_from_the_environment_variable(endpoint_url, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", endpoint_url)
    client = boto3.client("sagemaker-runtime", region_name="us-east-1")

    response = _invoke(client)

    assert json.loads(response["Body"].read())["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)


def test_csv_through_boto3(runtime_client):
    response = _invoke(runtime_client, body="5.1,3.5,1.4,0.2\n", ContentType="text/csv", Accept="text/csv")

    # The serving image's Flask adds "; charset=utf-8" (tests/integration/test_serving_image.py).
    assert response["ContentType"].split(";")[0] == "text/csv"
    assert response["Body"].read().decode().split(",")[0] == "0"


def test_custom_attributes_are_accepted(runtime_client):
    response = _invoke(runtime_client, CustomAttributes="trace-id=abc123")

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_model_error_carries_the_containers_status_and_page_and_points_at_the_log(runtime_client, capsys):
    with pytest.raises(runtime_client.exceptions.ModelError) as raised:
        _invoke(runtime_client, body='{"instances": [[5.1, 3.5, 1.4]]}')

    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 424
    # What the serving image answers for any exception in a hook: Flask's generic 500 page.
    assert (error["OriginalStatusCode"], error["OriginalMessage"]) == (500, GENERIC_500_PAGE)
    assert error["LogStreamArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}"
    assert error["Error"]["Message"] == (
        f'Received server error (500) from {PRIMARY_VARIANT} with message "{GENERIC_500_PAGE}". '
        f"See https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}#logEventViewer:group={LOG_GROUP}"
        f" in account {ACCOUNT} for more information."
    )
    # The exception itself is in the endpoint's log.
    assert endpoint_log_has(capsys, "row 1 has 3 values, expected 4")


def test_unsupported_content_type_is_a_model_error_named_in_the_endpoints_log(runtime_client, capsys):
    with pytest.raises(runtime_client.exceptions.ModelError) as raised:
        _invoke(runtime_client, ContentType="application/x-npy")

    assert raised.value.response["OriginalMessage"] == GENERIC_500_PAGE
    assert endpoint_log_has(capsys, "unsupported content type 'application/x-npy'")


def test_the_model_errors_body_has_awss_field_names(endpoint_url):
    # As signed requests start their Authorization header; the local endpoint checks no more.
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=local", "Content-Type": "application/json"}
    request = urllib.request.Request(
        f"{endpoint_url}/endpoints/{DEFAULT_ENDPOINT_NAME}/invocations", data=b"{}", headers=headers, method="POST"
    )

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)

    assert raised.value.headers["x-amzn-ErrorType"] == "ModelError"
    body = json.loads(raised.value.read())
    assert set(body) == {"Message", "ErrorCode", "OriginalStatusCode", "OriginalMessage", "LogStreamArn"}
    assert (body["ErrorCode"], body["OriginalStatusCode"]) == ("SERVER_ERROR_FROM_MODEL", 500)


def test_unknown_endpoint_is_a_validation_error(runtime_client):
    with pytest.raises(runtime_client.exceptions.ValidationError) as raised:
        _invoke(runtime_client, EndpointName="no-such-endpoint")

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "no-such-endpoint" in raised.value.response["Error"]["Message"]


def test_malformed_endpoint_name_is_a_validation_error(runtime_client):
    with pytest.raises(runtime_client.exceptions.ValidationError, match="regular expression"):
        _invoke(runtime_client, EndpointName="bad--")


def test_over_size_body_is_refused(runtime_client):
    with pytest.raises(runtime_client.exceptions.ValidationError, match=str(MAX_BODY_BYTES)):
        _invoke(runtime_client, body=b" " * (MAX_BODY_BYTES + 1))


def test_over_long_custom_attributes_are_refused(runtime_client):
    with pytest.raises(runtime_client.exceptions.ValidationError, match="customAttributes"):
        _invoke(runtime_client, CustomAttributes="x" * 1025)


def test_unsigned_requests_are_refused(endpoint_url):
    request = urllib.request.Request(
        f"{endpoint_url}/endpoints/{DEFAULT_ENDPOINT_NAME}/invocations", data=GUIDE_BODY.encode(), method="POST"
    )

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)

    assert raised.value.code == 403
    assert raised.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert json.loads(raised.value.read())["Message"]


def test_every_error_has_a_json_body_and_error_type(endpoint_url):
    request = urllib.request.Request(f"{endpoint_url}/no/such/path", method="GET")

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)

    assert raised.value.code == 404
    assert raised.value.headers["x-amzn-ErrorType"]
    assert "Message" in json.loads(raised.value.read())


def test_ping_like_the_container(endpoint_url):
    with urllib.request.urlopen(f"{endpoint_url}/ping", timeout=5) as response:
        assert response.status == 200


def test_concurrent_requests_all_answer(runtime_client):
    def predict(row_index: int) -> int:
        row = GUIDE_EXAMPLE_INSTANCES[row_index % 3]
        response = _invoke(runtime_client, body=json.dumps({"instances": [row]}))
        return json.loads(response["Body"].read())["predictions"][0]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(predict, range(96)))

    assert answers == [GUIDE_EXAMPLE_PREDICTIONS[i % 3] for i in range(96)]


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed (it is in requirements/dev.txt)")
def test_guide_call_through_the_aws_cli(endpoint_url, tmp_path):
    output = tmp_path / "output.json"

    # AWS CLI v1 sends --body as given; v2 needs --cli-binary-format raw-in-base64-out as in the guide.
    completed = subprocess.run(
        [
            AWS_CLI,
            "sagemaker-runtime",
            "invoke-endpoint",
            "--endpoint-url",
            endpoint_url,
            "--endpoint-name",
            DEFAULT_ENDPOINT_NAME,
            "--content-type",
            "application/json",
            "--accept",
            "application/json",
            "--body",
            '{"instances": [[5.1, 3.5, 1.4, 0.2]]}',
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["InvokedProductionVariant"] == PRIMARY_VARIANT
    assert json.loads(output.read_text())["predictions"] == [0]


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed (it is in requirements/dev.txt)")
def test_unknown_endpoint_through_the_aws_cli(endpoint_url, tmp_path):
    completed = subprocess.run(
        [
            *(AWS_CLI, "sagemaker-runtime", "invoke-endpoint", "--endpoint-url", endpoint_url),
            *("--endpoint-name", "no-such-endpoint", "--body", "{}", str(tmp_path / "out.json")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode != 0
    assert "(ValidationError)" in completed.stderr
