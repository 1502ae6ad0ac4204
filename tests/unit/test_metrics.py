"""The function's own metrics as CloudWatch will file them: name, namespace, unit and dimension set.

CloudWatch files a metric under its exact set of dimensions, and the dashboard (template.yaml)
finds them with SEARCH('{Namespace,dim,...} MetricName=...'): a metric emitted with another set,
or under another namespace, silently drops off the dashboard. So the schemas are read from the
dashboard here, and the emitted EMF is checked against them.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ReadTimeoutError

from tests.helpers import call, emf_metrics, endpoint_answer, json_lines, load_event, source_template

ANSWER = {"predictions": [0, 2, 2], "probabilities": [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.1, 0.9]]}


def _emitted(output: str) -> dict[str, dict[str, Any]]:
    """Each metric name's one EMF entry (a single request emits each once)."""
    return {name: entry for name, (entry,) in emf_metrics(json_lines(output)).items()}


def _dashboard_searches() -> dict[str, tuple[str, list[str]]]:
    """Metric name -> (namespace, dimensions) for every SEARCH of the function's namespace on the dashboard."""
    template = source_template()
    namespace = template["Resources"]["PredictFunction"]["Properties"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    searches = {}
    for schema, names in re.findall(r"SEARCH\('\{([^}]+)\} MetricName=\(?([^)']+)\)?'", body):
        schema_namespace, *dimensions = schema.split(",")
        if schema_namespace == namespace:
            for name in re.findall(r'\\"(\w+)\\"', names):
                searches[name] = (namespace, sorted(dimensions))
    return searches


def test_what_a_scored_request_emits_is_what_the_dashboard_searches_for(runtime_stub, capsys):
    runtime_stub.add_response("invoke_endpoint", endpoint_answer(ANSWER))

    call(load_event("predict-guide-three-rows"))

    emitted = _emitted(capsys.readouterr().out)
    searched = _dashboard_searches()
    scored = {"InstancesScored", "EndpointLatency", "Predicted_setosa", "Predicted_virginica"}
    assert scored <= set(searched)
    for name in scored:
        assert (emitted[name]["namespace"], emitted[name]["dimension_sets"]) == (
            searched[name][0],
            [searched[name][1]],
        ), name
    assert {name: emitted[name]["unit"] for name in scored} == {
        "InstancesScored": "Count",
        "EndpointLatency": "Milliseconds",
        "Predicted_setosa": "Count",
        "Predicted_virginica": "Count",
    }
    assert (emitted["Predicted_setosa"]["value"], emitted["Predicted_virginica"]["value"]) == ([1.0], [2.0])
    # A class no row was predicted as is not counted (a zero would cost a metric for nothing).
    assert "Predicted_versicolor" not in emitted


def test_an_endpoint_failure_counts_one_error_of_its_kind_where_the_dashboard_looks(raising_client, capsys):
    raising_client(ReadTimeoutError(endpoint_url="http://endpoint"))

    call(load_event("predict-one-row"))

    errors = _emitted(capsys.readouterr().out)["EndpointErrors"]
    namespace, dimensions = _dashboard_searches()["EndpointErrors"]
    assert (errors["namespace"], errors["dimension_sets"]) == (namespace, [dimensions])
    assert (errors["unit"], errors["value"], errors["kind"], errors["service"]) == (
        "Count",
        [1.0],
        "timeout",
        "iris-gateway",
    )
