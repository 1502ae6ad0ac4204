"""What an operator finds in the logs for each way the endpoint can fail: one line, its words, its fields.

Operators search CloudWatch Logs Insights for these messages and fields (docs/operations.md), so
the exact words are part of the function's behaviour, like the status codes are.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from predict import endpoint_client
from predict.errors import ApiError
from tests.helpers import call, endpoint_answer, load_event, problem_logs

ENDPOINT = "iris-endpoint"
ONE_ROW_BODY = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
ONE_ROW_ANSWER = {"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]]}


@pytest.mark.parametrize(
    ("code", "upstream", "level", "message"),
    # A ModelError's message quotes the container's page: test_endpoint_errors.py shows what it logs instead.
    [
        ("ThrottlingException", 429, "WARNING", "endpoint busy"),
        ("ServiceUnavailable", 503, "WARNING", "endpoint busy"),
        ("AccessDeniedException", 403, "ERROR", "configuration error: the function cannot use its endpoint"),
        ("InternalFailure", 500, "ERROR", "endpoint service error"),
    ],
)
def test_a_sagemaker_error_logs_its_code_message_and_status(runtime_stub, log_lines, code, upstream, level, message):
    runtime_stub.add_client_error(
        "invoke_endpoint", service_error_code=code, service_message=f"{code} said no", http_status_code=upstream
    )

    call(load_event("predict-one-row"))

    [logged] = problem_logs(log_lines())
    assert (logged["level"], logged["message"]) == (level, message)
    assert (logged["endpoint"], logged["error_code"], logged["error_message"], logged["status"]) == (
        ENDPOINT,
        code,
        f"{code} said no",
        upstream,
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ReadTimeoutError(endpoint_url="http://runtime.example/invocations"), "endpoint timed out"),
        (EndpointConnectionError(endpoint_url="http://runtime.example/invocations"), "endpoint unreachable"),
    ],
)
def test_a_transport_failure_logs_what_botocore_said(raising_client, log_lines, error, message):
    raising_client(error)

    call(load_event("predict-one-row"))

    [logged] = problem_logs(log_lines())
    assert (logged["level"], logged["message"]) == ("ERROR", message)
    assert logged["endpoint"] == ENDPOINT
    assert "http://runtime.example/invocations" in logged["error"]


def test_an_unusable_answer_logs_its_first_200_bytes(runtime_stub, log_lines):
    answer = b'{"predictions": "' + b"x" * 300 + b'"}'
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(answer))

    call(load_event("predict-one-row"))

    [logged] = problem_logs(log_lines())
    assert (logged["level"], logged["message"]) == ("ERROR", "endpoint answer breaks the model contract")
    assert logged["endpoint"] == ENDPOINT
    assert logged["body"] == str(answer[:200])


def test_a_client_error_without_error_or_metadata_is_a_service_error(raising_client, log_lines):
    # botocore builds ClientError from whatever the service sent; a bare one must not become our 500.
    raising_client(ClientError({}, "InvokeEndpoint"))

    answer = call(load_event("predict-one-row"))

    [logged] = problem_logs(log_lines())
    assert answer.status == 502
    assert answer.body["message"] == "The model endpoint returned an unusable answer"
    assert logged["message"] == "endpoint service error"
    assert logged["error_code"] == ""
    # Powertools leaves out fields whose value is None.
    assert "error_message" not in logged
    assert "status" not in logged


# What every InvokeEndpoint call sends, whatever the request id and variant.
ALWAYS_SENT = {
    "EndpointName": ENDPOINT,
    "ContentType": "application/json",
    "Accept": "application/json",
    "Body": ONE_ROW_BODY,
}


def _stubbed_score(expected_parameters: dict, response: dict, request_id: str, variant: str | None):
    with Stubber(endpoint_client.runtime_client()) as stubber:
        stubber.add_response("invoke_endpoint", response, expected_parameters)
        prediction = endpoint_client.score(ENDPOINT, ONE_ROW_BODY, 1, request_id, variant)
        stubber.assert_no_pending_responses()
    return prediction


def test_without_a_request_id_no_inference_id_is_sent():
    prediction = _stubbed_score(ALWAYS_SENT, endpoint_answer(ONE_ROW_ANSWER), "", None)

    assert prediction.predictions == [0]


def test_a_chosen_variant_is_sent_as_the_target_variant_and_the_answering_one_is_returned():
    expected = {**ALWAYS_SENT, "InferenceId": "req-1", "TargetVariant": "challenger"}
    response = {**endpoint_answer(ONE_ROW_ANSWER), "InvokedProductionVariant": "challenger"}

    prediction = _stubbed_score(expected, response, "req-1", "challenger")

    assert prediction.variant == "challenger"


def test_an_answer_that_names_no_variant_has_an_empty_variant():
    response = endpoint_answer(ONE_ROW_ANSWER)
    del response["InvokedProductionVariant"]
    expected = {**ALWAYS_SENT, "InferenceId": "req-1"}

    prediction = _stubbed_score(expected, response, "req-1", None)

    assert prediction.variant == ""
    assert prediction.body == b'{"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]]}'


@pytest.mark.parametrize(
    "answer",
    [
        {"predictions": [True], "probabilities": [[1.0, 0.0, 0.0]]},
        {"predictions": [0], "probabilities": [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]},
        {"predictions": [0]},
        {"predictions": {"0": 0}, "probabilities": [[1.0, 0.0, 0.0]]},
        [0],
    ],
    ids=["booleans", "more-probabilities-than-rows", "no-probabilities", "not-a-list", "not-an-object"],
)
def test_an_answer_off_the_contract_is_refused(runtime_stub, answer):
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(answer))

    with pytest.raises(ApiError) as raised:
        endpoint_client.score(ENDPOINT, ONE_ROW_BODY, 1, "req-1")

    assert (raised.value.status, raised.value.endpoint_error_kind) == (502, "bad_response")
