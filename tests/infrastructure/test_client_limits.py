"""Limits per client in the translated template: AWS WAF's per-IP rate limit on the stage, and the
usage plan's daily quota per API key. (The web ACL's association with the stage is a grant:
test_service_grants.py.)"""

from __future__ import annotations

import json

import pytest

from tests.helpers import MODEL_URI, render

pytestmark = pytest.mark.infrastructure


def _acl(deployment) -> dict:
    (acl,) = deployment.of_type("AWS::WAFv2::WebACL").values()
    return acl["Properties"]


def test_one_address_over_its_rate_gets_a_json_429_with_retry_after(deploy):
    properties = _acl(deploy(ModelDataUrl=MODEL_URI, RateLimitPerIp="120"))

    assert properties["DefaultAction"] == {"Allow": {}}
    (rule,) = properties["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": 60,
        "Limit": "120",
    }
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    headers = {h["Name"]: h["Value"] for h in response["ResponseHeaders"]}
    assert headers["Retry-After"] == "60"
    body = properties["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    # The shape of every other error of the API.
    assert set(json.loads(body["Content"])) == {"message", "errors", "requestId"}


@pytest.mark.parametrize(
    ("origins", "sent"),
    [("*", "*"), ("https://app.example.com", "https://app.example.com"), ("https://a.example,https://b.example", None)],
)
def test_the_429_carries_the_cors_origin_where_one_fixed_value_can(deploy, origins, sent):
    properties = _acl(deploy(ModelDataUrl=MODEL_URI, AllowedOrigins=origins))

    (rule,) = properties["Rules"]
    headers = {h["Name"]: h["Value"] for h in rule["Action"]["Block"]["CustomResponse"]["ResponseHeaders"]}
    assert headers.get("Access-Control-Allow-Origin") == sent


def test_the_default_limit_is_a_tenth_of_the_stage_rate(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI)

    (rule,) = _acl(deployment)["Rules"]
    per_minute = int(rule["Statement"]["RateBasedStatement"]["Limit"])
    assert per_minute / 60 == int(deployment.parameters["ThrottlingRateLimit"]) / 10


def test_no_web_acl_when_the_limit_is_zero(deploy):
    deployment = deploy(ModelDataUrl=MODEL_URI, RateLimitPerIp="0")

    assert deployment.of_type("AWS::WAFv2::WebACL") == {}
    assert deployment.of_type("AWS::WAFv2::WebACLAssociation") == {}


@pytest.mark.parametrize("quota", ["100000", "5000"])
def test_each_api_key_has_a_daily_quota(deploy, quota):
    deployment = deploy(ModelDataUrl=MODEL_URI, AuthMode="API_KEY", ApiKeyDailyQuota=quota)

    (plan,) = deployment.of_type("AWS::ApiGateway::UsagePlan").values()
    assert plan["Properties"]["Quota"] == {"Limit": quota, "Period": "DAY"}
    (key,) = deployment.of_type("AWS::ApiGateway::UsagePlanKey").values()
    assert key["Properties"]["UsagePlanId"] == {"Ref": "UsagePlan"}


@pytest.mark.parametrize(
    ("digest", "reference"),
    [("", ":1.9-0-cpu-py3"), ("sha256:" + "ab" * 32, "@sha256:" + "ab" * 32)],
    ids=["tag", "digest"],
)
def test_the_serving_image_is_named_by_digest_when_one_is_given(deploy, digest, reference):
    deployment = deploy(ModelDataUrl=MODEL_URI, ChallengerModelDataUrl=MODEL_URI, ServingImageDigest=digest)

    for model in deployment.of_type("AWS::SageMaker::Model").values():
        image = render(model["Properties"]["PrimaryContainer"]["Image"], deployment.parameters)
        assert image == f"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn{reference}"
