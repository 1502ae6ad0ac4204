"""`make run-ab` in the local AWS: the template's second variant, its alarms and its scalable target
deployed next to the first, with the template's weights, and traffic split between them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import boto3

from local_stack import settings
from local_stack.serving_image import choose_serving
from local_stack.stack import VariantSpec, local_stack
from predict.settings import DEFAULT_ENDPOINT_NAME
from tests.helpers import GUIDE_CURL_BODY


def test_both_variants_are_deployed_with_their_alarms_targets_and_weights(
    model_artifact: Path, challenger_artifact: Path
):
    variants = [VariantSpec("primary", model_artifact, 9.0), VariantSpec("challenger", challenger_artifact, 1.0)]
    with local_stack(
        variants=variants,
        host="127.0.0.2",  # another loopback address than the default, to tell the two apart
        endpoint_port=0,
        api_port=0,
        aws_port=0,
        serve_page=False,
        operate=True,
        serving=choose_serving(image=False),  # the split is the control plane's: the containers' code is not under test
    ) as running:
        assert running.aws is not None
        clients = {
            service: boto3.client(
                service,
                endpoint_url=running.aws.address,
                region_name=settings.REGION,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            for service in ("sagemaker", "sagemaker-runtime", "application-autoscaling")
        }
        described = clients["sagemaker"].describe_endpoint(EndpointName=DEFAULT_ENDPOINT_NAME)
        targets = clients["application-autoscaling"].describe_scalable_targets(ServiceNamespace="sagemaker")
        answered = Counter(
            clients["sagemaker-runtime"].invoke_endpoint(
                EndpointName=DEFAULT_ENDPOINT_NAME, ContentType="application/json", Body=GUIDE_CURL_BODY
            )["InvokedProductionVariant"]
            for _ in range(200)
        )

    # The API listens where LOCAL_HOST says; the local AWS, which runs any uploaded model's code,
    # only ever on the default loopback address.
    assert running.api_url.startswith("http://127.0.0.2:")
    assert running.aws.address.startswith(f"http://{settings.DEFAULT_HOST}:")
    assert described["EndpointStatus"] == "InService"
    assert {v["VariantName"]: v["CurrentWeight"] for v in described["ProductionVariants"]} == {
        "primary": 9.0,
        "challenger": 1.0,
    }
    assert {f"{settings.STACK_NAME}-ChallengerErrorsAlarm", f"{settings.STACK_NAME}-ChallengerLatencyAlarm"} <= set(
        running.aws.deployed.alarm_names.values()
    )
    assert {target["ResourceId"] for target in targets["ScalableTargets"]} == {
        f"endpoint/{DEFAULT_ENDPOINT_NAME}/variant/primary",
        f"endpoint/{DEFAULT_ENDPOINT_NAME}/variant/challenger",
    }
    # 9 to 1: of 200 calls, the challenger takes about 20 (below 5 or above 45: about 1 in 120,000).
    assert 5 <= answered["challenger"] <= 45
    assert answered["primary"] + answered["challenger"] == 200
