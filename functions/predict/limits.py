"""Request limits of the /predict API. The README explains how they follow from the platform's limits."""

from __future__ import annotations

# Rows per request. 10,000 rows stay far inside every payload limit on the way: the request to
# SageMaker (6 MiB) is at most about 1.1 MB even with 17-digit numbers, and the response to
# API Gateway (Lambda's 6 MB) about 0.8 MB. The model scores 10,000 rows in well under a second.
MAX_INSTANCES = 10_000

# Request body size, checked before any parsing. 10,000 rows keyed by feature name with long
# numbers fit in about 2 MB; anything larger is refused with 413 before it costs any work.
MAX_BODY_BYTES = 2 * 1024 * 1024

# Errors listed in one 422 response; a bad 10,000-row batch would otherwise produce a huge answer.
MAX_REPORTED_ERRORS = 20

# SageMaker's rule for endpoint and production variant names (botocore's sagemaker-runtime model:
# EndpointName and TargetVariant), so also for what a caller may send in X-Model-Variant.
SAGEMAKER_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
SAGEMAKER_NAME_MAX_LENGTH = 63
