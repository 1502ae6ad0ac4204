"""Many flowers: a 1,000-row CSV file, the row limit from openapi.json, 422 rows with the header offset."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.pages import Site, api_predict, shoot

GUIDE = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def flowers(count: int, seed: int = 7) -> list[list[float]]:
    rng = random.Random(seed)
    return [[round(v + rng.uniform(-0.2, 0.2), 2) for v in GUIDE[i % 3]] for i in range(count)]


def write_csv(path: Path, rows: list[list[object]], header: list[str] | None) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_1000_row_file_gives_a_1000_row_table_and_a_download(site: Site, page: Page, tmp_path: Path) -> None:
    rows = flowers(1000)
    # The Kaggle Iris.csv shape: other columns around the features, named differently, reordered.
    header = ["Id", "PetalWidthCm", "SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "Species"]
    file_rows = [[i + 1, r[3], r[0], r[1], r[2], "?"] for i, r in enumerate(rows)]
    path = write_csv(tmp_path / "flowers.csv", file_rows, header)
    site.open(page)

    page.set_input_files("#csv-file", str(path))
    page.click("#classify-batch")

    expect(page.locator("#batch-table tbody tr")).to_have_count(1000)
    expect(page.locator("#batch-status")).to_contain_text("1,000 rows")
    answer = api_predict(site.api, rows)
    predicted = page.locator("#batch-table tbody td.prediction").all_text_contents()
    assert predicted == [answer["classes"][p] for p in answer["predictions"]]
    headers = page.locator("#batch-table thead th").all_text_contents()
    assert headers == ["#", "Predicted", "P(setosa)", "P(versicolor)", "P(virginica)", *header]
    shoot(page, "desktop-batch-1000")

    with page.expect_download() as download_info:
        page.click("#download-csv")
    download = download_info.value
    assert download.suggested_filename == "iris-predictions.csv"
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
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


def test_pasted_rows_without_header(site: Site, page: Page) -> None:
    site.open(page)
    page.fill("#csv-text", "\n".join(",".join(str(v) for v in row) for row in GUIDE))
    page.click("#classify-batch")
    expect(page.locator("#batch-table tbody td.prediction")).to_have_text(["setosa", "versicolor", "virginica"])
    expect(page.locator("#batch-table thead th")).to_have_text(
        ["#", "Predicted", "P(setosa)", "P(versicolor)", "P(virginica)", *FEATURES]
    )


def test_over_the_row_limit_is_refused_before_sending_with_the_limit(site: Site, page: Page, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "too-many.csv", flowers(10_001), FEATURES)
    site.open(page)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/predict") else None)
    page.set_input_files("#csv-file", str(path))
    page.click("#classify-batch")
    error = page.locator("#batch-error")
    expect(error).to_contain_text("has 10,001 rows, but the API takes at most 10,000 rows per request")
    expect(error).to_contain_text("Nothing was sent")
    assert sent == []


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
