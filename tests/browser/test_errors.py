"""Failures a person can act on: API stopped, CORS blocked, API key, and each error status."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import THE_KEY, Site, answer, shoot


def test_api_stopped_says_it_cannot_reach_the_api(site: Site, page: Page, stack_to_stop) -> None:
    api, stop = stack_to_stop
    site.open(page, api=api)
    page.click("button[data-example='0']")
    expect(page.locator("#predicted-species")).to_have_text("setosa")

    stop()
    page.click("#classify")
    error = page.locator("#one-error")
    expect(error).to_contain_text(f"Could not reach the API at {api}. Check that it is running")
    expect(error).not_to_contain_text("CORS")
    expect(page.locator("#one-result")).to_be_hidden()
    error.get_by_role("button", name="Open the API settings").click()
    expect(page.locator("#api-base-url")).to_be_focused()


def test_api_that_allows_only_another_origin_is_reported_as_cors(site: Site, page: Page) -> None:
    site.open(page, api=site.other_origin_api)
    page.click("button[data-example='2']")
    error = page.locator("#one-error")
    expect(error).to_contain_text(
        f"The API at {site.other_origin_api} answered, but the browser did not let this page read the answer"
    )
    expect(error).to_contain_text(f"does not allow this page's origin ({site.page_url}) by CORS")
    expect(error).not_to_contain_text("Could not reach")
    shoot(page, "desktop-cors-blocked")


def test_api_key_missing_wrong_and_right(
    site: Site,
    page: Page,
) -> None:
    site.open(page, api=site.api_key_api)
    page.click("button[data-example='0']")
    error = page.locator("#one-error")
    expect(error).to_contain_text("The API needs an API key. Enter it in the API settings.")
    expect(error.locator(".api-said")).to_have_text("The API said: Forbidden")
    expect(error.locator(".request-id code")).to_have_text(
        re.compile(r"^[0-9a-f-]{36}$")
    )  # from the body: no header exposed

    error.get_by_role("button", name="Open the API settings").click()
    page.fill("#api-key", "wrong")
    page.click("#classify")
    expect(error).to_contain_text("The API refused the API key")

    page.fill("#api-key", THE_KEY)
    page.click("#classify")
    expect(page.locator("#predicted-species")).to_have_text("setosa")
    expect(page.locator("#settings-summary")).to_have_text(f"{site.api_key_api} · with API key")


def test_api_key_from_the_link_and_from_storage(
    site: Site,
    page: Page,
) -> None:
    site.open(page, api=site.api_key_api, key=THE_KEY)
    expect(page.locator("#settings-status")).to_have_text(
        "Using the API settings from the link; save them to keep them."
    )
    page.click("button[data-example='1']")
    expect(page.locator("#predicted-species")).to_have_text("versicolor")

    page.click("#settings summary")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#settings-status")).to_have_text("Saved in this browser.")

    site.open(page, api=None)  # no query: storage
    expect(page.locator("#api-base-url")).to_have_value(site.api_key_api)
    expect(page.locator("#api-key")).to_have_value(THE_KEY)
    page.click("button[data-example='2']")
    expect(page.locator("#predicted-species")).to_have_text("virginica")

    site.open(page, api=site.api_key_api, key="")  # a link to the saved API overrides the saved key
    expect(page.locator("#api-base-url")).to_have_value(site.api_key_api)
    expect(page.locator("#api-key")).to_have_value("")

    site.open(page, api=site.api, key="")  # a link to another API: used once the person says so
    expect(page.locator("#api-base-url")).to_have_value(site.api_key_api)
    page.get_by_role("button", name="Use the link's API").click()
    expect(page.locator("#api-base-url")).to_have_value(site.api)
    expect(page.locator("#api-key")).to_have_value("")

    page.click("#settings summary")
    page.click("#forget-settings")
    site.open(page, api=None)
    expect(page.locator("#api-base-url")).to_have_value("http://127.0.0.1:3000")


def test_share_link(site: Site, page: Page) -> None:
    site.open(page, api=site.api)
    page.click("#settings summary")
    page.fill("#api-key", "k1")
    expect(page.locator("#share-link")).to_have_value(f"{site.page_url}/?api={quote(site.api, safe='')}")
    page.check("#share-include-key")
    expect(page.locator("#share-link")).to_have_value(f"{site.page_url}/?api={quote(site.api, safe='')}&key=k1")
    page.click("#copy-share-link")
    expect(page.locator("#share-status")).to_contain_text("Link copied. It contains the API key")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site.page_url}/?api={quote(site.api, safe='')}&key=k1"


def test_a_bad_base_url_is_explained_before_sending(site: Site, page: Page) -> None:
    site.open(page, api=site.api.removeprefix("http://"))
    page.click("button[data-example='0']")
    expect(page.locator("#one-error")).to_contain_text("The API base URL must start with http:// or https://")


STATUSES = [
    (400, "The request body is not valid JSON: it is empty", {}, "The API could not read the request."),
    (
        413,
        "The request body is 3000000 bytes; the limit is 2097152 bytes",
        {},
        "The request is too large for the API. Send fewer rows at a time.",
    ),
    (
        415,
        "Send the body as application/json (the request had 'text/plain')",
        {},
        "The API refused the request's content type.",
    ),
    (429, "Too Many Requests", {}, "The API is getting too many requests. Wait a moment and try again."),
    (500, "Internal error; it has been logged", {}, "The API failed with an internal error."),
    (502, "The model could not score this request", {}, "The model service did not give a usable answer."),
    (
        503,
        "The model endpoint is busy or not ready; retry shortly",
        {"Retry-After": "2"},
        "The model is busy or not ready yet. Try again in 2 seconds.",
    ),
    (504, "The model endpoint did not answer in time", {}, "The model did not answer in time."),
    (403, "Missing Authentication Token", {}, "The API has no such route, or it wants signed (IAM) requests"),
]


@pytest.mark.parametrize(("status", "message", "headers", "sentence"), STATUSES, ids=[str(s[0]) for s in STATUSES])
def test_each_error_status_gets_a_plain_sentence_and_the_request_id(
    site: Site, page: Page, status, message, headers, sentence
) -> None:
    page.route(f"{site.api}/predict", answer(site.page_url, status, message, headers))
    site.open(page)
    page.click("button[data-example='0']")
    error = page.locator("#one-error")
    expect(error.locator(".error-sentence")).to_contain_text(sentence)
    expect(error.locator(".api-said")).to_have_text(f"The API said: {message}")
    expect(error.locator(".request-id code")).to_have_text("rid-1")


def test_429_with_retry_after_and_an_error_without_a_body(site: Site, page: Page) -> None:
    page.route(f"{site.api}/predict", answer(site.page_url, 429, "Too Many Requests", {"Retry-After": "1"}))
    site.open(page)
    page.click("button[data-example='0']")
    expect(page.locator("#one-error .error-sentence")).to_have_text(
        "The API is getting too many requests. Try again in 1 second."
    )

    page.unroute(f"{site.api}/predict")
    page.route(f"{site.api}/predict", answer(site.page_url, 502, None, {"X-Request-Id": "from-header"}))
    page.click("#classify")
    expect(page.locator("#one-error .error-sentence")).to_contain_text("The model service did not give a usable answer")
    expect(page.locator("#one-error .api-said")).to_have_text("The API said: The API answered 502")
    expect(page.locator("#one-error .request-id code")).to_have_text("from-header")


def test_variant_header_is_shown_when_exposed(site: Site, page: Page) -> None:
    body = json.dumps(
        {
            "predictions": [0],
            "probabilities": [[1.0, 0.0, 0.0]],
            "classes": ["setosa", "versicolor", "virginica"],
            "model_version": "abc",
        }
    )
    page.route(
        f"{site.api}/predict",
        lambda route: route.fulfill(
            status=200,
            body=body,
            headers={
                "Access-Control-Allow-Origin": site.page_url,
                "Access-Control-Expose-Headers": "X-Request-Id,Retry-After,X-Model-Variant",
                "Content-Type": "application/json",
                "X-Request-Id": "r-9",
                "X-Model-Variant": "blue",
            },
        ),
    )
    site.open(page)
    page.click("button[data-example='0']")
    expect(page.locator("#one-result .variant")).to_have_text("blue")
    expect(page.locator("#one-result .request-id")).to_have_text("r-9")


def test_real_413_from_a_body_over_the_api_limit(site: Site, page: Page) -> None:
    site.open(page)
    page.fill(
        "#csv-text",
        "5.1,3.5,1.4,0.2\n"
        + ",".join(["x" * 1_100_000, "1", "2", "3"])
        + "\n6.2,2.9,4.3,1.3\n"
        + "y" * 1_100_000
        + ",1,2,3\n",
    )
    page.click("#classify-batch")
    error = page.locator("#batch-error")
    expect(error.locator(".error-sentence")).to_have_text(
        "The request is too large for the API. Send fewer rows at a time."
    )
    expect(error.locator(".api-said")).to_contain_text("the limit is 2097152 bytes")
    expect(error.locator(".request-id code")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))


def test_real_404_when_the_base_url_has_a_stage_the_local_api_lacks(site: Site, page: Page) -> None:
    site.open(page, api=f"{site.api}/Prod")
    page.click("button[data-example='0']")
    error = page.locator("#one-error")
    expect(error.locator(".error-sentence")).to_have_text("The API has no such route: check the API base URL.")
    expect(error.locator(".api-said")).to_contain_text("No route for this path")
