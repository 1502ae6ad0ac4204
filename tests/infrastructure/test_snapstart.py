"""The SnapStart parameter, translated by SAM in both settings: published versions behind the alias
the API invokes, old versions (and their snapshots) deleted, and a new version whenever the
function's configuration changes, including through parameters SAM cannot see."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local_stack.cloudformation import load_template
from tests.helpers import MODEL_URI, source_template

pytestmark = pytest.mark.infrastructure

NEW_ENDPOINT = {"ModelDataUrl": MODEL_URI}
SETTINGS = ["true", "false"]
SUBSTITUTION = re.compile(r"\$\{([\w:.]+)\}")


def _only(deployment, kind: str) -> tuple[str, dict[str, Any]]:
    ((name, resource),) = deployment.of_type(kind).items()
    return name, resource


def _rendered(sub: Any, deployment) -> str:
    """An Fn::Sub with its variables and parameters put in; resource attributes stay as ${Name.Attribute}."""
    template, variables = sub["Fn::Sub"] if isinstance(sub["Fn::Sub"], list) else (sub["Fn::Sub"], {})

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in variables:
            found = variables[name]
            return found if isinstance(found, str) else _attribute(found)
        return deployment.parameters.get(name, match.group(0))

    return SUBSTITUTION.sub(value, template)


def _attribute(node: Any) -> str:
    resource, attribute = node["Fn::GetAtt"]
    return "${" + f"{resource}.{attribute}" + "}"


@pytest.mark.parametrize("setting", SETTINGS)
def test_snapstart_is_on_only_when_asked_and_versions_are_published_either_way(deploy, setting):
    deployment = deploy(**NEW_ENDPOINT, SnapStart=setting)

    function = deployment.resources["PredictFunction"]["Properties"]
    version_name, version = _only(deployment, "AWS::Lambda::Version")
    _, alias = _only(deployment, "AWS::Lambda::Alias")
    if setting == "true":
        assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    else:
        assert "SnapStart" not in function
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_name, "Version"]}
    # A replaced version is deleted, and its snapshot with it; none is left cached and billed.
    assert version["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_api_invokes_the_alias_and_may_invoke_only_the_alias(deploy, setting):
    deployment = deploy(**NEW_ENDPOINT, SnapStart=setting)

    alias_name, alias = _only(deployment, "AWS::Lambda::Alias")
    (api,) = deployment.of_type("AWS::ApiGateway::RestApi").values()
    uris = [
        operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for methods in api["Properties"]["Body"]["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation
    ]
    # Every route the local stack reads from the template, none left out.
    assert len(uris) == len(load_template().routes)
    assert all(f"functions/${{PredictFunction.Arn}}:{alias['Properties']['Name']}/invocations" in uri for uri in uris)
    (permission,) = deployment.of_type("AWS::Lambda::Permission").values()
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_name}


def test_turning_snapstart_on_or_off_publishes_a_new_version(deploy):
    # The version's logical id hashes the properties as written, the same in both settings; a new
    # description makes CloudFormation replace the version, and the new one is published with SnapStart.
    on, off = (deploy(**NEW_ENDPOINT, SnapStart=setting) for setting in ("true", "false"))

    descriptions = [_rendered(_only(d, "AWS::Lambda::Version")[1]["Properties"]["Description"], d) for d in (on, off)]

    assert descriptions[0] != descriptions[1]
    assert descriptions[0].startswith("SnapStart true;")


# Parameter combinations that change what the function's environment resolves to.
COMBINATIONS = [
    {**NEW_ENDPOINT},
    {**NEW_ENDPOINT, "AllowedOrigins": "https://app.example.com,https://admin.example.com"},
    {**NEW_ENDPOINT, "ChallengerModelDataUrl": "s3://iris-gateway-models-123456789012/models/4567cdef/model.tar.gz"},
    {**NEW_ENDPOINT, "SelectableVariants": "none", "SnapStart": "true"},
    {"ExistingEndpointName": "someone-elses-endpoint", "SelectableVariants": "blue,green"},
]


@pytest.mark.parametrize("parameters", COMBINATIONS)
def test_every_environment_value_sam_cannot_see_is_in_the_version_description(deploy, parameters):
    deployment = deploy(**parameters)

    written = source_template()["Resources"]["PredictFunction"]["Properties"]["Environment"]["Variables"]
    resolved = deployment.resources["PredictFunction"]["Properties"]["Environment"]["Variables"]
    description = _rendered(_only(deployment, "AWS::Lambda::Version")[1]["Properties"]["Description"], deployment)
    fields = dict(field.split(" ", 1) for field in description.split("; "))
    # The description names each value by what it is; the environment by the variable the function reads.
    by_variable = {"ENDPOINT_NAME": "endpoint", "ALLOWED_ORIGINS": "origins", "SELECTABLE_VARIANTS": "variants"}
    intrinsic = {name for name, value in written.items() if isinstance(value, dict)}
    assert intrinsic == set(by_variable)
    for variable, field in by_variable.items():
        value = resolved[variable]
        assert fields[field] == (value if isinstance(value, str) else _attribute(value)), variable
    assert fields["SnapStart"] == deployment.parameters["SnapStart"]
    assert len(description) <= 256  # Lambda's limit on a version description
