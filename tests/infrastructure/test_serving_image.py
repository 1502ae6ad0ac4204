"""The serving image in template.yaml is the newest scikit-learn inference image the SageMaker Python
SDK lists, with the SDK's own registry account for every region it lists.

The source of truth is the SDK's table itself, read from the pinned sagemaker-core wheel (fetched
from PyPI once and cached under build/). Where PyPI cannot be reached the tests skip, saying so.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, source_template

pytestmark = pytest.mark.infrastructure

# The SDK release whose table the template follows; bump it, then follow the failing tests.
SDK_PACKAGE, SDK_VERSION = "sagemaker-core", "2.27.0"
SDK_TABLE = "sagemaker/core/image_uri_config/sklearn.json"
CACHE = ROOT / "build" / "sdk" / f"{SDK_PACKAGE}-{SDK_VERSION}-sklearn.json"


@pytest.fixture(scope="module")
def sdk_inference_versions() -> dict[str, Any]:
    if not CACHE.exists():
        with tempfile.TemporaryDirectory() as scratch:
            completed = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", scratch,
                 f"{SDK_PACKAGE}=={SDK_VERSION}"],
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            wheels = list(Path(scratch).glob("*.whl"))
            if completed.returncode != 0 or not wheels:
                pytest.skip(f"SKIPPED LOUDLY: cannot download {SDK_PACKAGE}=={SDK_VERSION} to read the SDK's table")
            with zipfile.ZipFile(wheels[0]) as wheel:
                table = wheel.read(SDK_TABLE)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(table)
    return json.loads(CACHE.read_text())["inference"]["versions"]


def _newest(versions: dict[str, Any]) -> str:
    return max(versions, key=lambda name: [int(number) for number in re.findall(r"\d+", name)])


def _image() -> dict[str, str]:
    return source_template()["Mappings"]["ServingImage"]["scikit-learn"]


def test_the_image_is_the_newest_inference_version_the_sdk_lists(sdk_inference_versions):
    newest = _newest(sdk_inference_versions)
    entry = sdk_inference_versions[newest]

    # The SDK's tag format: {version}-{processor}-{py_version}, and this image has one of each.
    (processor,), (py_version,) = entry["processors"], entry["py_versions"]
    assert _image()["Tag"] == f"{newest}-{processor}-{py_version}"
    assert _image()["Repository"] == entry["repository"]


def test_every_region_the_sdk_lists_maps_to_its_registry(sdk_inference_versions):
    registries = sdk_inference_versions[_newest(sdk_inference_versions)]["registries"]

    mapping = source_template()["Mappings"]["ScikitLearnImage"]
    assert {region: entry["Registry"] for region, entry in mapping.items()} == registries


def test_the_newest_is_chosen_by_version_not_by_name():
    assert _newest({"1.2-1": {}, "1.4-2-py312": {}, "1.9-0": {}, "0.23-1": {}}) == "1.9-0"
    assert _newest({"1.10-0": {}, "1.9-0": {}}) == "1.10-0"
