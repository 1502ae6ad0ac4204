"""SageMaker data capture, written to a local folder laid out as SageMaker lays out S3.

Each captured invocation is one JSON line, in SageMaker's own format::

    {"captureData": {"endpointInput": {"observedContentType": ..., "mode": "INPUT", "data": ..., "encoding": ...},
                     "endpointOutput": {... "mode": "OUTPUT" ...}},
     "eventMetadata": {"eventId": ..., "inferenceId": ..., "inferenceTime": "2026-11-25T19:03:27Z"},
     "eventVersion": "0"}

under ``<root>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl``, where ``<root>``
stands for the DestinationS3Uri. Bodies whose media type is listed as JSON or CSV are kept as
text (encoding "JSON" or "CSV"); anything else is base64 ("BASE64"), as SageMaker does with
CaptureContentTypeHeader. Written by hand: no maintained library emulates data capture.

Lines are written whole under a lock and flushed, so concurrent invocations never interleave.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

EVENT_VERSION = "0"
JSON_CONTENT_TYPES = ("application/json",)
CSV_CONTENT_TYPES = ("text/csv",)


@dataclass(frozen=True)
class CapturedInvocation:
    endpoint_name: str
    variant_name: str
    inference_id: str | None
    request_body: bytes
    request_content_type: str
    response_body: bytes
    response_content_type: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class DataCapture:
    root: Path
    sampling_percentage: int
    json_content_types: tuple[str, ...] = JSON_CONTENT_TYPES
    csv_content_types: tuple[str, ...] = CSV_CONTENT_TYPES
    rng: random.Random = field(default_factory=random.Random)
    _files: dict[tuple[str, str, str], TextIO] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def sampled(self) -> bool:
        with self._lock:
            return self.rng.random() * 100 < self.sampling_percentage

    def record(self, invocation: CapturedInvocation) -> None:
        line = json.dumps(self.event(invocation), separators=(",", ":")) + "\n"
        with self._lock:
            output = self._file_for(invocation)
            output.write(line)
            output.flush()

    def event(self, invocation: CapturedInvocation) -> dict[str, Any]:
        metadata = {"eventId": str(uuid.uuid4()), "inferenceTime": invocation.at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if invocation.inference_id:
            metadata["inferenceId"] = invocation.inference_id
        return {
            "captureData": {
                "endpointInput": self._payload("INPUT", invocation.request_body, invocation.request_content_type),
                "endpointOutput": self._payload("OUTPUT", invocation.response_body, invocation.response_content_type),
            },
            "eventMetadata": metadata,
            "eventVersion": EVENT_VERSION,
        }

    def close(self) -> None:
        with self._lock:
            for output in self._files.values():
                output.close()
            self._files.clear()

    def _payload(self, mode: str, body: bytes, content_type: str) -> dict[str, str]:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type in self.json_content_types or media_type in self.csv_content_types:
            encoding = "JSON" if media_type in self.json_content_types else "CSV"
            data = body.decode("utf-8", errors="replace")
        else:
            encoding, data = "BASE64", base64.b64encode(body).decode("ascii")
        return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}

    def _file_for(self, invocation: CapturedInvocation) -> TextIO:
        """One file per endpoint, variant and hour, named when its first record is written."""
        hour = invocation.at.strftime("%Y/%m/%d/%H")
        key = (invocation.endpoint_name, invocation.variant_name, hour)
        if key not in self._files:
            folder = self.root / invocation.endpoint_name / invocation.variant_name / hour
            folder.mkdir(parents=True, exist_ok=True)
            at = invocation.at
            name = f"{at:%M-%S}-{at.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
            self._files[key] = (folder / name).open("a", encoding="utf-8")
        return self._files[key]
