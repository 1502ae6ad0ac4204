"""How endpoint failures become API answers, and what is logged and counted for each."""

from __future__ import annotations

import json

import pytest
from botocore import endpoint as botocore_endpoint
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from predict import endpoint_client
from tests.helpers import (
    ALLOWED_ORIGIN,
    GENERIC_500_PAGE,
    call,
    emf_metrics,
    endpoint_answer,
    json_lines,
    load_event,
    problem_logs,
)

GUIDE_ANSWER = {
    "predictions": [0, 1, 2],
    "probabilities": [[1.0, 0.0, 0.0], [0.0, 0.99, 0.01], [0.0, 0.0, 1.0]],
    "classes": ["setosa", "versicolor", "virginica"],
    "model_version": "abc",
}
# What the serving image answers when a hook raises: Flask's generic page, never the exception.
ORIGINAL_MESSAGE = GENERIC_500_PAGE


def test_success_counts_rows_and_classes_and_logs_with_the_request_id(runtime_stub, capsys):
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(GUIDE_ANSWER))
    event = load_event("predict-guide-three-rows")

    answer = call(event)

    lines = json_lines(capsys.readouterr().out)
    metrics = emf_metrics(lines)
    assert answer.status == 200
    assert answer.body == GUIDE_ANSWER
    assert metrics["InstancesScored"][0]["value"] == [3.0]
    assert {name: metrics[f"Predicted_{name}"][0]["value"] for name in GUIDE_ANSWER["classes"]} == {
        "setosa": [1.0],
        "versicolor": [1.0],
        "virginica": [1.0],
    }
    assert metrics["ColdStart"][0]["value"] == [1.0]
    assert "EndpointErrors" not in metrics


def test_request_id_is_the_correlation_id_of_every_log_line(log_lines):
    event = load_event("predict-wrong-shape")

    call(event)

    logs = log_lines()
    assert logs
    assert {line["correlation_id"] for line in logs} == {event["requestContext"]["requestId"]}


def test_the_request_id_goes_to_the_endpoint_as_the_inference_id(runtime_stub):
    # So that the endpoint's captured data can be joined to the API's logs.
    event = load_event("predict-one-row")
    runtime_stub.add_response(
        "invoke_endpoint",
        endpoint_answer({**GUIDE_ANSWER, "predictions": [0], "probabilities": [[1.0, 0.0, 0.0]]}),
        {
            "EndpointName": "iris-endpoint",
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]]}),
            "InferenceId": event["requestContext"]["requestId"],
        },
    )

    assert call(event).status == 200


CLIENT_ERRORS = [
    # (code, HTTP status from SageMaker, our status, kind counted, Retry-After)
    ("ModelError", 424, 502, "model_error", None),
    ("ThrottlingException", 429, 503, "throttled", "2"),
    ("ModelNotReadyException", 429, 503, "not_ready", "2"),
    ("ServiceUnavailable", 503, 503, "unavailable", "2"),
    ("ValidationError", 400, 502, "config", None),
    ("AccessDeniedException", 403, 502, "config", None),
    ("InternalFailure", 500, 502, "service_error", None),
    ("InternalDependencyException", 530, 502, "service_error", None),
]


@pytest.mark.parametrize(("code", "upstream", "status", "kind", "retry_after"), CLIENT_ERRORS)
def test_endpoint_errors_map_to_a_status_a_count_and_a_log(
    runtime_stub, capsys, log_lines, code, upstream, status, kind, retry_after
):
    runtime_stub.add_client_error(
        "invoke_endpoint",
        service_error_code=code,
        service_message=f"{code} from upstream",
        http_status_code=upstream,
        modeled_fields=(
            {"OriginalStatusCode": 500, "OriginalMessage": ORIGINAL_MESSAGE, "LogStreamArn": "arn:aws:logs:x"}
            if code == "ModelError"
            else {}
        ),
    )
    event = load_event("predict-one-row")

    answer = call(event)

    lines = json_lines(capsys.readouterr().out)
    assert answer.status == status
    assert answer.headers.get("retry-after") == retry_after
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert answer.body["requestId"] == event["requestContext"]["requestId"]
    # Nothing from upstream reaches the caller.
    assert code not in json.dumps(answer.body)
    assert "upstream" not in json.dumps(answer.body)
    assert emf_metrics(lines)["EndpointErrors"][0]["kind"] == kind
    assert [line["error_code"] for line in problem_logs(log_lines())] == [code]


def test_a_model_error_logs_the_containers_status_and_where_its_log_is_not_its_page(runtime_stub, log_lines):
    log_stream = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/iris-endpoint"
    runtime_stub.add_client_error(
        "invoke_endpoint",
        service_error_code="ModelError",
        service_message=f'Received server error (500) from primary with message "{ORIGINAL_MESSAGE}". See ...',
        http_status_code=424,
        modeled_fields={"OriginalStatusCode": 500, "OriginalMessage": ORIGINAL_MESSAGE, "LogStreamArn": log_stream},
    )

    answer = call(load_event("predict-one-row"))

    (logged,) = problem_logs(log_lines())
    assert answer.body["message"] == "The model could not score this request"
    assert (logged["message"], logged["OriginalStatusCode"], logged["LogStreamArn"]) == ("model error", 500, log_stream)
    assert "<html" not in json.dumps(logged) + json.dumps(answer.body)


def test_unknown_endpoint_is_logged_as_a_configuration_error(runtime_stub, log_lines):
    runtime_stub.add_client_error("invoke_endpoint", service_error_code="ValidationError", http_status_code=400)

    call(load_event("predict-one-row"))

    logged = problem_logs(log_lines())[0]
    assert logged["message"].startswith("configuration error")
    assert logged["endpoint"] == "iris-endpoint"


@pytest.mark.parametrize(
    ("error", "status", "kind", "retry_after"),
    [
        (ReadTimeoutError(endpoint_url="http://endpoint"), 504, "timeout", None),
        (EndpointConnectionError(endpoint_url="http://endpoint"), 503, "unreachable", "2"),
        (ConnectTimeoutError(endpoint_url="http://endpoint"), 503, "unreachable", "2"),
        (ConnectionClosedError(endpoint_url="http://endpoint"), 503, "unreachable", "2"),
        (HTTPClientError(error="connection reset by peer"), 503, "unreachable", "2"),
    ],
)
def test_transport_failures(raising_client, capsys, error, status, kind, retry_after):
    client = raising_client(error)

    answer = call(load_event("predict-one-row"))

    assert client.calls == 1
    assert answer.status == status
    assert answer.headers.get("retry-after") == retry_after
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert emf_metrics(json_lines(capsys.readouterr().out))["EndpointErrors"][0]["kind"] == kind


@pytest.mark.parametrize(
    "body",
    [
        b"<html>502 Bad Gateway</html>",
        b'{"predictions": [0, 1, 2], "probabil',
        b'{"predictions": [0, 1], "probabilities": [[1, 0, 0], [0, 1, 0]]}',
        b'{"predictions": ["setosa"], "probabilities": [[1, 0, 0]]}',
        b'{"probabilities": [[1, 0, 0]]}',
        b"\xff\xfe",
    ],
    ids=["html", "truncated", "wrong-count", "not-indices", "no-predictions", "not-utf8"],
)
def test_an_unusable_endpoint_answer_is_502(runtime_stub, body):
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(body))

    answer = call(load_event("predict-one-row"))

    assert answer.status == 502
    assert answer.body["message"] == "The model endpoint returned an unusable answer"


def test_a_bug_of_ours_is_500_without_internals(raising_client, log_lines):
    raising_client(RuntimeError("secret internal detail"))

    answer = call(load_event("predict-one-row"))

    output = json.dumps(log_lines())
    assert answer.status == 500
    assert answer.body["message"] == "Internal error; it has been logged"
    assert "secret" not in json.dumps(answer.body)
    assert "secret internal detail" in output
    assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


class _SentBody:
    """The raw body of a botocore AWSResponse."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: object):
        yield self.body


@pytest.fixture
def sagemaker_on_the_wire(monkeypatch):
    """The function's real client, answered on the wire by botocore's before-send event, so its
    retry handler runs. Returns the answers sent, and records the sleeps between attempts."""
    client = endpoint_client.runtime_client()
    sent, sleeps, before_send = [], [], "before-send.sagemaker-runtime.InvokeEndpoint"
    monkeypatch.setattr(botocore_endpoint.time, "sleep", sleeps.append)

    def answer_with(status: int, code: str) -> None:
        def answer(request, **_):
            sent.append(request.url)
            headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
            return AWSResponse(request.url, status, headers, _SentBody(b'{"message": "no"}'))

        client.meta.events.register(before_send, answer)
        registered.append(answer)

    registered = []
    yield answer_with, sent, sleeps
    for answer in registered:
        client.meta.events.unregister(before_send, answer)


# The README's "Timeouts" paragraph, written out: connect within 1 s, read within 6 s, at most 2
# attempts, so the client gives up within 15 s, under the function's 20 s and API Gateway's 29 s.
DOCUMENTED_CONNECT_TIMEOUT = 1
DOCUMENTED_READ_TIMEOUT = 6
DOCUMENTED_ATTEMPTS = 2


@pytest.mark.parametrize(
    ("status", "code", "answered"),
    [(503, "ServiceUnavailable", 503), (429, "ThrottlingException", 503), (500, "InternalFailure", 502)],
)
def test_a_transient_error_is_tried_again_once_after_at_most_a_second(sagemaker_on_the_wire, status, code, answered):
    answer_with, sent, sleeps = sagemaker_on_the_wire
    answer_with(status, code)

    answer = call(load_event("predict-one-row"))

    assert answer.status == answered
    assert len(sent) == DOCUMENTED_ATTEMPTS
    assert len(sleeps) == DOCUMENTED_ATTEMPTS - 1
    assert all(0 <= seconds <= 1 for seconds in sleeps)


def test_a_model_error_is_not_tried_again(sagemaker_on_the_wire):
    answer_with, sent, sleeps = sagemaker_on_the_wire
    answer_with(424, "ModelError")

    answer = call(load_event("predict-one-row"))

    assert (answer.status, len(sent), sleeps) == (502, 1, [])


def test_the_client_waits_the_documented_times():
    config = endpoint_client.runtime_client().meta.config

    assert (config.connect_timeout, config.read_timeout) == (DOCUMENTED_CONNECT_TIMEOUT, DOCUMENTED_READ_TIMEOUT)
