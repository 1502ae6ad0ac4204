"""The SAM template, translated offline and with its conditions evaluated for given parameters."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from samtranslator.translator.transform import transform

from tests.helpers import source_template


class NoManagedPolicies:
    """The translator asks for managed policy ARNs only for policy names; this template uses none."""

    def load(self) -> dict[str, str]:
        return {}


class Deployment:
    """The CloudFormation template SAM produces, as CloudFormation would see it for these parameters."""

    def __init__(self, parameters: dict[str, str]) -> None:
        source = source_template()
        defaults = {name: str(spec.get("Default", "")) for name, spec in source["Parameters"].items()}
        self.parameters = {**defaults, **parameters}
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        packaged = copy.deepcopy(source)
        for resource in packaged["Resources"].values():
            # What `sam package` does before the transform: local code becomes an S3 object.
            if resource["Type"] == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = "s3://iris-gateway-artifacts/predict.zip"
        self.template = transform(packaged, self.parameters, NoManagedPolicies())
        self.conditions: dict[str, bool] = {}
        for name, expression in self.template.get("Conditions", {}).items():
            self.conditions[name] = self._condition(expression)

    @property
    def resources(self) -> dict[str, Any]:
        """Only the resources whose Condition holds, with Fn::If and parameter Refs resolved."""
        return {
            name: self.resolve(resource)
            for name, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.conditions[resource["Condition"]]
        }

    def of_type(self, kind: str) -> dict[str, Any]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                condition, when_true, when_false = node["Fn::If"]
                return self.resolve(when_true if self.conditions[condition] else when_false)
            if set(node) == {"Ref"} and node["Ref"] in self.parameters:
                return self.parameters[node["Ref"]]
            resolved = {key: self.resolve(value) for key, value in node.items()}
            return {k: v for k, v in resolved.items() if v != {"Ref": "AWS::NoValue"}}
        if isinstance(node, list):
            return [item for item in (self.resolve(item) for item in node) if item != {"Ref": "AWS::NoValue"}]
        return node

    def _condition(self, expression: Any) -> bool:
        if isinstance(expression, dict):
            ((function, arguments),) = expression.items()
            if function == "Fn::Equals":
                left, right = (self._value(argument) for argument in arguments)
                return left == right
            if function == "Fn::And":
                return all(self._condition(argument) for argument in arguments)
            if function == "Fn::Or":
                return any(self._condition(argument) for argument in arguments)
            if function == "Fn::Not":
                return not self._condition(arguments[0])
            if function == "Condition":
                return (
                    self.conditions[arguments]
                    if arguments in self.conditions
                    else self._condition(self.template["Conditions"][arguments])
                )
        raise ValueError(f"unsupported condition {expression!r}")

    def _value(self, node: Any) -> Any:
        if isinstance(node, dict):
            ((function, arguments),) = node.items()
            if function == "Ref":
                return self.parameters[arguments]
            if function == "Fn::Join":
                separator, values = arguments
                return separator.join(self._value(value) for value in self._value(values))
            if function == "Fn::Split":
                separator, value = arguments
                return self._value(value).split(separator)
            raise ValueError(f"unsupported value {node!r}")
        if isinstance(node, list):
            return [self._value(item) for item in node]
        return str(node)

    def rule_violations(self) -> list[str]:
        """The AssertDescription of every Rules assertion that fails for these parameters."""
        failed = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self._condition(rule["RuleCondition"]):
                continue
            failed += [a["AssertDescription"] for a in rule["Assertions"] if not self._condition(a["Assert"])]
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
