"""The local SageMaker Runtime passes the container's answer through as AWS does: a 2xx is the answer,
with the container's Content-Type; anything else is a ModelError with AWS's fields and message."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from local_stack.sagemaker_container import InvocationResult
from local_stack.sagemaker_runtime import PRIMARY_VARIANT, Endpoint, SageMakerRuntime
from local_stack.settings import ACCOUNT, REGION
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import GENERIC_500_PAGE, json_lines

LOG_GROUP = f"/aws/sagemaker/Endpoints/{DEFAULT_ENDPOINT_NAME}"
CONSOLE = f"https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}#logEventViewer:group={LOG_GROUP}"


class Answering:
    """A container that answers the same every time."""

    def __init__(self, result: InvocationResult) -> None:
        self.result = result

    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        return self.result


class Raising:
    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        raise RuntimeError("disk full at /opt/ml/model")


def _invoke(container):
    client = Client(SageMakerRuntime({DEFAULT_ENDPOINT_NAME: Endpoint.single(container)}))
    return client.post(
        f"/endpoints/{DEFAULT_ENDPOINT_NAME}/invocations",
        data=b"{}",
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=local", "Content-Type": "application/json"},
    )


def test_a_2xx_answer_is_passed_through_with_the_containers_content_type():
    answer = _invoke(Answering(InvocationResult(b"0,1.0,0.0,0.0\n", "text/csv; charset=utf-8", 200)))

    assert (answer.status_code, answer.headers["Content-Type"], answer.data) == (
        200,
        "text/csv; charset=utf-8",
        b"0,1.0,0.0,0.0\n",
    )
    assert answer.headers["x-Amzn-Invoked-Production-Variant"] == PRIMARY_VARIANT


@pytest.mark.parametrize(
    ("status", "side"), [(400, "client"), (415, "client"), (500, "server"), (502, "server"), (504, "server")]
)
def test_any_other_answer_is_a_model_error_as_aws_words_it(status, side):
    original = '{"error": "UnsupportedFormatError"}'

    answer = _invoke(Answering(InvocationResult(original.encode(), "application/json", status)))

    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (424, "ModelError")
    assert json.loads(answer.data) == {
        "Message": f'Received {side} error ({status}) from {PRIMARY_VARIANT} with message "{original}". '
        f"See {CONSOLE} in account {ACCOUNT} for more information.",
        "ErrorCode": f"{side.upper()}_ERROR_FROM_MODEL",
        "OriginalStatusCode": status,
        "OriginalMessage": original,
        "LogStreamArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}",
    }


def test_a_container_that_raises_answers_as_the_images_flask_does_and_the_traceback_goes_to_its_log(capsys):
    answer = _invoke(Raising())

    body = json.loads(answer.data)
    assert (body["OriginalStatusCode"], body["OriginalMessage"]) == (500, GENERIC_500_PAGE)
    logged = [event for event in json_lines(capsys.readouterr().err) if event.get("log_group") == LOG_GROUP]
    assert "RuntimeError: disk full at /opt/ml/model" in logged[0]["message"]
    assert "disk full" not in answer.data.decode()
