"""The local SageMaker Runtime with two production variants and data capture, over real HTTP and
through the whole local stack: traffic split, TargetVariant, the variant reported, and capture
files in SageMaker's format under SageMaker's S3 layout."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from iris_contract import GUIDE_EXAMPLE_INSTANCES

from local_stack import settings
from local_stack.data_capture import DataCapture
from local_stack.http_server import base_url, serve_in_background
from local_stack.sagemaker_container import ServingContainer
from local_stack.sagemaker_runtime import Endpoint, ProductionVariant, SageMakerRuntime
from local_stack.stack import CHALLENGER_VARIANT, VariantSpec, local_stack
from predict.settings import Settings
from tests.helpers import ALLOWED_ORIGIN, http

pytestmark = pytest.mark.integration

ENDPOINT = "iris-endpoint"
BODY = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES})
# 1,000 invocations at a 10% share: one standard deviation is 0.95 points, so three points is
# more than three standard deviations; with the fixed seed the count is also reproducible.
SPLIT_CALLS, CHALLENGER_SHARE, SPLIT_TOLERANCE = 1000, 0.1, 0.03
CAPTURE_FILE = re.compile(r"^\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$")


@pytest.fixture(scope="module")
def containers(model_artifact, challenger_artifact):
    loaded = {"primary": ServingContainer(model_artifact), "challenger": ServingContainer(challenger_artifact)}
    yield loaded
    for container in loaded.values():
        container.close()


@pytest.fixture(scope="module")
def versions(containers):
    """Each variant's model version, read from what its container answers."""
    return {
        name: json.loads(container.invoke(BODY.encode(), "application/json", "application/json").body)["model_version"]
        for name, container in containers.items()
    }


def _serve(containers, capture=None, seed=7, weights=(9, 1)):
    endpoint = Endpoint(
        [ProductionVariant(name, containers[name], weight) for name, weight in zip(containers, weights, strict=True)],
        capture,
        rng=random.Random(seed),
    )
    return serve_in_background(SageMakerRuntime({ENDPOINT: endpoint}))


def _client(url):
    config = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=16)
    return boto3.client("sagemaker-runtime", endpoint_url=url, region_name=settings.REGION, config=config)


def _invoke(client, **extra):
    response = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=BODY, **extra)
    return response["InvokedProductionVariant"], json.loads(response["Body"].read())


def test_traffic_splits_by_the_weights_within_the_stated_tolerance(containers, versions):
    with _serve(containers) as server:
        client = _client(base_url(server))
        answers = [_invoke(client) for _ in range(SPLIT_CALLS)]

    served = Counter(variant for variant, _ in answers)
    assert set(served) == {"primary", "challenger"}
    assert abs(served["challenger"] / SPLIT_CALLS - CHALLENGER_SHARE) <= SPLIT_TOLERANCE
    # The reported variant is the one that really answered: each model has its own version.
    assert all(body["model_version"] == versions[variant] for variant, body in answers)


def test_a_fixed_seed_gives_the_same_split(containers):
    def split(seed):
        with _serve(containers, seed=seed) as server:
            client = _client(base_url(server))
            return [_invoke(client)[0] for _ in range(50)]

    assert split(11) == split(11)
    assert split(11) != split(12)


@pytest.mark.parametrize("target", ["primary", "challenger"])
def test_target_variant_is_honoured(containers, versions, target):
    with _serve(containers, weights=(1, 0) if target == "challenger" else (0, 1)) as server:
        variant, body = _invoke(_client(base_url(server)), TargetVariant=target)

    assert (variant, body["model_version"]) == (target, versions[target])


def test_an_unknown_target_variant_is_a_validation_error_naming_the_variants(containers):
    with _serve(containers) as server, pytest.raises(ClientError) as refused:
        _invoke(_client(base_url(server)), TargetVariant="champion")

    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationError", 400)
    assert "champion" in error["Error"]["Message"]
    assert "primary, challenger" in error["Error"]["Message"]


def _records(root: Path) -> dict[Path, list[dict]]:
    return {path: [json.loads(line) for line in path.read_text().splitlines()] for path in root.rglob("*.jsonl")}


def test_capture_files_are_sagemakers_format_under_its_s3_layout(containers, tmp_path):
    capture = DataCapture(tmp_path, sampling_percentage=100)
    inference_id = str(uuid.uuid4())
    with _serve(containers, capture) as server:
        client = _client(base_url(server))
        variant, body = _invoke(client, TargetVariant="challenger", InferenceId=inference_id)
        client.invoke_endpoint(
            EndpointName=ENDPOINT, ContentType="text/csv", Accept="text/csv", Body="5.1,3.5,1.4,0.2\n",
            TargetVariant="challenger",
        )  # fmt: skip
    capture.close()

    ((path, records),) = _records(tmp_path).items()
    endpoint, variant_folder, year, month, day, hour, name = path.relative_to(tmp_path).parts
    assert (endpoint, variant_folder) == (ENDPOINT, variant)
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\d{2}", f"{year}/{month}/{day}/{hour}")
    assert CAPTURE_FILE.match(name)
    json_record, csv_record = records
    assert json_record["eventVersion"] == "0"
    assert json_record["eventMetadata"]["inferenceId"] == inference_id
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", json_record["eventMetadata"]["inferenceTime"])
    assert json_record["captureData"]["endpointInput"] == {
        "observedContentType": "application/json",
        "mode": "INPUT",
        "data": BODY,
        "encoding": "JSON",
    }
    output = json_record["captureData"]["endpointOutput"]
    assert (output["mode"], output["encoding"], json.loads(output["data"])) == ("OUTPUT", "JSON", body)
    assert csv_record["captureData"]["endpointInput"]["encoding"] == "CSV"
    assert "inferenceId" not in csv_record["eventMetadata"]


def test_content_types_not_listed_as_json_or_csv_are_captured_base64(tmp_path):
    capture = DataCapture(tmp_path, sampling_percentage=100)

    event = capture.event(_captured(request_body=b"\x93NUMPY", request_content_type="application/x-npy"))

    assert event["captureData"]["endpointInput"]["encoding"] == "BASE64"
    assert event["captureData"]["endpointInput"]["data"] == "k05VTVBZ"


def _captured(**overrides):
    from local_stack.data_capture import CapturedInvocation

    fields = {
        "endpoint_name": ENDPOINT,
        "variant_name": "primary",
        "inference_id": None,
        "request_body": b"{}",
        "request_content_type": "application/json",
        "response_body": b"{}",
        "response_content_type": "application/json",
    }
    return CapturedInvocation(**(fields | overrides))


def test_sampling_captures_about_its_percentage(tmp_path):
    capture = DataCapture(tmp_path, sampling_percentage=20, rng=random.Random(3))

    sampled = sum(capture.sampled() for _ in range(5000))

    # 5,000 draws at 20%: one standard deviation is 28, so 100 is more than three.
    assert abs(sampled - 1000) <= 100


def test_capture_under_concurrent_load_loses_and_interleaves_nothing(containers, tmp_path):
    capture = DataCapture(tmp_path, sampling_percentage=100)
    ids = [str(uuid.uuid4()) for _ in range(400)]
    with _serve(containers, capture) as server:
        client = _client(base_url(server))
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda inference_id: _invoke(client, InferenceId=inference_id), ids))
    capture.close()

    records = [record for lines in _records(tmp_path).values() for record in lines]
    assert sorted(r["eventMetadata"]["inferenceId"] for r in records) == sorted(ids)
    assert all(json.loads(r["captureData"]["endpointInput"]["data"]) == json.loads(BODY) for r in records)


def test_through_the_stack_a_caller_picks_a_variant_and_its_record_joins_the_api_request(
    model_artifact, challenger_artifact, model_serving, tmp_path
):
    variants = [VariantSpec("primary", model_artifact, 9), VariantSpec(CHALLENGER_VARIANT, challenger_artifact, 1)]
    capture = DataCapture(tmp_path, sampling_percentage=100)
    with local_stack(
        variants=variants,
        capture=capture,
        endpoint_port=0,
        api_port=0,
        function=Settings(allowed_origins=(ALLOWED_ORIGIN,), selectable_variants=("primary", CHALLENGER_VARIANT)),
        serve_page=False,
        serving=model_serving,
    ) as stack:
        status, headers, _ = http(
            f"{stack.api_url}/predict",
            body=BODY,
            headers={"Content-Type": "application/json", "Origin": ALLOWED_ORIGIN, "X-Model-Variant": "challenger"},
        )
        unknown = http(
            f"{stack.api_url}/predict",
            body=BODY,
            headers={"Content-Type": "application/json", "X-Model-Variant": "blue"},
        )
    capture.close()

    assert (status, headers["X-Model-Variant"]) == (200, "challenger")
    assert unknown[0] == 422
    assert unknown[2]["errors"][0]["message"].endswith("use one of primary, challenger")
    ((path, (record,)),) = _records(tmp_path).items()
    assert path.relative_to(tmp_path).parts[:2] == (ENDPOINT, "challenger")
    # The join: the captured record's inferenceId is the API's request id.
    assert record["eventMetadata"]["inferenceId"] == headers["X-Request-Id"] == headers["x-amzn-RequestId"]
