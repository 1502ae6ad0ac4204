"""Screenshots at desktop and phone width (the page, and each plot on its own), and no horizontal
scrolling at 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import DESKTOP, PHONE, Site, shoot, shoot_element

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS), indirect=True)
def test_screens(site: Site, page: Page, viewport: dict[str, int]) -> None:
    name = "phone" if viewport["width"] < 600 else "desktop"
    site.open(page)
    shoot(page, f"{name}-start")

    page.click("button[data-example='1']")
    expect(page.locator("#predicted-species")).to_have_text("versicolor")
    expect(page.locator("#one-plot .plot-svg .regions rect").first).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    shoot(page, f"{name}-one-flower")
    shoot_element(page.locator("#one-plot"), f"{name}-one-flower-plot")

    page.fill("#m-sepal_width", "35")
    page.click("#classify")
    expect(page.locator("#m-sepal_width-error")).to_be_visible()
    shoot(page, f"{name}-one-flower-422")

    page.fill(
        "#csv-text",
        "sepal_length,sepal_width,petal_length,petal_width,species\n"
        "5.1,3.5,1.4,0.2,setosa\n6.2,2.9,4.3,1.3,versicolor\n7.7,3.0,6.1,2.3,virginica\n5.9,3.0,5.1,1.8,virginica\n",
    )
    page.click("#classify-batch")
    expect(page.locator("#batch-table tbody tr")).to_have_count(4)
    expect(page.locator("#batch-plot .plot-svg .regions rect").first).to_be_attached()
    expect(page.locator("#batch-plot")).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    shoot_element(page.locator("#batch-plot"), f"{name}-batch-plot")
    page.click("#settings summary")
    shoot(page, f"{name}-batch-and-settings")
