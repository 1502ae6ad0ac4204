"""The browser client (frontend/) on its own origin, as a static host would serve it.

``/`` is the page; ``/openapi.json`` is docs/openapi.json, which a deployment copies next to the
page and from which the page takes the API's limits. Werkzeug's SharedDataMiddleware serves the
files; nothing is cached, so an edit shows on reload.

Every answer carries the security headers README.md's "Hosting the page" asks CloudFront to add:
the page's own Content-Security-Policy (from its ``<meta>``) plus ``frame-ancestors 'none'``,
which only a header can set, and ``X-Frame-Options: DENY`` for browsers that predate it.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware

from project import ROOT

FRONTEND = ROOT / "frontend"
OPENAPI = ROOT / "docs" / "openapi.json"
INDEX = "index.html"
# No other site may show the page in a frame (clickjacking); a <meta> policy cannot say this.
FRAME_ANCESTORS = "frame-ancestors 'none'"


class _MetaPolicy(HTMLParser):
    """Finds <meta http-equiv="Content-Security-Policy" content="...">."""

    def __init__(self) -> None:
        super().__init__()
        self.policy: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "content-security-policy":
            self.policy = attributes.get("content")


def content_security_policy(frontend: Path = FRONTEND) -> str:
    """The header form of the page's policy: its <meta> policy, and frame-ancestors."""
    parser = _MetaPolicy()
    parser.feed((frontend / INDEX).read_text(encoding="utf-8"))
    if not parser.policy:
        raise ValueError(f"{frontend / INDEX} sets no Content-Security-Policy in a <meta>")
    return f"{parser.policy.strip().rstrip(';')}; {FRAME_ANCESTORS}"


def security_headers(frontend: Path = FRONTEND) -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", content_security_policy(frontend)),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]


def static_site(frontend: Path = FRONTEND, openapi: Path | None = OPENAPI) -> Any:
    """A WSGI app serving ``frontend`` at / (index.html for /), and ``openapi`` at /openapi.json."""
    exports: dict[str, str] = {"/": str(frontend)}
    if openapi is not None:
        exports["/openapi.json"] = str(openapi)
    files = SharedDataMiddleware(NotFound(), exports, cache=False)
    added = [("Cache-Control", "no-store"), *security_headers(frontend)]
    replaced = {name.lower() for name, _ in added} | {"expires"}

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in ("", "/"):
            environ["PATH_INFO"] = f"/{INDEX}"

        def with_headers(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in replaced]
            return start_response(status, kept + added, *rest)

        return files(environ, with_headers)

    return app
