"""Every route x method x AuthMode x path variant on the local stack: a request is scored only through
the POST /predict method with its lock, and every other answer is the documented 2xx or 4xx.

API Gateway (REST) matches a path with one trailing slash to the resource without it (and passes
the path on as sent), keeps letter case, and leaves a path with an empty segment to the greedy
{proxy+} resource: local_stack/cloudformation.py's ApiRoute.match, whose sources the README cites.
"""

from __future__ import annotations

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_stack import settings
from tests.helpers import ALLOWED_ORIGIN, GUIDE_CURL_BODY, SECURED_STACK_KEY, http

pytestmark = pytest.mark.integration

# path -> the resource API Gateway matches it to
PATHS = {
    "/predict": "/predict",
    "/predict/": "/predict",
    "/predict//": "/{proxy+}",
    "/Predict": "/{proxy+}",
    "/PREDICT/": "/{proxy+}",
    "/health": "/health",
    "/health/": "/health",
    "/predict/health": "/{proxy+}",
    "/nope": "/{proxy+}",
}
METHODS = ("POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS")
SERVED = {"/predict": "POST", "/health": "GET"}


def _request(stack, mode: str, method: str, path: str, credentials: bool):
    url = f"{stack.api_url}{path}"
    headers = {"Content-Type": "application/json", "Origin": ALLOWED_ORIGIN}
    body = GUIDE_CURL_BODY if method in ("POST", "PUT", "PATCH") else None
    if credentials and mode == "API_KEY":
        headers["x-api-key"] = SECURED_STACK_KEY
    if credentials and mode == "IAM":
        signed = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(Credentials("local", "local"), "execute-api", settings.REGION).add_auth(signed)
        headers = dict(signed.headers)
    return http(url, method=method, body=body, headers=headers)


def _expected(mode: str, method: str, resource: str, credentials: bool) -> int:
    if method == "OPTIONS":
        return 204  # preflight, on any path, so that a browser can read the 404 that follows
    if resource == "/{proxy+}":
        return 404
    if method != SERVED[resource]:
        return 405
    if mode == "NONE" or credentials:
        return 200
    return 403


@pytest.mark.parametrize("credentials", [False, True], ids=["no-credentials", "credentials"])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("mode", ["NONE", "API_KEY", "IAM"])
def test_only_the_locked_predict_method_scores(stacks_by_auth_mode, mode, path, credentials):
    for method in METHODS:
        status, headers, body = _request(stacks_by_auth_mode[mode], mode, method, path, credentials)
        resource = PATHS[path]

        assert status == _expected(mode, method, resource, credentials), (method, path, body)
        assert ("predictions" in (body or {})) is (resource == "/predict" and status == 200), (method, path)
        assert headers["Content-Type"].startswith("application/json") or status == 204
        if status >= 400:
            assert set(body) == {"message", "errors", "requestId"}, (method, path, body)
