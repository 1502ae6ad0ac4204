"""The template's Conditions and ``Fn::If``, evaluated for given parameter values.

The one evaluator of CloudFormation conditions in this project: the local stack resolves each
route's security with it (``local_stack/cloudformation.py``), and the infrastructure tests resolve
the translated template with it, so both read the template the same way. It works on the long
form (``Fn::Equals``), which is how SAM's own YAML loader (``samtranslator.yaml_helper``) and the
SAM translator write intrinsics.

Written by hand for the functions this template's conditions use (Equals, And, Or, Not,
Condition; Ref to a parameter, Join and Split inside them): cfn-lint reasons about conditions
symbolically but does not evaluate them for given values, and no maintained library does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_VALUE = {"Ref": "AWS::NoValue"}


class Intrinsics:
    """Conditions and parameter values of one deployment: ``parameters`` override the defaults."""

    def __init__(self, conditions: Mapping[str, Any], parameters: Mapping[str, str]) -> None:
        self.definitions = conditions
        self.parameters = parameters
        self._held: dict[str, bool] = {}

    def holds(self, name: str) -> bool:
        if name not in self._held:
            self._held[name] = self.evaluate(self.definitions[name])
        return self._held[name]

    def evaluate(self, expression: Any) -> bool:
        """A condition expression (the body of a Conditions entry, or of a Rules assertion)."""
        ((function, arguments),) = expression.items()
        if function == "Fn::Equals":
            left, right = (self.value(argument) for argument in arguments)
            return left == right
        if function == "Fn::Not":
            return not self.evaluate(arguments[0])
        if function == "Fn::And":
            return all(self.evaluate(argument) for argument in arguments)
        if function == "Fn::Or":
            return any(self.evaluate(argument) for argument in arguments)
        if function == "Condition":
            return self.holds(arguments)
        raise ValueError(f"cannot evaluate {function} in a condition")

    def value(self, node: Any) -> Any:
        """A value inside a condition: a literal, a parameter, or a Join or Split of them."""
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, dict):
            return str(node)
        ((function, arguments),) = node.items()
        if function == "Ref":
            return self.parameters[arguments]
        if function == "Fn::Join":
            separator, values = arguments
            return separator.join(self.value(values))
        if function == "Fn::Split":
            separator, text = arguments
            return self.value(text).split(separator)
        raise ValueError(f"cannot evaluate {function} in a condition")

    def resolve(self, node: Any) -> Any:
        """``node`` with every ``Fn::If`` decided, parameter Refs replaced by their values, and
        ``AWS::NoValue`` left out, as CloudFormation sees it for these parameters. Other intrinsic
        functions (``Fn::Sub``, ``Fn::GetAtt``, ...) stay as they are."""
        if isinstance(node, list):
            return [item for item in (self.resolve(item) for item in node) if item != NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"}:
            condition, when_true, when_false = node["Fn::If"]
            return self.resolve(when_true if self.holds(condition) else when_false)
        if set(node) == {"Ref"} and node["Ref"] in self.parameters:
            return self.parameters[node["Ref"]]
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value != NO_VALUE}


def parameter_defaults(template: Mapping[str, Any]) -> dict[str, str]:
    """Each parameter's default as CloudFormation passes it: a string ("" when there is none)."""
    return {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
