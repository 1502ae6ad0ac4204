"""The request path end to end: HTTP -> local API Gateway -> handler -> boto3 -> local endpoint."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from iris_contract import GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS

from local_stack import settings
from local_stack.cloudformation import load_template
from local_stack.stack import local_stack
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import ALLOWED_ORIGIN, ALLOWED_ORIGINS, GUIDE_CURL_BODY, http, predict
from tools import openapi

pytestmark = pytest.mark.integration


def test_the_guides_curl_command(stack):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")

    completed = subprocess.run(
        [
            curl,
            "-sS",
            "-X",
            "POST",
            f"{stack.api_url}/predict",
            "-H",
            "Content-Type: application/json",
            "-d",
            GUIDE_CURL_BODY,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    assert json.loads(completed.stdout)["predictions"] == [0]


def test_the_api_passes_the_endpoints_json_through_unchanged(stack, runtime_client):
    body = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES})

    status, headers, via_api = predict(stack.api_url, body)
    direct = runtime_client.invoke_endpoint(
        EndpointName=DEFAULT_ENDPOINT_NAME, ContentType="application/json", Body=body
    )

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert via_api == json.loads(direct["Body"].read())
    assert via_api["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)


def test_the_guides_boto3_code_against_the_local_endpoint(stack, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", stack.endpoint_url)
    runtime = boto3.client("sagemaker-runtime", region_name=settings.REGION)

    response = runtime.invoke_endpoint(
        EndpointName=stack.function.endpoint_name,
        ContentType="application/json",
        Accept="application/json",
        Body=json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES}),
    )

    assert json.loads(response["Body"].read().decode())["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)


def test_named_features_through_the_api(stack):
    rows = [
        dict(zip(("sepal_length", "sepal_width", "petal_length", "petal_width"), r, strict=True))
        for r in GUIDE_EXAMPLE_INSTANCES
    ]

    status, _, body = predict(stack.api_url, json.dumps({"instances": rows}))

    assert status == 200
    assert body["predictions"] == list(GUIDE_EXAMPLE_PREDICTIONS)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"instances": [[1, 2, 3]]}', "application/json", 422),
        ("5.1,3.5,1.4,0.2", "text/csv", 415),
    ],
)
def test_client_errors_over_http_are_json_with_cors(stack, body, content_type, status):
    answer_status, headers, answer = predict(stack.api_url, body, content_type)

    assert answer_status == status
    assert set(answer) == {"message", "errors", "requestId"}
    assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert headers["x-amzn-RequestId"] == answer["requestId"]


def test_non_utf8_body_arrives_base64_and_is_400(stack):
    body = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}\xff'

    status, _, answer = http(f"{stack.api_url}/predict", body=body, headers={"Content-Type": "application/json"})

    assert status == 400
    assert "UTF-8" in answer["message"]


def test_preflight_wrong_method_and_unknown_route(stack):
    preflight = http(
        f"{stack.api_url}/predict",
        method="OPTIONS",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    wrong_method = http(f"{stack.api_url}/predict", method="GET")
    unknown = http(f"{stack.api_url}/nowhere/at/all", method="GET")

    assert preflight[0] == 204
    assert preflight[1]["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert (wrong_method[0], wrong_method[1]["Allow"]) == (405, "POST, OPTIONS")
    assert unknown[0] == 404


@pytest.mark.parametrize("origin", ALLOWED_ORIGINS)
def test_a_path_no_template_route_covers_is_api_gateways_403_with_the_templates_gateway_response(stack, origin):
    # The stack allows two origins, so API Gateway's own answer echoes the caller's, as the template says.
    status, headers, body = http(f"{stack.api_url}/", method="GET", headers={"Origin": origin})

    assert status == 403
    assert body == {"message": "Missing Authentication Token", "errors": [], "requestId": headers["x-amzn-RequestId"]}
    assert headers["Access-Control-Allow-Origin"] == origin
    assert headers["Vary"] == "Origin"


def test_routes_come_from_the_template():
    routes = {(route.method, route.path) for route in load_template().routes}

    assert routes == {
        ("POST", "/predict"),
        ("OPTIONS", "/predict"),
        ("ANY", "/predict"),
        ("GET", "/health"),
        ("ANY", "/health"),
        ("ANY", "/{proxy+}"),
    }


def test_concurrent_callers_all_get_their_own_answer(stack):
    def one(index: int) -> tuple[int, int]:
        row = GUIDE_EXAMPLE_INSTANCES[index % 3]
        status, _, body = predict(stack.api_url, json.dumps({"instances": [row]}))
        return status, body["predictions"][0]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(120)))

    assert answers == [(200, GUIDE_EXAMPLE_PREDICTIONS[i % 3]) for i in range(120)]


def test_the_stack_serves_the_web_page_and_its_openapi_document_on_an_origin_of_its_own(stack):
    page = urllib.request.urlopen(f"{stack.page_url}/", timeout=10)
    document = urllib.request.urlopen(f"{stack.page_url}/openapi.json", timeout=10)

    assert stack.page_url != stack.api_url
    assert "<title>" in page.read().decode()
    assert json.load(document) == json.loads(openapi.DOCUMENT.read_text())


@pytest.fixture(scope="module")
def secured_stacks(model_artifact, model_serving):
    common = {"endpoint_port": 0, "api_port": 0, "serve_page": False, "serving": model_serving}
    with (
        local_stack(model_artifact, auth_mode="API_KEY", api_key="k-1", **common) as keyed,
        local_stack(model_artifact, auth_mode="IAM", **common) as iam,
    ):
        yield {"API_KEY": keyed, "IAM": iam}


@pytest.mark.parametrize(("key", "status"), [(None, 403), ("wrong", 403), ("k-1", 200)])
def test_api_key_mode_asks_for_the_usage_plans_key(secured_stacks, key, status):
    headers = {"Content-Type": "application/json", **({"x-api-key": key} if key else {})}

    answer_status, answer_headers, body = http(
        f"{secured_stacks['API_KEY'].api_url}/predict", body=GUIDE_CURL_BODY, headers=headers
    )

    assert answer_status == status
    if status == 403:
        assert (body["message"], answer_headers["x-amzn-ErrorType"]) == ("Forbidden", "ForbiddenException")


@pytest.mark.parametrize("mode", ["API_KEY", "IAM"])
def test_preflight_and_health_need_no_credentials_in_any_mode(secured_stacks, mode):
    api = secured_stacks[mode].api_url

    preflight = http(
        f"{api}/predict", method="OPTIONS", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    health = http(f"{api}/health", method="GET")

    assert (preflight[0], health[0]) == (204, 200)


def test_iam_mode_wants_a_sigv4_signed_request(secured_stacks):
    url = f"{secured_stacks['IAM'].api_url}/predict"
    request = AWSRequest(method="POST", url=url, data=GUIDE_CURL_BODY, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("local", "local"), "execute-api", "us-east-1").add_auth(request)

    unsigned = http(url, body=GUIDE_CURL_BODY, headers={"Content-Type": "application/json"})
    signed = http(url, body=GUIDE_CURL_BODY, headers=dict(request.headers))

    assert (unsigned[0], unsigned[2]["message"]) == (403, "Missing Authentication Token")
    assert signed[0] == 200
