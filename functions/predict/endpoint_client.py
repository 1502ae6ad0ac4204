"""The one place that talks to SageMaker Runtime, and turns its failures into API errors.

The client is created once per Lambda container, on first use, so nothing reads the AWS
configuration at import. Tests wrap ``runtime_client()`` in botocore's Stubber, or swap it.

botocore binds a client to the endpoint URL its environment names when the client is made
(AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, or AWS_ENDPOINT_URL for every service). On Lambda neither
changes, so there is one client. The local stack's in-process mode and the tests run several local
endpoints in one process, one after another, so there is one client per URL named.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, ReadTimeoutError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from . import errors
from .observability import logger

JSON = "application/json"

# Timeouts and retries bound the worst case: MAX_ATTEMPTS * (connect + read) plus the standard
# retry mode's backoff before the one retry (at most 1 s) is 15 s, under the function's 20 s
# timeout (template.yaml), which is under API Gateway's 29 s integration limit.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 6
MAX_ATTEMPTS = 2
MAX_BACKOFF_SECONDS = 1
WORST_CASE_SECONDS = MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + MAX_BACKOFF_SECONDS

CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    # total_max_attempts counts the first call; botocore's "max_attempts" would count only retries.
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    user_agent_extra="iris-gateway",
)

# What botocore reads, service-specific first, for the URL of a SageMaker Runtime client.
ENDPOINT_URL_VARIABLES = ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL")
BUSY_CODES = {
    "ThrottlingException": "throttled",
    "ModelNotReadyException": "not_ready",
    "ServiceUnavailable": "unavailable",
}
# An endpoint that does not exist, or that this function may not call, is a deployment mistake.
CONFIGURATION_CODES = {
    "ValidationError",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "MissingAuthenticationTokenException",
}


def runtime_client() -> BaseClient:
    return client_for(*(os.environ.get(name, "") for name in ENDPOINT_URL_VARIABLES))


@cache
def client_for(*endpoint_urls: str) -> BaseClient:
    """The client for the endpoint URLs the environment names (boto3 reads them itself)."""
    return boto3.client("sagemaker-runtime", config=CLIENT_CONFIG)


@dataclass(frozen=True)
class Prediction:
    body: bytes  # the endpoint's JSON, passed through unchanged
    predictions: list[int]
    variant: str  # the production variant that answered


def score(endpoint_name: str, body: str, rows: int, request_id: str, variant: str | None = None) -> Prediction:
    """The endpoint's answer for ``body`` ({"instances": [...]}, ``rows`` of them), checked against the model contract.

    The request id goes as the InferenceId, so the endpoint's captured data joins the API's logs;
    ``variant`` asks for one production variant instead of the endpoint's traffic split.
    """
    parameters: dict[str, Any] = {"InferenceId": request_id} if request_id else {}
    if variant:
        parameters["TargetVariant"] = variant
    try:
        response = runtime_client().invoke_endpoint(
            EndpointName=endpoint_name,
            ContentType=JSON,
            Accept=JSON,
            Body=body,
            **parameters,
        )
        answer: bytes = response["Body"].read()
    except ClientError as error:
        raise _client_error(endpoint_name, error) from error
    except ReadTimeoutError as error:
        logger.error("endpoint timed out", extra={"endpoint": endpoint_name, "error": str(error)})
        raise errors.endpoint_timed_out() from error
    except (BotocoreConnectionError, HTTPClientError) as error:
        logger.error("endpoint unreachable", extra={"endpoint": endpoint_name, "error": str(error)})
        raise errors.endpoint_busy("unreachable") from error
    predictions = _checked_predictions(endpoint_name, answer, rows)
    return Prediction(answer, predictions, response.get("InvokedProductionVariant", ""))


def _client_error(endpoint_name: str, error: ClientError) -> errors.ApiError:
    code = error.response.get("Error", {}).get("Code", "")
    fields: dict[str, Any] = {
        "endpoint": endpoint_name,
        "error_code": code,
        "status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
    }
    if code == "ModelError":
        # The container's answer (OriginalMessage, quoted again in the message) is the serving image's
        # generic HTML error page; the exception is in the endpoint's log, which LogStreamArn names.
        fields |= {key: error.response.get(key) for key in ("OriginalStatusCode", "LogStreamArn")}
        logger.error("model error", extra=fields)
        return errors.model_failed()
    fields["error_message"] = error.response.get("Error", {}).get("Message")
    if code in BUSY_CODES:
        logger.warning("endpoint busy", extra=fields)
        return errors.endpoint_busy(BUSY_CODES[code])
    if code in CONFIGURATION_CODES:
        logger.error("configuration error: the function cannot use its endpoint", extra=fields)
        return errors.endpoint_misconfigured()
    logger.error("endpoint service error", extra=fields)
    return errors.endpoint_bad_response("service_error")


def _checked_predictions(endpoint_name: str, body: bytes, rows: int) -> list[int]:
    """The answer must be the model contract's JSON for as many rows as were sent."""
    try:
        document = json.loads(body)
        predictions = document["predictions"]
        valid = (
            isinstance(predictions, list)
            and len(predictions) == rows
            and set(map(type, predictions)) <= {int}
            and len(document["probabilities"]) == rows
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        logger.error("endpoint answer breaks the model contract", extra={"endpoint": endpoint_name, "body": body[:200]})
        raise errors.endpoint_bad_response()
    return predictions
