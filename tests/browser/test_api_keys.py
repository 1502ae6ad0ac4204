"""API keys belong to the API origin they were saved for: a link naming another API, or another base
URL typed in, never gets them; a key given in a link leaves the address bar; the page refuses frames."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from werkzeug.wrappers import Response

from local_stack.http_server import base_url, serve_in_background
from tests.browser.pages import THE_KEY, RecordingApi, Site


@pytest.fixture
def key_saved(site: Site, page: Page) -> None:
    """The key saved for the API_KEY-mode API, as a person saves it."""
    site.open(page, api=site.api_key_api, key=THE_KEY)
    page.click("#settings summary")
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#settings-status")).to_have_text("Saved in this browser.")


def classify_and_capture_the_request(page: Page, api: str):
    """Classifies the guide's setosa and returns the POST the browser sent to ``api``."""
    with page.expect_request(lambda request: request.url == f"{api}/predict" and request.method == "POST") as sent:
        page.click("button[data-example='0']")
    response = sent.value.response()
    assert response is not None
    assert response.status == 200, response
    expect(page.locator("#predicted-species")).to_have_text("setosa")
    return sent.value


def link_question(page: Page):
    return page.get_by_role("region", name="This link names another API")


@pytest.mark.usefixtures("key_saved")
def test_a_link_naming_another_api_is_asked_about_and_never_gets_the_saved_key(
    site: Site, page: Page, recording_api: tuple[str, RecordingApi]
) -> None:
    other_url, other = recording_api
    site.open(page, api=other_url)
    question = link_question(page)
    expect(question).to_contain_text(
        f"This link points the page at {other_url}; your saved settings use {site.api_key_api}."
    )
    expect(question).to_contain_text(f"The API key saved for {site.api_key_api} is not sent to {other_url}.")
    expect(page.locator("#api-base-url")).to_have_value(site.api_key_api)  # until the person chooses

    question.get_by_role("button", name="Use the link's API").click()
    expect(question).to_be_hidden()
    expect(page.locator("#settings summary")).to_be_focused()
    expect(page.locator("#settings-summary")).to_have_text(other_url)
    expect(page.locator("#api-base-url")).to_have_value(other_url)
    expect(page.locator("#api-key")).to_have_value("")
    assert classify_and_capture_the_request(page, other_url).header_value("x-api-key") is None
    assert len(other.posts()) >= 1, other.requests  # the recording API did answer (the plot's grid may follow)
    assert not other.api_key_was_offered(), other.requests

    # Back at the API it was saved for, the key is in the field and goes with the request.
    page.click("#settings summary")
    page.fill("#api-base-url", site.api_key_api)
    expect(page.locator("#api-key")).to_have_value(THE_KEY)
    assert classify_and_capture_the_request(page, site.api_key_api).header_value("x-api-key") == THE_KEY
    assert not other.api_key_was_offered(), other.requests


@pytest.mark.usefixtures("key_saved")
def test_until_the_person_chooses_the_saved_settings_are_used(
    site: Site, page: Page, recording_api: tuple[str, RecordingApi]
) -> None:
    site.open(page, api=recording_api[0])
    assert classify_and_capture_the_request(page, site.api_key_api).header_value("x-api-key") == THE_KEY
    page.get_by_role("button", name="Keep my saved settings").click()
    expect(page.locator("#settings-status")).to_have_text("Kept your saved settings.")
    expect(link_question(page)).to_be_hidden()
    assert recording_api[1].requests == []


@pytest.mark.usefixtures("key_saved")
def test_the_key_field_follows_the_origin_of_the_base_url(
    site: Site, page: Page, recording_api: tuple[str, RecordingApi]
) -> None:
    site.open(page, api=None)
    other_url, other = recording_api
    page.click("#settings summary")
    expect(page.locator("#api-key")).to_have_value(THE_KEY)

    page.fill("#api-base-url", other_url)
    expect(page.locator("#api-key")).to_have_value("")
    expect(page.locator("#api-key-hint")).to_contain_text(f"only to {other_url};")
    assert classify_and_capture_the_request(page, other_url).header_value("x-api-key") is None
    assert len(other.posts()) >= 1, other.requests
    assert not other.api_key_was_offered(), other.requests

    page.fill("#api-key", "typed-for-the-other-api")
    page.fill("#api-base-url", f"{site.api_key_api}/")
    expect(page.locator("#api-key")).to_have_value(THE_KEY)
    page.fill("#api-base-url", other_url)
    expect(page.locator("#api-key")).to_have_value("typed-for-the-other-api")


def test_a_key_from_a_link_leaves_the_address_bar_and_the_history(site: Site, page: Page) -> None:
    site.open(page, api=site.api_key_api, key=THE_KEY)
    without_key = f"{site.page_url}/?api={quote(site.api_key_api, safe='')}"
    assert page.evaluate("location.href") == without_key
    assert classify_and_capture_the_request(page, site.api_key_api).header_value("x-api-key") == THE_KEY

    page.goto(f"{site.page_url}/openapi.json")
    page.go_back()
    assert page.url == without_key


def test_the_page_refuses_to_be_shown_in_a_frame(browser, page_url: str) -> None:
    """Another site (here another local origin) frames the page: Chromium refuses, by the header policy."""
    framing_page = Response(f'<iframe src="{page_url}/"></iframe>', content_type="text/html")
    # A context of its own: the `page` fixture fails a test on any CSP report, and this one expects one.
    context = browser.new_context()
    framing = context.new_page()
    with serve_in_background(framing_page) as server:
        with framing.expect_console_message(lambda message: "frame-ancestors 'none'" in message.text):
            framing.goto(f"{base_url(server)}/")
        assert framing.frames[1].evaluate("document.documentElement.dataset.ready ?? null") is None
    context.close()
