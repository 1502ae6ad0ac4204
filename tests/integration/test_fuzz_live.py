"""Raw requests to the live local stack in every AuthMode: raw bodies, raw header values, any method
and path. Whatever is sent, the answer is a 2xx or a 4xx (never a 5xx), every error is the API's JSON
error shape, and a request is scored only through POST /predict with that AuthMode's lock.

Requests go out with http.client, which sends the bytes and headers as given (urllib would add its
own Content-Type to a body without one).
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_stack.settings import REGION
from tests import raw_requests
from tests.helpers import SECURED_STACK_KEY, examples

pytestmark = pytest.mark.integration

LIVE = settings(max_examples=examples(120), deadline=None, suppress_health_check=list(HealthCheck))
MODES = ["NONE", "API_KEY", "IAM"]


def _send(api_url: str, method: str, path: str, body: bytes, headers: dict[str, str]):
    address = urlsplit(api_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(
            method, path, body=body if method not in ("GET", "OPTIONS") or body else None, headers=headers
        )
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def _unlocked(mode: str, headers: dict[str, str]) -> bool:
    if mode == "API_KEY":
        return headers.get("x-api-key") == SECURED_STACK_KEY
    if mode == "IAM":
        return headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256")
    return True


@pytest.mark.parametrize("mode", MODES)
@LIVE
@given(
    method=raw_requests.methods,
    path=raw_requests.paths,
    body=raw_requests.bodies,
    headers=raw_requests.headers,
    with_the_key=st.booleans(),
)
def test_any_raw_request_to_the_live_stack(stacks_by_auth_mode, mode, method, path, body, headers, with_the_key):
    if with_the_key and mode == "API_KEY":
        headers = {**headers, "x-api-key": SECURED_STACK_KEY}

    status, answer_headers, payload = _send(stacks_by_auth_mode[mode].api_url, method, path, body, headers)

    assert status < 500, (status, payload[:300])
    assert b"Traceback" not in payload
    if status >= 400:
        document = json.loads(payload)
        assert set(document) == {"message", "errors", "requestId"}, document
        assert document["requestId"]
    scored = status == 200 and b'"predictions"' in payload
    if scored:
        assert method == "POST", path
        assert path in ("/predict", "/predict/"), path
        assert _unlocked(mode, headers), headers
    assert answer_headers["x-amzn-RequestId"]


def _credentials(mode: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """The lock's credentials for one request: the usage plan's key, or a SigV4 signature."""
    if mode == "API_KEY":
        return {**headers, "x-api-key": SECURED_STACK_KEY}
    if mode == "IAM":
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        SigV4Auth(Credentials("local", "local"), "execute-api", REGION).add_auth(request)
        return dict(request.headers)
    return headers


@pytest.mark.parametrize("mode", MODES)
@LIVE
@given(body=raw_requests.bodies, headers=raw_requests.headers, content_type=raw_requests.json_content_types)
def test_any_raw_body_through_the_lock_to_predict(stacks_by_auth_mode, mode, body, headers, content_type):
    api_url = stacks_by_auth_mode[mode].api_url
    headers = _credentials(mode, f"{api_url}/predict", body, {**headers, "Content-Type": content_type})

    status, _, payload = _send(api_url, "POST", "/predict", body, headers)

    assert status in (200, 400, 413, 422), (status, payload[:300])
    document = json.loads(payload)
    assert set(document) == ({"message", "errors", "requestId"} if status >= 400 else set(document) | {"predictions"})
