"""Turns an API Gateway event into a PredictRequest, cheapest refusal first.

Order matters: size is checked before anything is decoded, the media type before the body is read
as text, and JSON syntax before the schema, so a hostile body costs as little as possible.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import ValidationError

from . import errors, json_text
from .limits import MAX_BODY_BYTES, MAX_REPORTED_ERRORS
from .schemas import PredictRequest, describe_validation_error

JSON_MEDIA_TYPE = "application/json"
UTF8_CHARSETS = {"utf-8", "utf8"}
# The longest base64 text of at most MAX_BODY_BYTES bytes: anything longer is over the limit, or not base64.
MAX_BASE64_CHARS = 4 * math.ceil(MAX_BODY_BYTES / 3)
# A caller may ask for a production variant by name; the answer names the one that served it.
VARIANT_HEADER = "X-Model-Variant"


@dataclass(frozen=True)
class ParsedRequest:
    request: PredictRequest
    text: str  # the body as the caller sent it

    def endpoint_body(self) -> str:
        """What the endpoint is sent: the caller's own JSON when its rows are lists already (the same
        document, so nothing is re-encoded); rows keyed by name are put in the model's order first."""
        if self.request.has_named_rows():
            return json.dumps({"instances": self.request.rows()})
        return self.text


def parse_predict_request(event: APIGatewayProxyEvent) -> ParsedRequest:
    raw = _raw_body(event)
    if len(raw) > MAX_BODY_BYTES:
        raise errors.body_too_large(len(raw), MAX_BODY_BYTES)
    _require_json_media_type(event.headers.get("content-type"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise errors.malformed_body(f"it is not UTF-8 (invalid byte at position {error.start})") from None
    if not text.strip():
        raise errors.malformed_body("it is empty")
    try:
        document = json_text.loads(text)
    except json_text.NotJsonError as error:
        raise errors.malformed_body(str(error)) from None
    try:
        return ParsedRequest(PredictRequest.from_document(document), text)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        details = [describe_validation_error(problem) for problem in problems[:MAX_REPORTED_ERRORS]]
        raise errors.invalid_request(details, len(problems)) from None


def requested_variant(event: APIGatewayProxyEvent, selectable: tuple[str, ...]) -> str | None:
    """The production variant the caller asked for, if any, when it is one they may ask for."""
    asked = event.headers.get(VARIANT_HEADER)
    if asked is None:
        return None
    chosen = asked.strip()
    if chosen not in selectable:
        raise errors.unknown_variant(VARIANT_HEADER, asked, selectable)
    return chosen


def _raw_body(event: APIGatewayProxyEvent) -> bytes:
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8", errors="surrogatepass")
    if len(body) > MAX_BASE64_CHARS:
        # Refused by its length alone, without decoding it: four characters carry three bytes, padding none.
        raise errors.body_too_large(len(body.rstrip("=")) * 3 // 4, MAX_BODY_BYTES)
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise errors.malformed_body("its base64 encoding is broken") from None


def _require_json_media_type(content_type: str | None) -> None:
    media_type, _, parameters = (content_type or "").partition(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise errors.unsupported_media_type(content_type)
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in UTF8_CHARSETS:
            raise errors.unsupported_media_type(content_type)
