"""The SAM template, translated offline and with its conditions evaluated for given parameters."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from samtranslator.translator.transform import transform

from local_stack.intrinsics import Intrinsics, parameter_defaults
from tests.helpers import source_template


class NoManagedPolicies:
    """The translator asks for managed policy ARNs only for policy names; this template uses none."""

    def load(self) -> dict[str, str]:
        return {}


class Deployment:
    """The CloudFormation template SAM produces, as CloudFormation would see it for these parameters."""

    def __init__(self, parameters: dict[str, str]) -> None:
        source = source_template()
        self.parameters = {**parameter_defaults(source), **parameters}
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        packaged = copy.deepcopy(source)
        for resource in packaged["Resources"].values():
            # What `sam package` does before the transform: local code becomes an S3 object.
            if resource["Type"] == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = "s3://iris-gateway-artifacts/predict.zip"
        self.template = transform(packaged, self.parameters, NoManagedPolicies())
        self.intrinsics = Intrinsics(self.template.get("Conditions", {}), self.parameters)

    @property
    def conditions(self) -> dict[str, bool]:
        return {name: self.intrinsics.holds(name) for name in self.template.get("Conditions", {})}

    @property
    def resources(self) -> dict[str, Any]:
        """Only the resources whose Condition holds, with Fn::If and parameter Refs resolved."""
        return {
            name: self.resolve(resource)
            for name, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.intrinsics.holds(resource["Condition"])
        }

    def of_type(self, kind: str) -> dict[str, Any]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    def resolve(self, node: Any) -> Any:
        return self.intrinsics.resolve(node)

    def rule_violations(self) -> list[str]:
        """The AssertDescription of every Rules assertion that fails for these parameters."""
        failed = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.intrinsics.evaluate(rule["RuleCondition"]):
                continue
            failed += [a["AssertDescription"] for a in rule["Assertions"] if not self.intrinsics.evaluate(a["Assert"])]
        return failed


@pytest.fixture(scope="session")
def deploy():
    cache: dict[tuple, Deployment] = {}

    def translate(**parameters: str) -> Deployment:
        key = tuple(sorted(parameters.items()))
        if key not in cache:
            cache[key] = Deployment(parameters)
        return cache[key]

    return translate
