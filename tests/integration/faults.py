"""Test-only faults in front of the local SageMaker Runtime. Production code has no fault hooks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Fault:
    status: int = 200
    error_type: str | None = None  # x-amzn-ErrorType, as SageMaker Runtime sends it
    body: bytes = b""
    delay_seconds: float = 0.0


FAULTS = {
    "throttled": Fault(429, "ThrottlingException", b'{"message": "Rate exceeded"}'),
    "model_not_ready": Fault(429, "ModelNotReadyException", b'{"message": "Model is not ready"}'),
    "service_unavailable": Fault(503, "ServiceUnavailable", b'{"message": "Service unavailable"}'),
    "internal_failure": Fault(500, "InternalFailure", b'{"message": "Internal failure"}'),
    "model_error": Fault(
        424,
        "ModelError",
        json.dumps(
            {
                "message": "Received server error (500)",
                "OriginalStatusCode": 500,
                "OriginalMessage": "boom",
                "LogStreamArn": "x",
            }
        ).encode(),
    ),
    "html_body": Fault(200, None, b"<html><body>502 Bad Gateway</body></html>"),
    "truncated_body": Fault(200, None, b'{"predictions": [0], "probabilit'),
    "slow": Fault(200, None, b"{}", delay_seconds=1.0),
}


@dataclass
class FaultInjector:
    """Wraps the local endpoint app; answers with ``fault`` instead when one is set."""

    app: Any
    fault: Fault | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.fault is None:
            return self.app(environ, start_response)
        Request(environ).get_data()  # read the request fully, as a real server would
        time.sleep(self.fault.delay_seconds)
        response = Response(self.fault.body, status=self.fault.status, content_type="application/json")
        if self.fault.error_type:
            response.headers["x-amzn-ErrorType"] = self.fault.error_type
        response.headers["x-amzn-RequestId"] = "fault-injected"
        return response(environ, start_response)
