"""The browser client (frontend/) on its own origin, as a static host would serve it.

``/`` is the page; ``/openapi.json`` is docs/openapi.json, which a deployment copies next to the
page and from which the page takes the API's limits. Werkzeug's SharedDataMiddleware serves the
files; nothing is cached, so an edit shows on reload.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware

from project import ROOT

FRONTEND = ROOT / "frontend"
OPENAPI = ROOT / "docs" / "openapi.json"
INDEX = "index.html"


def static_site(frontend: Path = FRONTEND, openapi: Path | None = OPENAPI) -> Any:
    """A WSGI app serving ``frontend`` at / (index.html for /), and ``openapi`` at /openapi.json."""
    exports: dict[str, str] = {"/": str(frontend)}
    if openapi is not None:
        exports["/openapi.json"] = str(openapi)
    files = SharedDataMiddleware(NotFound(), exports, cache=False)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in ("", "/"):
            environ["PATH_INFO"] = f"/{INDEX}"

        def no_store(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in ("cache-control", "expires")]
            kept += [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
            return start_response(status, kept, *rest)

        return files(environ, no_store)

    return app
