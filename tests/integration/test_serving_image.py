"""The local endpoint in the scikit-learn serving image's own code, through boto3 as callers see it:
the hooks' answers for every Content-Type and Accept, every hostile body, and what the image does
on top of the hooks (defaults, text bodies, its error page, its health check, its network)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from iris_contract import GUIDE_EXAMPLE_INSTANCES

from local_stack.serving_image import ImageContainer, UnhealthyContainer, network_isolation_unavailable
from model_training import artifact
from predict.settings import DEFAULT_ENDPOINT_NAME
from serving import inference
from tests.helpers import BAD_PAYLOADS, GENERIC_500_PAGE, endpoint_log_has

pytestmark = pytest.mark.integration

JSON = "application/json"
CSV = "text/csv"
GUIDE_JSON = json.dumps({"instances": GUIDE_EXAMPLE_INSTANCES}).encode()
GUIDE_CSV = "".join(",".join(map(str, row)) + "\n" for row in GUIDE_EXAMPLE_INSTANCES).encode()
# sagemaker-containers hands these two types to input_fn as text, any other (even with a charset) as bytes.
TEXT_TYPES = (JSON, CSV)
# SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, unset in the template: what a missing or */* Accept becomes.
DEFAULT_ACCEPT = JSON
ACCEPTS = [None, "*/*", JSON, f"{JSON}; charset=utf-8", CSV, f"{CSV}; charset=utf-8"]
REQUESTS = [
    *((content_type, GUIDE_JSON) for content_type in (JSON, f"{JSON}; charset=utf-8", "Application/JSON", None)),
    *((content_type, GUIDE_CSV) for content_type in (CSV, f"{CSV}; charset=utf-8")),
]


def _invoke(client, body: bytes, content_type: str | None, accept: str | None):
    optional = {name: value for name, value in (("ContentType", content_type), ("Accept", accept)) if value}
    return client.invoke_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME, Body=body, **optional)


def _the_hooks_answer(served_model, body: bytes, content_type: str | None, accept: str | None) -> tuple[str, str]:
    """What the image answers, worked out from the hooks and the image's rules for what they are given."""
    content_type = content_type or JSON
    data = body.decode("utf-8", errors="replace") if content_type in TEXT_TYPES else body
    accept = DEFAULT_ACCEPT if accept in (None, "*/*") else accept
    prediction = inference.predict_fn(inference.input_fn(data, content_type), served_model)
    answer, media_type = inference.output_fn(prediction, accept)
    # Flask adds the charset to text types.
    return answer, f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


@pytest.mark.parametrize("accept", ACCEPTS, ids=lambda accept: f"accept={accept}")
@pytest.mark.parametrize(("content_type", "body"), REQUESTS, ids=lambda value: str(value)[:24])
def test_every_content_type_and_accept_gets_the_hooks_answer(
    image_serving, runtime_client, served_model, content_type, body, accept
):
    response = _invoke(runtime_client, body, content_type, accept)

    assert (response["Body"].read().decode(), response["ContentType"]) == _the_hooks_answer(
        served_model, body, content_type, accept
    )


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# The one that is not UTF-8 reaches input_fn as text with replacement characters (the tests below).
UTF8_PAYLOADS = [payload for payload in BAD_PAYLOADS if _is_utf8(payload[1])]


@pytest.mark.parametrize(("content_type", "body", "message"), UTF8_PAYLOADS, ids=lambda value: str(value)[:32])
def test_a_hostile_body_is_a_model_error_with_the_images_page_and_the_reason_in_the_log(
    image_serving, runtime_client, capsys, content_type, body, message
):
    with pytest.raises(runtime_client.exceptions.ModelError) as raised:
        _invoke(runtime_client, body, content_type, JSON)

    error = raised.value.response
    assert (error["OriginalStatusCode"], error["OriginalMessage"]) == (500, GENERIC_500_PAGE)
    assert endpoint_log_has(capsys, message)


def test_an_unsupported_accept_is_a_model_error_named_in_the_log(image_serving, runtime_client, capsys):
    with pytest.raises(runtime_client.exceptions.ModelError) as raised:
        _invoke(runtime_client, GUIDE_JSON, JSON, "text/html")

    assert raised.value.response["OriginalMessage"] == GENERIC_500_PAGE
    assert endpoint_log_has(capsys, "unsupported accept type 'text/html'")


def test_a_json_body_reaches_the_hooks_as_text_so_a_stray_byte_where_the_model_does_not_look_is_scored(
    image_serving, runtime_client
):
    body = b'{"instances": [[5.1, 3.5, 1.4, 0.2]], "note": "caf\xe9"}'

    response = _invoke(runtime_client, body, JSON, JSON)

    assert json.loads(response["Body"].read())["predictions"] == [0]


def test_with_a_charset_the_same_body_arrives_as_bytes_and_is_refused(image_serving, runtime_client, capsys):
    body = b'{"instances": [[5.1, 3.5, 1.4, 0.2]], "note": "caf\xe9"}'

    with pytest.raises(runtime_client.exceptions.ModelError):
        _invoke(runtime_client, body, f"{JSON}; charset=utf-8", JSON)

    assert endpoint_log_has(capsys, "the body is not UTF-8 text")


def _artifact(tmp_path_factory, name: str, program: str):
    path = tmp_path_factory.mktemp(name) / "model.tar.gz"
    code = f"{artifact.CODE_DIR}/{artifact.SERVING_PROGRAM}"
    path.write_bytes(artifact.deterministic_tar_gz({code: program.encode()}))
    return path


# A model with model_fn alone: the image's default input_fn, predict_fn (model.predict) and output_fn
# serve it. Its predict reports the sums of the rows it was given and the network interfaces it sees.
PROBE_PROGRAM = """
import socket

class Probe:
    def predict(self, rows):
        return {"sums": rows.sum(axis=1).tolist(), "interfaces": sorted(name for _, name in socket.if_nameindex())}

def model_fn(model_dir):
    return Probe()
"""


@pytest.fixture(scope="module")
def probe(image_serving, tmp_path_factory) -> Iterator[ImageContainer]:
    container = ImageContainer(
        DEFAULT_ENDPOINT_NAME,
        "probe",
        _artifact(tmp_path_factory, "probe", PROBE_PROGRAM),
        isolate_network=network_isolation_unavailable() is None,
    )
    yield container
    container.close()


def test_missing_hooks_fall_back_to_the_images_defaults(probe):
    result = probe.invoke(b"[[1, 2], [3, 4.5]]", JSON, JSON)

    assert (result.status, result.content_type) == (200, JSON)
    assert json.loads(result.body)["sums"] == [3.0, 7.5]


def test_the_container_has_no_network_but_loopback(probe):
    if network_isolation_unavailable() is not None:
        pytest.skip(f"SKIPPED LOUDLY: {network_isolation_unavailable()}")

    result = probe.invoke(b"[[0]]", JSON, JSON)

    assert json.loads(result.body)["interfaces"] == ["lo"]


def test_a_model_fn_that_raises_fails_the_health_check(image_serving, tmp_path_factory):
    program = "def model_fn(model_dir):\n    raise RuntimeError('forest.npz is missing from ' + model_dir)\n"

    with pytest.raises(UnhealthyContainer, match=r"GET /ping answered 500") as raised:
        ImageContainer(DEFAULT_ENDPOINT_NAME, "broken", _artifact(tmp_path_factory, "broken", program), False)

    # Its log, quoted in the error, has the reason, as sagemaker-containers wraps it.
    assert "ClientError: forest.npz is missing from" in str(raised.value)
