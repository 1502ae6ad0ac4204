"""What the browser tests share: opening the page, screenshots, and the API's own answer to compare with."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iris_contract import CLASS_NAMES
from playwright.sync_api import Locator, Page, Route
from werkzeug.wrappers import Request, Response

from tests.helpers import ROOT, http

# Test artefacts: every screenshot the tests take lands here. docs/screenshot.png, README.md's picture,
# is a copy of readme-batch-with-plot.png (tests/browser/test_plot.py).
SCREENSHOTS = ROOT / "build" / "screenshots"
THE_KEY = "browser-test-key"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# Site.open(page) with no api: the API that allows the page; with api=None: the page's own default.
ALLOWED_API = object()


def open_page(page: Page, page_url: str, api: str | None, key: str | None = None) -> Page:
    """The page with its settings in the query, as a shared link gives them, once it is ready."""
    query = [f"{name}={value}" for name, value in (("api", api), ("key", key)) if value is not None]
    page.goto(f"{page_url}/" + ("?" + "&".join(query) if query else ""))
    page.wait_for_selector("html[data-ready]")
    return page


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def shoot_element(locator: Locator, name: str) -> Path:
    """A screenshot of one part of the page, such as the plot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    locator.screenshot(path=str(path))
    return path


def shoot_between(page: Page, top: str, bottom: str, name: str) -> Path:
    """A screenshot from the top of one element to the bottom of another, across the page's width."""
    first, last = page.locator(top).bounding_box(), page.locator(bottom).bounding_box()
    assert first, f"{top} is not shown"
    assert last, f"{bottom} is not shown"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    scrolled = page.evaluate("window.scrollY")  # bounding boxes are in the viewport; the clip is in the page
    top_y = first["y"] + scrolled - 16
    clip = {
        "x": first["x"] - 16,
        "y": top_y,
        "width": first["width"] + 32,
        "height": last["y"] + last["height"] + scrolled + 16 - top_y,
    }
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def download_table(page: Page) -> list[list[str]]:
    """Clicks the page's download button; the file it gives, as CSV rows."""
    with page.expect_download() as download_info:
        page.click("#download-csv")
    download = download_info.value
    assert download.suggested_filename == "iris-predictions.csv"
    return list(csv.reader(io.StringIO(Path(download.path()).read_text())))


def api_predict(api_url: str, rows: list[list[float]]) -> dict[str, Any]:
    """The API's own answer, outside the browser, to compare the page with."""
    status, _, body = http(
        f"{api_url}/predict", body=json.dumps({"instances": rows}), headers={"Content-Type": "application/json"}
    )
    assert status == 200, body
    return body


@dataclass(frozen=True)
class Site:
    """The page and the APIs the scenarios point it at."""

    page_url: str
    api: str  # allows the page's origin
    other_origin_api: str  # allows only another origin
    api_key_api: str  # API_KEY mode, key THE_KEY

    def open(self, page, api: object = ALLOWED_API, key: str | None = None):
        return open_page(page, self.page_url, self.api if api is ALLOWED_API else api, key)  # type: ignore[arg-type]


@dataclass
class RecordingApi:
    """An API of another origin that records every request's method, path and headers (names in
    lower case), and answers as the real API does: CORS preflight allowing Content-Type and
    x-api-key, so that a key the page sent would arrive and be recorded, and setosa for any POST."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append((request.method, request.path, {k.lower(): v for k, v in request.headers.items()}))
        cors = {"Access-Control-Allow-Origin": request.headers.get("Origin", "*"), "Vary": "Origin"}
        if request.method == "OPTIONS":
            allow = {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type,X-Api-Key"}
            response = Response(status=204, headers={**cors, **allow, "Access-Control-Max-Age": "0"})
        else:
            body = {"predictions": [0], "probabilities": [[1.0, 0.0, 0.0]], "classes": list(CLASS_NAMES)}
            response = Response(
                json.dumps({**body, "model_version": "recording-api"}),
                content_type="application/json",
                headers={**cors, "Access-Control-Expose-Headers": "X-Request-Id", "X-Request-Id": "recorded"},
            )
        return response(environ, start_response)

    def posts(self) -> list[dict[str, str]]:
        """The headers of each POST it received."""
        return [headers for method, _, headers in self.requests if method == "POST"]

    def api_key_was_offered(self) -> bool:
        """Whether any request carried x-api-key, or a preflight asked to send it."""
        return any(
            "x-api-key" in headers or "x-api-key" in headers.get("access-control-request-headers", "").lower()
            for _, _, headers in self.requests
        )


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


def answer(
    origin: str,
    status: int,
    message: str | None,
    headers: dict[str, str] | None = None,
    request_id: str | None = "rid-1",
):
    """An API answer with this status, standing in for what the local stack cannot be made to say."""
    cors = {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "X-Request-Id,Retry-After"}
    body = "" if message is None else json.dumps({"message": message, "errors": [], "requestId": request_id})

    def handle(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers={**cors, "Access-Control-Allow-Headers": "Content-Type,X-Api-Key"})
        else:
            route.fulfill(
                status=status, body=body, headers={**cors, "Content-Type": "application/json", **(headers or {})}
            )

    return handle
