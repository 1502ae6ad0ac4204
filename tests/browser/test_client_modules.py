"""The page's modules under Node, outside any page: CSV reading and writing, 422 locations, the
rules read from openapi.json, the client against the real API, the client's timeout, what the
browser keeps of the API settings (API keys by origin), and the batch's parts, views, plot numbers
and bounded sending (batch.mjs)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from local_stack.static_site import FRONTEND
from tests.browser.pages import Site

SCRIPTS = Path(__file__).with_name("node")


@pytest.mark.parametrize("script", ["units.mjs", "timeout.mjs", "saved_settings.mjs", "batch.mjs"])
def test_the_modules_under_node(site: Site, script: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("SKIPPED LOUDLY: no node on this machine to run the modules outside the browser")
    # Node resolves imports from the script's own folder: point them at frontend/.
    source = (SCRIPTS / script).read_text().replace('"FRONTEND/', f'"{FRONTEND}/')
    (tmp_path / script).write_text(source)

    completed = subprocess.run(
        [node, str(tmp_path / script)],
        capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "API_URL": site.api},
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr + completed.stdout
