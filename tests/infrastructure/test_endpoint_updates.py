"""Stack updates of an endpoint that autoscales, per AWS's "Update endpoints that use auto scaling":
UpdateEndpoint fails when it would change the instance type of a variant that is a scalable target,
or remove such a variant; changing only the model is allowed. CloudFormation updates the endpoint
before it deletes a scalable target the new parameters drop, so such a change needs the procedure in
docs/operations.md ("Changes that autoscaling blocks"), which these tests also walk through."""

from __future__ import annotations

import itertools

import pytest

from tests.helpers import MODEL_URI, ROOT, render

pytestmark = pytest.mark.infrastructure

NEW_MODEL_URI = "s3://iris-gateway-models-123456789012/models/89abcdef/model.tar.gz"
CHALLENGER_URI = "s3://iris-gateway-models-123456789012/models/4567cdef/model.tar.gz"
OPERATIONS = ROOT / "docs" / "operations.md"


def blocked_by_autoscaling(before, after) -> list[str]:
    """Why UpdateEndpoint from ``before`` to ``after`` would fail while ``before``'s scalable
    targets are still registered (as they are when CloudFormation updates the endpoint)."""
    scaled = {
        render(target["Properties"]["ResourceId"], before.parameters).rsplit("/", 1)[1]
        for target in before.of_type("AWS::ApplicationAutoScaling::ScalableTarget").values()
    }
    old, new = _variants(before), _variants(after)
    reasons = []
    for variant in sorted(scaled):
        if variant not in new:
            reasons.append(f"removes the scaled variant {variant}")
        elif new[variant].get("InstanceType") != old[variant].get("InstanceType"):
            reasons.append(f"changes the instance type of the scaled variant {variant}")
    return reasons


def _variants(deployment) -> dict[str, dict]:
    configs = deployment.of_type("AWS::SageMaker::EndpointConfig").values()
    return {v["VariantName"]: v for config in configs for v in config["Properties"]["ProductionVariants"]}


BASE = {"ModelDataUrl": MODEL_URI}
AB_TEST = {**BASE, "ChallengerModelDataUrl": CHALLENGER_URI}
# (what changes, parameters before, parameters after, whether autoscaling blocks it)
CHANGES = [
    ("a new model", BASE, {"ModelDataUrl": NEW_MODEL_URI}, False),
    ("InstanceType", BASE, {**BASE, "InstanceType": "ml.c5.xlarge"}, True),
    ("InstanceType, AutoScaling off", {**BASE, "AutoScaling": "false"},
     {**BASE, "AutoScaling": "false", "InstanceType": "ml.c5.xlarge"}, False),
    ("InitialInstanceCount", BASE, {**BASE, "InitialInstanceCount": "3"}, False),
    ("MinCapacity and MaxCapacity", BASE, {**BASE, "MinCapacity": "2", "MaxCapacity": "8"}, False),
    ("TrafficShifting", BASE, {**BASE, "TrafficShifting": "LINEAR"}, False),
    ("adding a challenger (ChallengerModelDataUrl)", BASE, AB_TEST, False),
    ("weights of an A/B test", AB_TEST, {**AB_TEST, "PrimaryWeight": "1", "ChallengerWeight": "1"}, False),
    ("a new challenger model", AB_TEST, {**AB_TEST, "ChallengerModelDataUrl": NEW_MODEL_URI}, False),
    ("ending an A/B test (ChallengerModelDataUrl cleared)", AB_TEST, BASE, True),
    ("InstanceType in an A/B test", AB_TEST, {**AB_TEST, "InstanceType": "ml.c5.xlarge"}, True),
    ("InferenceMode to serverless", BASE, {**BASE, "InferenceMode": "serverless"}, True),
]  # fmt: skip


@pytest.mark.parametrize(("change", "before", "after", "blocked"), CHANGES, ids=[c[0] for c in CHANGES])
def test_which_changes_autoscaling_blocks(deploy, change, before, after, blocked):
    reasons = blocked_by_autoscaling(deploy(**before), deploy(**after))

    assert bool(reasons) is blocked, reasons


def test_the_operations_guide_names_every_parameter_whose_change_is_blocked():
    section = OPERATIONS.read_text().split("### Changes that autoscaling blocks", 1)[1].split("\n#", 1)[0]
    blocked_parameters = {
        name for _, before, after, blocked in CHANGES if blocked for name in set(before) | set(after)
        if before.get(name) != after.get(name)
    }  # fmt: skip

    assert blocked_parameters == {"InstanceType", "ChallengerModelDataUrl", "InferenceMode"}
    for name in blocked_parameters:
        assert f"`{name}`" in section


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (BASE, {**BASE, "InstanceType": "ml.c5.xlarge"}),
        (AB_TEST, BASE),
        ({**AB_TEST, "InstanceType": "ml.m5.large"}, {**BASE, "InstanceType": "ml.c5.xlarge"}),
    ],
    ids=["instance type", "end an A/B test", "both"],
)
def test_the_documented_procedure_never_asks_for_a_blocked_update(deploy, before, after):
    # 1. autoscaling off, the variants' current count kept; 2. the change; 3. autoscaling on again.
    steps = [
        before,
        {**before, "AutoScaling": "false", "InitialInstanceCount": "4"},
        {**after, "AutoScaling": "false", "InitialInstanceCount": "4"},
        after,
    ]
    deployments = [deploy(**parameters) for parameters in steps]

    assert blocked_by_autoscaling(deployments[0], deployments[-1]) != []
    for earlier, later in itertools.pairwise(deployments):
        assert blocked_by_autoscaling(earlier, later) == []


def test_with_autoscaling_an_update_keeps_each_variants_current_count(deploy):
    properties = next(iter(deploy(**AB_TEST).of_type("AWS::SageMaker::Endpoint").values()))["Properties"]

    # The new fleet starts with the autoscaler's count, not InitialInstanceCount; weights still
    # come from the template.
    assert properties["RetainAllVariantProperties"] is True
    assert properties["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


@pytest.mark.parametrize("parameters", [{**BASE, "AutoScaling": "false"}, {**BASE, "InferenceMode": "serverless"}])
def test_without_autoscaling_the_templates_counts_apply(deploy, parameters):
    properties = next(iter(deploy(**parameters).of_type("AWS::SageMaker::Endpoint").values()))["Properties"]

    assert "RetainAllVariantProperties" not in properties
    assert "ExcludeRetainedVariantProperties" not in properties
