"""The page's static server sends the security headers a <meta> cannot set, and the README's
CloudFront response headers policy sends the same ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from botocore.session import get_session
from botocore.validate import ParamValidator
from werkzeug.test import Client

from local_stack.static_site import FRONTEND, content_security_policy, static_site
from tests.helpers import ROOT


def meta_policy() -> str:
    """The policy index.html sets in its <meta>, read here without the server's code."""
    page = (FRONTEND / "index.html").read_text()
    found = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', page)
    assert found, "index.html has no meta Content-Security-Policy"
    return found.group(1)


def directives(policy: str) -> list[str]:
    return [directive.strip() for directive in policy.split(";") if directive.strip()]


@pytest.mark.parametrize("path", ["/", "/index.html", "/app.js", "/base.css", "/openapi.json", "/no-such-file"])
def test_every_answer_forbids_framing_and_carries_the_pages_policy(path: str) -> None:
    response = Client(static_site()).get(path)

    assert response.status_code == (404 if path == "/no-such-file" else 200)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy == [*directives(meta_policy()), "frame-ancestors 'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_a_page_without_a_meta_policy_is_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    with pytest.raises(ValueError, match="sets no Content-Security-Policy"):
        content_security_policy(tmp_path)


def readme_response_headers_policy() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.DOTALL)
    policies = [json.loads(block) for block in blocks if "SecurityHeadersConfig" in block]
    assert len(policies) == 1, "README.md should give one CloudFront response headers policy"
    return policies[0]


def test_the_readme_cloudfront_policy_is_valid_and_sends_what_the_local_server_sends() -> None:
    policy = readme_response_headers_policy()
    operation = get_session().get_service_model("cloudfront").operation_model("CreateResponseHeadersPolicy")
    report = ParamValidator().validate({"ResponseHeadersPolicyConfig": policy}, operation.input_shape)
    assert not report.has_errors(), report.generate_report()

    local = Client(static_site()).get("/").headers
    security = policy["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == local["Content-Security-Policy"]
    assert security["FrameOptions"]["FrameOption"] == local["X-Frame-Options"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == local["Referrer-Policy"]
    assert "ContentTypeOptions" in security  # X-Content-Type-Options: nosniff
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000  # a year at least
    assert all(header["Override"] for header in security.values())
