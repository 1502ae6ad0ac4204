"""The template configures the function with the variables its settings module reads, and its
parameter defaults are the function's defaults."""

from __future__ import annotations

import pytest

from predict.settings import Settings
from tests.helpers import source_template

pytestmark = pytest.mark.infrastructure


def _function_environment(deployment) -> dict[str, str]:
    (function,) = deployment.of_type("AWS::Lambda::Function").values()
    return function["Properties"]["Environment"]["Variables"]


def test_the_template_declares_every_variable_the_function_reads():
    declared = source_template()["Resources"]["PredictFunction"]["Properties"]["Environment"]["Variables"]

    assert set(Settings().environment()) <= set(declared)


def test_the_parameter_defaults_are_the_functions_defaults():
    parameters = source_template()["Parameters"]
    defaults = Settings()

    assert parameters["EndpointName"]["Default"] == defaults.endpoint_name
    assert parameters["AllowedOrigins"]["Default"] == ",".join(defaults.allowed_origins)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, Settings(endpoint_name="team-iris", selectable_variants=("primary",))),
        (
            {"AllowedOrigins": "https://app.example.com,https://admin.example.com"},
            Settings("team-iris", ("https://app.example.com", "https://admin.example.com"), ("primary",)),
        ),
        (
            {"AllowedOrigins": "https://app.example.com"},
            Settings("team-iris", ("https://app.example.com",), ("primary",)),
        ),
        ({"SelectableVariants": "none"}, Settings(endpoint_name="team-iris")),
        (
            {"SelectableVariants": "blue,green"},
            Settings(endpoint_name="team-iris", selectable_variants=("blue", "green")),
        ),
    ],
    ids=["defaults", "two-origins", "one-origin", "no-variants", "named-variants"],
)
def test_the_function_reads_from_the_template_the_settings_the_parameters_give(deploy, parameters, expected):
    deployment = deploy(ExistingEndpointName="team-iris", **parameters)

    assert Settings.from_environment(_function_environment(deployment)) == expected
