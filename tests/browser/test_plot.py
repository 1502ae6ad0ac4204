"""The plot: one mark per row up to the cap, decision regions drawn from one grid call with the other
two measurements at the batch's medians, axes to choose, and one flower with the guide's three."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from playwright.sync_api import Page, Response, expect
from sklearn.datasets import load_iris

from tests.browser.pages import FEATURES, GUIDE, Site, api_predict, flowers, shoot_between, write_csv

SIDE = 50  # the grid: SIDE by SIDE flowers, within the API's 10,000 rows
CAP = 3_000  # marks drawn at most


def iris() -> list[list[float]]:
    return [[float(v) for v in row] for row in load_iris().data]


def is_grid_call(response: Response) -> bool:
    request = response.request
    return (
        request.method == "POST"
        and request.url.endswith("/predict")
        and len(json.loads(request.post_data or "{}").get("instances", [])) == SIDE * SIDE
    )


def regions_by_cell(page: Page, figure: str) -> list[int]:
    """The class each grid cell is drawn in, from the region rectangles' data attributes."""
    runs = page.locator(f"{figure} .regions rect").evaluate_all(
        "rects => rects.map(r => [+r.dataset.row, +r.dataset.start, +r.dataset.cells, +r.dataset.class])"
    )
    cells = [-1] * (SIDE * SIDE)
    for row, start, length, cls in runs:
        for i in range(start, start + length):
            assert cells[row * SIDE + i] == -1, "two regions cover one cell"
            cells[row * SIDE + i] = cls
    return cells


def marks(page: Page, figure: str) -> list[tuple[int, bool]]:
    """Each row's mark as (class, uncertain): every row is one subpath ("M…") of its class's path."""
    paths = page.locator(f"{figure} .plot-svg .row-marks path").evaluate_all(
        "paths => paths.map(p => [+p.dataset.class, p.classList.contains('uncertain'),"
        " p.getAttribute('d').split('M').length - 1])"
    )
    return [(cls, uncertain) for cls, uncertain, count in paths for _ in range(count)]


def classify_file(page: Page, path: Path) -> Response:
    page.set_input_files("#csv-file", str(path))
    with page.expect_response(is_grid_call) as grid:
        page.click("#classify-batch")
    return grid.value


def test_one_mark_per_row_and_regions_from_the_grid_call(site: Site, page: Page, tmp_path: Path) -> None:
    rows = iris()
    names = load_iris().target_names
    path = write_csv(
        tmp_path / "iris.csv",
        [[*row, names[t]] for row, t in zip(rows, load_iris().target, strict=True)],
        [*FEATURES, "species"],
    )
    site.open(page)
    grid = classify_file(page, path)

    expect(page.locator("#batch-status")).to_contain_text("is classified: 150 rows")
    figure = page.locator("#batch-plot")
    answer = api_predict(site.api, rows)
    drawn = marks(page, "#batch-plot")
    assert sorted(drawn) == sorted(
        (p, max(probabilities) < 0.6)
        for p, probabilities in zip(answer["predictions"], answer["probabilities"], strict=True)
    )

    # The grid: petal length by petal width, sepal length and width at the batch's medians.
    sent = json.loads(grid.request.post_data or "{}")["instances"]
    held = [statistics.median(row[k] for row in rows) for k in (0, 1)]
    assert {(row[0], row[1]) for row in sent} == {tuple(held)}
    assert regions_by_cell(page, "#batch-plot") == grid.json()["predictions"]
    caption = figure.locator("figcaption")
    expect(caption).to_contain_text("Petal length against petal width")
    expect(caption).to_contain_text("150 classified rows, one mark each")
    expect(caption).to_contain_text(
        f"sepal length at {held[0]:.1f} cm and sepal width at {held[1]:.1f} cm, the batch's medians"
    )
    expect(figure.locator(".plot-svg")).to_have_accessible_name(re.compile("Petal length against petal width"))
    expect(figure.locator(".plot-svg")).to_have_accessible_description(re.compile("The table below lists every row"))
    # README.md's picture (docs/screenshot.png is a copy): the batch's status, its plot and legend.
    shoot_between(page, "#batch-status", "#batch-plot", "readme-batch-with-plot")

    page.select_option("#batch-plot-x", label="Sepal length")
    expect(caption).to_contain_text("Sepal length against petal width")
    with page.expect_response(is_grid_call) as regrid:
        page.select_option("#batch-plot-y", label="Sepal width")
    held = [statistics.median(row[k] for row in rows) for k in (2, 3)]
    assert {(row[2], row[3]) for row in json.loads(regrid.value.request.post_data or "{}")["instances"]} == {
        tuple(held)
    }
    expect(caption).to_contain_text("Sepal length against sepal width")
    expect(caption).to_contain_text(f"petal length at {held[0]:.2f} cm and petal width at {held[1]:.1f} cm")
    expect(figure.locator(".plot-svg")).to_have_attribute("data-x", "Sepal length (cm)")
    assert regions_by_cell(page, "#batch-plot") == regrid.value.json()["predictions"]


def test_above_the_cap_an_even_sample_and_the_plot_says_so(site: Site, page: Page, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "many.csv", flowers(4_000, seed=3), FEATURES)
    site.open(page)
    classify_file(page, path)
    expect(page.locator("#batch-status")).to_contain_text("is classified: 4,000 rows")
    assert len(marks(page, "#batch-plot")) == CAP
    expect(page.locator("#batch-plot figcaption")).to_contain_text(
        "4,000 classified rows, of which 3,000 are shown (the plot's cap), an even sample"
    )


def test_one_flower_is_marked_with_the_guides_three(site: Site, page: Page) -> None:
    site.open(page)
    with page.expect_response(is_grid_call) as grid:
        page.click("button[data-example='1']")
    expect(page.locator("#predicted-species")).to_have_text("versicolor")
    figure = page.locator("#one-plot")
    expect(figure.locator(".plot-svg .mark.highlight")).to_have_count(1)
    expect(figure.locator(".plot-svg .mark.highlight")).to_have_attribute("data-class", "1")
    # The guide's versicolor is this flower: marked once.
    expect(figure.locator(".plot-svg .mark.reference")).to_have_count(2)
    assert figure.locator(".flower-label").all_text_contents() == [
        "guide's setosa",
        "guide's virginica",
        "this flower",
    ]
    expect(figure.locator("figcaption")).to_contain_text("which is the operator guide's versicolor")
    sent = json.loads(grid.value.request.post_data or "{}")["instances"]
    assert {(row[0], row[1]) for row in sent} == {(GUIDE[1][0], GUIDE[1][1])}
    assert regions_by_cell(page, "#one-plot") == grid.value.json()["predictions"]
    expect(figure.locator("figcaption")).to_contain_text(
        "sepal length at 6.2 cm and sepal width at 2.9 cm, this flower's own"
    )

    page.fill("#m-petal_width", "1.8")
    page.click("#classify")
    expect(figure.locator(".plot-svg .mark.reference")).to_have_count(3)
    expect(figure.locator("figcaption")).to_contain_text("the operator guide's three flowers (hollow marks)")
