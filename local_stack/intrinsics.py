"""The template's Conditions and ``Fn::If``, evaluated for given parameter values.

The one evaluator of CloudFormation conditions in this project: the local stack resolves each
route's security with it (``local_stack/cloudformation.py``), and the infrastructure tests resolve
the translated template with it, so both read the template the same way. It works on the long
form (``Fn::Equals``), which is how SAM's own YAML loader (``samtranslator.yaml_helper``) and the
SAM translator write intrinsics.

Written by hand for the functions this template's conditions use (Equals, And, Or, Not,
Condition; Ref to a parameter, Join and Split inside them), and for a ``Fn::Sub`` whose variables
are parameters: cfn-lint reasons about conditions symbolically but does not evaluate them for
given values, and no maintained library does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NO_VALUE = {"Ref": "AWS::NoValue"}
SUB_VARIABLE = re.compile(r"\$\{([\w:.]+)\}")


class Intrinsics:
    """Conditions and parameter values of one deployment: ``parameters`` override the defaults."""

    def __init__(
        self,
        conditions: Mapping[str, Any],
        parameters: Mapping[str, str],
        attributes: Mapping[str, str] | None = None,
        mappings: Mapping[str, Any] | None = None,
    ) -> None:
        """``parameters`` may also name pseudo parameters and resources (what their Ref gives);
        ``attributes`` gives ``Fn::GetAtt`` values as "Resource.Attribute", and ``mappings`` the
        template's Mappings, for a caller that resolves resources as a deployment would."""
        self.definitions = conditions
        self.parameters = parameters
        self.attributes = attributes or {}
        self.mappings = mappings or {}
        # Only a resolver for a deployment (one given attributes) reads a string-form Fn::Sub: for
        # the others, such a Sub names what only a deployment knows and stays as it is.
        self.resolves_deployment = attributes is not None
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
        if self.resolves_deployment and set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            # The string form: its variables are parameters, pseudo parameters or resources.
            return self.resolve({"Fn::Sub": [node["Fn::Sub"], dict(self.parameters)]})
        if set(node) == {"Fn::GetAtt"} and ".".join(node["Fn::GetAtt"]) in self.attributes:
            return self.attributes[".".join(node["Fn::GetAtt"])]
        resolved = {key: self.resolve(value) for key, value in node.items()}
        if set(resolved) == {"Fn::FindInMap"} and all(isinstance(key, str) for key in resolved["Fn::FindInMap"]):
            mapping, first, second = resolved["Fn::FindInMap"]
            if mapping in self.mappings:
                return self.mappings[mapping][first][second]
        if set(resolved) == {"Fn::Sub"}:
            known = {**self.parameters, **self.attributes} if self.resolves_deployment else {}
            return _substituted(resolved["Fn::Sub"], known) or resolved
        return {key: value for key, value in resolved.items() if value != NO_VALUE}


def _substituted(argument: Any, known_elsewhere: Mapping[str, str]) -> str | None:
    """A ``Fn::Sub`` of the list form whose variables are all known strings, as its text; else None
    (it names a resource, a pseudo parameter, or a value only a deployment knows). A name that is
    not a variable may be one a deployment's resolver knows (``known_elsewhere``)."""
    if not isinstance(argument, list):
        return None
    text, variables = argument
    known = {**known_elsewhere, **variables}
    names = set(SUB_VARIABLE.findall(text))
    if not names <= set(known) or not all(isinstance(known[name], str) for name in names):
        return None
    return SUB_VARIABLE.sub(lambda found: known[found.group(1)], text)


def parameter_defaults(template: Mapping[str, Any]) -> dict[str, str]:
    """Each parameter's default as CloudFormation passes it: a string ("" when there is none)."""
    return {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
