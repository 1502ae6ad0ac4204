"""The OpenAPI document in docs/ is what the code generates, and it agrees with the routes."""

from __future__ import annotations

import json

from predict import app
from tools import frontend_contract, openapi, sam_local_env


def test_committed_document_matches_the_code():
    committed = openapi.DOCUMENT.read_text()

    assert committed == openapi.rendered(), "docs/openapi.json is stale: run `make openapi`"


def test_the_pages_copy_of_the_contract_is_what_the_contract_generates():
    committed = frontend_contract.DOCUMENT.read_text()

    assert committed == frontend_contract.rendered(), "frontend/contract.js is stale: run `make openapi`"


def test_sam_local_env_is_what_the_functions_settings_write():
    committed = sam_local_env.DOCUMENT.read_text()

    assert committed == sam_local_env.rendered(), "sam-local-env.json is stale: run `make openapi`"


def test_documented_routes_are_the_405_table():
    document = json.loads(openapi.rendered())

    documented = {path: tuple(method.upper() for method in methods) for path, methods in document["paths"].items()}
    assert documented == app.ROUTES


def test_request_schema_carries_the_limits_and_contract():
    from iris_contract import FEATURE_NAMES, MAX_MEASUREMENT_CM

    from predict.limits import MAX_INSTANCES

    schemas = json.loads(openapi.rendered())["components"]["schemas"]
    instances = schemas["PredictRequest"]["properties"]["instances"]
    as_list = instances["items"]["oneOf"][0]
    assert instances["maxItems"] == MAX_INSTANCES
    assert as_list["minItems"] == as_list["maxItems"] == len(FEATURE_NAMES)
    assert as_list["items"]["maximum"] == MAX_MEASUREMENT_CM
    assert sorted(schemas["NamedMeasurements"]["required"]) == sorted(FEATURE_NAMES)
