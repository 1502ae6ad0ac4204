"""schemathesis drives the live local stack from docs/openapi.json: no server errors, and every
answer matches the document (status, content type, schema). Example counts print with -s/-v."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from predict.parsing import VARIANT_HEADER
from tests.helpers import examples
from tools.openapi import DOCUMENT

pytestmark = pytest.mark.integration

schema = schemathesis.openapi.from_path(str(DOCUMENT))
EXAMPLES_PER_OPERATION = examples(150)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_live_api_conforms_to_its_openapi_document(case, stack):
    if case.headers:
        # Which variant names a caller may use is the deployment's, none by default (422 otherwise,
        # pinned in tests/unit/test_variants.py and tests/integration/test_variants_and_capture.py).
        case.headers.pop(VARIANT_HEADER, None)
    response = case.call(base_url=stack.api_url)

    case.validate_response(response)
