"""make smoke URL=https://.../Prod/predict: the post-deploy check, the guide's three rows.

Passes when /predict answers 200 with predictions [0, 1, 2] and sane probabilities (three per
row, each in [0, 1], summing to 1, highest where the prediction is). Works against the local
stack too (the default URL). SMOKE_API_KEY sends x-api-key; --sigv4 signs the request with the
caller's AWS credentials, for the IAM auth mode.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from iris_contract import CLASS_NAMES, GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS

DEFAULT_URL = "http://127.0.0.1:3000/predict"
TIMEOUT_SECONDS = 30


def problems_with(status: int, answer: Any) -> list[str]:
    if status != 200:
        return [f"status {status}, expected 200: {answer}"]
    found = []
    if answer.get("predictions") != list(GUIDE_EXAMPLE_PREDICTIONS):
        found.append(f"predictions {answer.get('predictions')}, expected {list(GUIDE_EXAMPLE_PREDICTIONS)}")
    probabilities = answer.get("probabilities") or []
    if len(probabilities) != len(GUIDE_EXAMPLE_INSTANCES):
        found.append(f"{len(probabilities)} rows of probabilities, expected {len(GUIDE_EXAMPLE_INSTANCES)}")
    for index, row in enumerate(probabilities):
        if len(row) != len(CLASS_NAMES) or not all(0.0 <= p <= 1.0 for p in row):
            found.append(f"row {index}: {row} is not {len(CLASS_NAMES)} probabilities")
        elif not math.isclose(sum(row), 1.0, abs_tol=1e-6):
            found.append(f"row {index}: {row} sums to {sum(row)}")
        elif row.index(max(row)) != GUIDE_EXAMPLE_PREDICTIONS[index]:
            found.append(f"row {index}: highest probability is not the predicted class")
    return found


def call(url: str, api_key: str | None = None, sigv4: bool = False) -> tuple[int, Any]:
    body = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES}).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["x-api-key"] = api_key
    if sigv4:
        headers = _signed_headers(url, body, headers)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - operator's URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload.startswith(b"{") else payload.decode(errors="replace")


def _signed_headers(url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = boto3.session.Session()
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(session.get_credentials(), "execute-api", session.region_name).add_auth(request)
    return dict(request.headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--sigv4", action="store_true", help="sign with AWS credentials (AuthMode IAM)")
    args = parser.parse_args(argv)
    status, answer = call(args.url, os.environ.get("SMOKE_API_KEY"), args.sigv4)
    problems = problems_with(status, answer)
    for problem in problems:
        print(f"smoke: FAIL {problem}", file=sys.stderr)
    if not problems:
        print(f"smoke: OK {args.url} predicted {answer['predictions']}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
