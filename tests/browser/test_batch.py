"""Many flowers: a 1,000-row CSV file, a page of the table at a time, one class and by confidence, and
422 rows with the header offset. Files over the row limit: test_batch_parts.py."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.pages import FEATURES, GUIDE, Site, api_predict, download_table, flowers, shoot, write_csv


def test_a_1000_row_file_gives_a_1000_row_table_and_a_download(site: Site, page: Page, tmp_path: Path) -> None:
    rows = flowers(1000)
    # The Kaggle Iris.csv shape: other columns around the features, named differently, reordered.
    header = ["Id", "PetalWidthCm", "SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "Species"]
    file_rows = [[i + 1, r[3], r[0], r[1], r[2], "?"] for i, r in enumerate(rows)]
    path = write_csv(tmp_path / "flowers.csv", file_rows, header)
    site.open(page)

    page.set_input_files("#csv-file", str(path))
    page.click("#classify-batch")

    expect(page.locator("#batch-status")).to_contain_text("1,000 rows")
    answer = api_predict(site.api, rows)
    species = [answer["classes"][p] for p in answer["predictions"]]
    body = page.locator("#batch-table tbody tr")
    expect(body).to_have_count(50)  # a page at a time
    assert [int(n) for n in page.locator("#batch-table tbody th").all_text_contents()] == list(range(1, 51))
    assert (
        page.locator("#batch-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.predicted)") == species[:50]
    )
    headers = page.locator("#batch-table thead th").all_text_contents()
    assert headers == ["#", "Predicted", "P(setosa)", "P(versicolor)", "P(virginica)", *header]
    expect(page.locator("#page-position")).to_have_text("Rows 1 to 50 of 1,000")
    expect(page.locator("#page-previous")).to_be_disabled()
    shoot(page, "desktop-batch-1000")

    page.click("#page-next")
    expect(page.locator("#page-position")).to_have_text("Rows 51 to 100 of 1,000")
    expect(body.first.locator("th")).to_have_text("51")
    assert body.evaluate_all("rows => rows.map(r => r.dataset.predicted)") == species[50:100]

    table = download_table(page)
    assert len(table) == 1001
    assert table[0] == [
        *header,
        "predicted_class",
        "probability_setosa",
        "probability_versicolor",
        "probability_virginica",
    ]
    for line, row, p, probabilities in zip(
        table[1:], file_rows, answer["predictions"], answer["probabilities"], strict=True
    ):
        assert line[:6] == [str(v) for v in row]
        assert line[6] == answer["classes"][p]
        assert [float(x) for x in line[7:]] == probabilities


def test_one_class_at_a_time_sorted_by_confidence_with_uncertain_rows_marked(site: Site, page: Page) -> None:
    # Between versicolor and virginica, where the forest is unsure, and the guide's three.
    rows = [*GUIDE, *[[6.0 + i * 0.05, 2.7, 4.9 + (i % 3) * 0.05, 1.5 + (i % 4) * 0.05] for i in range(12)]]
    answer = api_predict(site.api, rows)
    top = [max(p) for p in answer["probabilities"]]
    uncertain = [i + 1 for i, t in enumerate(top) if t < 0.6]
    assert uncertain, f"the rows chose no uncertain flower: {top}"
    site.open(page)
    page.fill("#csv-text", "\n".join(",".join(str(v) for v in row) for row in rows))
    page.click("#classify-batch")
    expect(page.locator("#batch-status")).to_contain_text(f"{len(uncertain)} uncertain")
    body = page.locator("#batch-table tbody tr")
    expect(body).to_have_count(len(rows))
    marked = body.evaluate_all(
        "rows => rows.filter(r => r.classList.contains('is-uncertain')).map(r => +r.dataset.row + 1)"
    )
    assert marked == uncertain
    expect(page.locator("#batch-table tbody tr.is-uncertain .uncertain-tag").first).to_have_text("uncertain")

    page.select_option("#batch-sort", "least")
    expect(body.first.locator("th")).to_have_text(str(min(range(len(rows)), key=lambda i: (top[i], i)) + 1))
    shown = [int(n) - 1 for n in body.locator("th").all_text_contents()]
    assert shown == sorted(range(len(rows)), key=lambda i: (top[i], i))

    page.select_option("#batch-filter", label="Predicted virginica")
    virginica = answer["classes"].index("virginica")
    expected = sorted((i for i, p in enumerate(answer["predictions"]) if p == virginica), key=lambda i: (top[i], i))
    expect(body).to_have_count(len(expected))
    assert [int(n) - 1 for n in body.locator("th").all_text_contents()] == expected
    expect(page.locator("#batch-table caption")).to_contain_text(f"{len(expected)} rows predicted virginica")


def test_pasted_rows_without_header(site: Site, page: Page) -> None:
    site.open(page)
    page.fill("#csv-text", "\n".join(",".join(str(v) for v in row) for row in GUIDE))
    page.click("#classify-batch")
    expect(page.locator("#batch-table tbody tr")).to_have_count(3)
    predicted = page.locator("#batch-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.predicted)")
    assert predicted == ["setosa", "versicolor", "virginica"]
    expect(page.locator("#batch-table thead th")).to_have_text(
        ["#", "Predicted", "P(setosa)", "P(versicolor)", "P(virginica)", *FEATURES]
    )


def test_without_openapi_json_nothing_is_prechecked_and_the_api_says_it(site: Site, page: Page, tmp_path: Path) -> None:
    page.route("**/openapi.json", lambda route: route.fulfill(status=404, body="not here"))
    path = write_csv(tmp_path / "too-many.csv", flowers(10_001), None)
    site.open(page)
    expect(page.locator("#api-rules")).to_contain_text("were not found next to this page")
    expect(page.locator("#batch-hint")).to_contain_text("The row limit is unknown")
    expect(page.locator("#m-sepal_length")).not_to_have_attribute("max", re.compile(".*"))
    page.set_input_files("#csv-file", str(path))
    page.click("#classify-batch")
    error = page.locator("#batch-error")
    expect(error).to_contain_text("The API did not accept some rows")
    expect(error).to_contain_text("expected 1 to 10000 rows, got 10001")


def test_422_rows_are_named_by_file_line_and_column_after_the_header(site: Site, page: Page) -> None:
    text = "\n".join(
        [
            "petal_width,sepal_length,sepal_width,petal_length,species",  # line 1: header, reordered
            "0.2,5.1,3.5,1.4,setosa",  # line 2: row 1
            "",  # line 3: blank, skipped
            "400,5.1,3.5,1.4,setosa",  # line 4: row 2, petal_width in mm
            "1.3,6.2,abc,4.3,versicolor",  # line 5: row 3, not a number
        ]
    )
    site.open(page)
    page.fill("#csv-text", text)
    page.click("#classify-batch")
    items = page.locator("#batch-error ul.row-errors li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Line 4, column petal_width (row 2): must be at most 30 cm")
    expect(items.nth(0).locator(".line-text")).to_have_text("400,5.1,3.5,1.4,setosa")
    expect(items.nth(0)).to_have_attribute("data-line", "4")
    expect(items.nth(1)).to_contain_text('Line 5, column sepal_width (row 3): expected a number, got "abc"')
    shoot(page, "desktop-batch-422")

    items.nth(1).get_by_role("button", name="Select line 5").click()
    expect(page.locator("#csv-text")).to_be_focused()
    selected = page.evaluate(
        "(() => { const t = document.getElementById('csv-text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd) })()"
    )
    assert selected == "1.3,6.2,abc,4.3,versicolor"


def test_a_short_row_without_header_is_named_by_line(site: Site, page: Page) -> None:
    site.open(page)
    page.fill("#csv-text", "5.1,3.5,1.4,0.2\n6.2,2.9,4.3\n")
    page.click("#classify-batch")
    expect(page.locator("#batch-error ul.row-errors li")).to_have_text(
        [
            re.compile(
                r"^Line 2 \(row 2\): expected 4 numbers \(sepal_length, sepal_width, petal_length, petal_width\), got 3"
            )
        ]
    )


def test_a_header_missing_a_feature_is_explained(site: Site, page: Page) -> None:
    site.open(page)
    page.fill("#csv-text", "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n")
    page.click("#classify-batch")
    expect(page.locator("#batch-error")).to_contain_text("Line 1 looks like a header, but it does not name petal_width")
