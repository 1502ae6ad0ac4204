"""The API's OpenAPI document, generated from the code: make openapi writes docs/openapi.json.

Powertools builds the paths and responses from the routes. /predict parses its own body (size and
media type are checked before parsing, which Powertools' validation would not allow), so the
request schema is added here from the same pydantic model that validates requests, and the
variant header from the constant the function reads.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Server

from local_stack import settings as local_settings
from predict.app import resolver_for
from predict.limits import SAGEMAKER_NAME_MAX_LENGTH, SAGEMAKER_NAME_PATTERN
from predict.parsing import VARIANT_HEADER
from predict.schemas import PredictRequest
from predict.settings import Settings
from project import ROOT

DOCUMENT = ROOT / "docs" / "openapi.json"
API_VERSION = "1.0.0"
# Powertools registers these for its own validation, which this API does not use.
UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
# The document does not depend on the deployment's settings; these are the defaults.
LOCAL_API_URL = f"http://{local_settings.DEFAULT_HOST}:{local_settings.DEFAULT_API_PORT}"
DEFAULT_SETTINGS = Settings()


def openapi_document() -> dict[str, Any]:
    document = json.loads(
        resolver_for(DEFAULT_SETTINGS).get_openapi_json_schema(
            title="iris-gateway",
            version=API_VERSION,
            description="A REST facade for the Iris RandomForest served by a SageMaker endpoint.",
            servers=[Server(url=LOCAL_API_URL, description="the local stack (make run)")],
        )
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in UNUSED_SCHEMAS:
        schemas.pop(name, None)
    request_schema = PredictRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(request_schema.pop("$defs", {}))
    schemas["PredictRequest"] = request_schema
    predict = document["paths"]["/predict"]["post"]
    predict["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PredictRequest"}}},
    }
    predict["parameters"] = [
        {
            "name": VARIANT_HEADER,
            "in": "header",
            "required": False,
            # SageMaker's production variant names; which ones a caller may ask for is the deployment's.
            "schema": {"type": "string", "pattern": SAGEMAKER_NAME_PATTERN, "maxLength": SAGEMAKER_NAME_MAX_LENGTH},
            "description": "Ask for one production variant (A/B) by name, among those the deployment lets "
            "callers choose (422 otherwise). The answer's header of the same name says which variant served it.",
        }
    ]
    predict["responses"]["200"]["headers"] = {
        VARIANT_HEADER: {"description": "The production variant that served the request", "schema": {"type": "string"}}
    }
    return document


def rendered() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT}", file=sys.stderr)
