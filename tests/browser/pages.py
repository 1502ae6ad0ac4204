"""What the browser tests share: opening the page, screenshots, and the API's own answer to compare with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iris_contract import CLASS_NAMES
from playwright.sync_api import Page
from werkzeug.wrappers import Request, Response

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
