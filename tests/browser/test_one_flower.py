"""One flower: the guide's three examples, a 422 at the right input, keyboard-only use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Site, api_predict, shoot

GUIDE = [
    ("setosa", [5.1, 3.5, 1.4, 0.2]),
    ("versicolor", [6.2, 2.9, 4.3, 1.3]),
    ("virginica", [7.7, 3.0, 6.1, 2.3]),
]


@pytest.mark.parametrize(
    ("index", "species", "row"), [(i, s, r) for i, (s, r) in enumerate(GUIDE)], ids=[s for s, _ in GUIDE]
)
def test_guide_flower_gives_its_species_and_bars_from_the_answer(
    site: Site, page: Page, index: int, species: str, row: list[float]
) -> None:
    site.open(page)
    page.click(f"button[data-example='{index}']")

    expect(page.locator("#predicted-species")).to_have_text(species)
    expect(page.locator("#one-status")).to_contain_text(f"Predicted {species}")
    for name, value in zip(["sepal_length", "sepal_width", "petal_length", "petal_width"], row, strict=True):
        assert float(page.input_value(f"#m-{name}")) == value

    answer = api_predict(site.api, [row])
    bars = page.locator("#one-result li.bar")
    expect(bars).to_have_count(3)
    assert [bars.nth(k).get_attribute("data-class") for k in range(3)] == answer["classes"]
    for k, probability in enumerate(answer["probabilities"][0]):
        bar = bars.nth(k)
        assert float(bar.get_attribute("data-probability")) == pytest.approx(probability)
        assert float(bar.locator("rect.bar-fill").get_attribute("width")) == pytest.approx(probability * 100)
    expect(page.locator("#one-result li.bar.is-predicted")).to_have_attribute("data-class", species)
    expect(page.locator("#one-result .model-version")).to_have_text(answer["model_version"])
    expect(page.locator("#one-result .request-id")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.locator("#one-result .variant")).to_have_text("primary")


def test_422_is_shown_at_the_input_it_names(site: Site, page: Page) -> None:
    site.open(page)
    page.click("button[data-example='0']")
    expect(page.locator("#predicted-species")).to_have_text("setosa")

    page.fill("#m-petal_width", "400")  # millimetres by mistake
    page.click("#classify")

    error = page.locator("#m-petal_width-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("must be at most 30 cm")  # the API's own words
    expect(page.locator("#m-petal_width")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#m-petal_width")).to_be_focused()
    for other in ("sepal_length", "sepal_width", "petal_length"):
        expect(page.locator(f"#m-{other}-error")).to_be_hidden()
    expect(page.locator("#one-error")).to_contain_text("The API did not accept the measurements")
    expect(page.locator("#one-error .request-id code")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.locator("#one-result")).to_be_hidden()
    shoot(page, "desktop-one-flower-422")

    page.fill("#m-petal_width", "0.2")
    page.click("#classify")
    expect(page.locator("#predicted-species")).to_have_text("setosa")
    expect(page.locator("#m-petal_width-error")).to_be_hidden()
    expect(page.locator("#m-petal_width")).not_to_have_attribute("aria-invalid", "true")


def test_an_empty_measurement_is_asked_for_before_sending(site: Site, page: Page) -> None:
    site.open(page)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/predict") else None)
    page.fill("#m-sepal_length", "5.1")
    page.click("#classify")
    expect(page.locator("#m-sepal_width-error")).to_contain_text("Enter the sepal width")
    expect(page.locator("#m-sepal_width")).to_be_focused()
    assert sent == []


def test_keyboard_only_example_then_classify_then_result_announced(site: Site, page: Page) -> None:
    site.open(page)
    path = []
    # Tab from the top of the page to the versicolor example, noting every stop on the way.
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return [e.tagName, e.id, e.textContent.trim().slice(0, 30),"
            " getComputedStyle(e).outlineStyle, e.getAttribute('data-example')] }"
        )
        path.append(focused)
        if focused[4] == "1":
            break
    else:
        pytest.fail(f"never reached the versicolor example: {path}")
    assert path[0][2].startswith("Skip to the classifier")
    assert all(stop[3] != "none" for stop in path), f"a stop without a visible focus outline: {path}"

    page.keyboard.press("Space")
    status = page.get_by_role("status").filter(has_text="Predicted")
    expect(status).to_have_text(re.compile(r"^Predicted versicolor, with probability \d+(\.\d)?%\.$"))
    expect(page.locator("#one-status")).to_have_attribute("aria-live", "polite")

    # On to Classify by Tab (through the four inputs), change a value by keyboard, press Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "m-petal_length":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("1.4")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.2")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "classify"
    page.keyboard.press("Enter")
    expect(page.locator("#one-status")).to_have_text(re.compile(r"^Predicted setosa"))

    # Enter inside a measurement submits too.
    page.focus("#m-petal_length")
    page.keyboard.press("Control+A")
    page.keyboard.type("6.1")
    page.focus("#m-petal_width")
    page.keyboard.press("Control+A")
    page.keyboard.type("2.3")
    page.keyboard.press("Enter")
    expect(page.locator("#predicted-species")).to_have_text("virginica")
