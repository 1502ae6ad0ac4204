"""What the browser tests share: opening the page, screenshots, and the API's own answer to compare with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.helpers import ROOT, http

# Test artefacts: every screenshot the tests take lands here (docs/screenshot.png is one of them).
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
