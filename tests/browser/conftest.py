"""The browser client (frontend/) in headless Chromium against the real local stack.

The page is served on its own origin; the API runs as `make run` runs it (the function in the
Lambda Runtime Interface Emulator), so every call is a real cross-origin request with preflight.
Debian's chromium is driven by Playwright (`make browser` installs it as root). Where there is no
chromium the tests are skipped, saying why; they never pass without a browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from local_stack.http_server import base_url, serve_in_background
from local_stack.stack import RunningStack, local_stack
from local_stack.static_site import static_site
from tests.browser.pages import DESKTOP, THE_KEY, RecordingApi, Site

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused on this
# machine's closed network, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OTHER_ORIGIN = "https://other.example"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        reason = f"SKIPPED LOUDLY: no chromium at {CHROMIUM}; `make browser` installs Debian's (as root)"
    for item in items:
        if "browser" in item.nodeid.split("/")[1:2] and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def page_url() -> Iterator[str]:
    """The page on an origin of its own, as a static host serves it."""
    with serve_in_background(static_site()) as server:
        yield base_url(server)


@pytest.fixture(scope="session")
def stacks(model_artifact, page_url, model_serving) -> Iterator[dict[str, RunningStack]]:
    """Local stacks as the scenarios need them: one allowing the page's origin, one allowing only
    another origin, and one in API_KEY mode."""
    with pytest.MonkeyPatch.context() as patch, ExitStack() as running:
        patch.setenv("LAMBDA_INSTANCES", "2")
        common = {"endpoint_port": 0, "api_port": 0, "serve_page": False, "serving": model_serving}
        yield {
            "allowed": running.enter_context(local_stack(model_artifact, allowed_origins=(page_url,), **common)),
            "other_origin": running.enter_context(
                local_stack(model_artifact, allowed_origins=(OTHER_ORIGIN,), **common)
            ),
            "api_key": running.enter_context(
                local_stack(model_artifact, allowed_origins=(page_url,), auth_mode="API_KEY", api_key=THE_KEY, **common)
            ),
        }


@pytest.fixture(scope="session")
def site(page_url, stacks) -> Site:
    return Site(page_url, stacks["allowed"].api_url, stacks["other_origin"].api_url, stacks["api_key"].api_url)


@pytest.fixture
def stack_to_stop(model_artifact, page_url, model_serving) -> Iterator[tuple[str, Callable[[], None]]]:
    """A stack of the test's own: its API URL, and a function that stops it."""
    with ExitStack() as running:
        stack = running.enter_context(
            local_stack(
                model_artifact,
                endpoint_port=0,
                api_port=0,
                allowed_origins=(page_url,),
                serve_page=False,
                serving=model_serving,
            )
        )
        yield stack.api_url, running.close


@pytest.fixture
def recording_api() -> Iterator[tuple[str, RecordingApi]]:
    """A second API, on an origin of its own, that records what the page sends it: its URL, and it."""
    api = RecordingApi()
    with serve_in_background(api) as server:
        yield base_url(server), api


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[DESKTOP], ids=["desktop"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.param


@pytest.fixture
def page(browser, page_url, viewport):
    """A fresh browser context per test; an uncaught error or a CSP violation on the page fails it."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: problems.append(f"CSP: {message.text}") if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert problems == []
