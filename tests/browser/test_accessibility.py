"""axe-core (npm, installed in /tmp/browser-proto/axe) on the page's main states, desktop and phone."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import DESKTOP, PHONE, Site

# axe-core as the axe-playwright-python package ships it (pinned in requirements/dev.txt).
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def violations(page: Page) -> list[str]:
    # evaluate() runs outside the page's CSP, so axe needs no inline <script>.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS), indirect=True)
def test_no_axe_violations(site: Site, page: Page, viewport: dict[str, int]) -> None:
    site.open(page)
    page.click("#settings summary")
    found = {"start": violations(page)}

    page.click("button[data-example='2']")
    expect(page.locator("#predicted-species")).to_have_text("virginica")
    expect(page.locator("#one-plot .plot-svg .regions rect").first).to_be_attached()
    found["result and its plot"] = violations(page)

    page.fill("#m-sepal_width", "-1")
    page.click("#classify")
    expect(page.locator("#m-sepal_width-error")).to_be_visible()
    found["one-flower 422"] = violations(page)

    page.fill("#csv-text", "5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n7.7,3.0,6.1,2.3\n")
    page.click("#classify-batch")
    expect(page.locator("#batch-table tbody tr")).to_have_count(3)
    expect(page.locator("#batch-plot .plot-svg .regions rect").first).to_be_attached()
    found["batch and its plot"] = violations(page)

    page.fill("#csv-text", "5.1,3.5,1.4,0.2\n6.2,x,4.3,1.3\n")
    page.click("#classify-batch")
    expect(page.locator("#batch-error li")).to_have_count(1)
    found["batch 422"] = violations(page)

    assert {state: problems for state, problems in found.items() if problems} == {}


def test_no_axe_violations_in_the_link_question_answered_by_keyboard(site: Site, page: Page) -> None:
    site.open(page)
    page.click("#settings summary")
    page.click("#settings-form button[type=submit]")
    site.open(page, api=site.other_origin_api)
    question = page.get_by_role("region", name="This link names another API")
    expect(question).to_be_visible()
    found = {"link question": violations(page)}

    page.keyboard.press("Tab")  # the skip link, then the question's first button
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Use the link's API")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#settings-status")).to_have_text("Kept your saved settings.")
    expect(page.locator("#settings summary")).to_be_focused()
    found["answered"] = violations(page)

    assert {state: problems for state, problems in found.items() if problems} == {}
