"""The local AWS's own pieces, without a server: the alarm evaluator, the embedded metric format,
CloudWatch's statistics, and the traffic steps of a blue/green update."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from moto.core.utils import utcnow
from moto.moto_api._internal.models import moto_api_backend

from local_stack import telemetry
from local_stack.cloudwatch import AlarmEvaluator, LocalCloudWatch, embedded_metrics, statistic
from local_stack.control_plane import ApiError, traffic_steps
from local_stack.sagemaker_container import InvocationResult
from local_stack.sagemaker_runtime import Endpoint, SageMakerRuntime, ServiceError
from local_stack.telemetry import Metric

ACCOUNT = "000000000000"
DIMENSIONS = {"EndpointName": "iris-endpoint", "VariantName": "primary"}


@pytest.fixture
def cloudwatch() -> LocalCloudWatch:
    moto_api_backend.reset()
    return LocalCloudWatch(ACCOUNT)


def put_alarm(cloudwatch: LocalCloudWatch, **overrides: object) -> str:
    properties = {
        "name": "errors",
        "namespace": "AWS/SageMaker",
        "metric_name": "Invocation5XXErrors",
        "metric_data_queries": None,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "evaluation_periods": 3,
        "datapoints_to_alarm": 2,
        "period": 60,
        "threshold": 1.0,
        "statistic": "Sum",
        "extended_statistic": None,
        "description": "The endpoint answered 5XX.",
        "dimensions": [{"Name": name, "Value": value} for name, value in DIMENSIONS.items()],
        "alarm_actions": ["arn:aws:sns:us-east-1:000000000000:alarms"],
        "ok_actions": ["arn:aws:sns:us-east-1:000000000000:alarms"],
        "insufficient_data_actions": None,
        "unit": None,
        "actions_enabled": True,
        "treat_missing_data": "notBreaching",
        "evaluate_low_sample_count_percentile": None,
        "threshold_metric_id": None,
        "rule": None,
        "tags": [],
    }
    properties.update(overrides)
    cloudwatch.cloudwatch.put_metric_alarm(**properties)
    return str(properties["name"])


def errors_at(cloudwatch: LocalCloudWatch, seconds_ago: float, count: int, value: float = 1.0) -> None:
    data = [
        {
            "MetricName": "Invocation5XXErrors",
            "Value": value,
            "Dimensions": [{"Name": n, "Value": v} for n, v in DIMENSIONS.items()],
            "Timestamp": utcnow() - timedelta(seconds=seconds_ago),
        }
        for _ in range(count)
    ]
    cloudwatch.cloudwatch.put_metric_data("AWS/SageMaker", data)


def evaluator(cloudwatch: LocalCloudWatch, tmp_path: Path, time_scale: float = 1.0) -> AlarmEvaluator:
    return AlarmEvaluator(cloudwatch, ACCOUNT, tmp_path / "outbox.jsonl", time_scale)


def test_an_alarm_fires_when_enough_periods_breach_and_notifies_its_topic(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch)
    errors_at(cloudwatch, 30, 1)  # this period
    errors_at(cloudwatch, 90, 2)  # the one before
    alarms = evaluator(cloudwatch, tmp_path)
    alarms.outbox.write_text("")

    alarms.evaluate_all()

    alarm = cloudwatch.cloudwatch.alarms[name]
    assert alarm.state_value == "ALARM"
    assert alarm.state_reason.startswith("Threshold Crossed: 2 out of the last 3 datapoints")
    (notice,) = [json.loads(line) for line in alarms.outbox.read_text().splitlines()]
    assert notice["TopicArn"] == "arn:aws:sns:us-east-1:000000000000:alarms"
    assert notice["Message"]["NewStateValue"] == "ALARM"
    assert notice["Message"]["Trigger"]["MetricName"] == "Invocation5XXErrors"


def test_one_breaching_period_of_three_is_not_enough(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch)
    errors_at(cloudwatch, 30, 5)
    errors_at(cloudwatch, 90, 0 + 1, value=0.0)  # a period with data that does not breach

    evaluator(cloudwatch, tmp_path).evaluate_all()

    assert cloudwatch.cloudwatch.alarms[name].state_value == "OK"


def test_missing_data_can_breach_when_the_alarm_says_so(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch, treat_missing_data="breaching")

    evaluator(cloudwatch, tmp_path).evaluate_all()

    assert cloudwatch.cloudwatch.alarms[name].state_value == "ALARM"


def test_data_older_than_the_evaluation_window_is_left_out(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch)
    errors_at(cloudwatch, 200, 10)  # more than three 60-second periods ago

    evaluator(cloudwatch, tmp_path).evaluate_all()

    assert cloudwatch.cloudwatch.alarms[name].state_value == "OK"


def test_the_time_scale_shortens_each_period(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch)
    errors_at(cloudwatch, 0.5, 1)
    errors_at(cloudwatch, 1.5, 1)  # with a scale of 1/60, periods last 1 s

    evaluator(cloudwatch, tmp_path, time_scale=1 / 60).evaluate_all()

    assert cloudwatch.cloudwatch.alarms[name].state_value == "ALARM"


def test_other_dimensions_do_not_count(cloudwatch, tmp_path):
    name = put_alarm(cloudwatch)
    cloudwatch.put_metrics(
        "AWS/SageMaker",
        [Metric("Invocation5XXErrors", 5, "None", {**DIMENSIONS, "VariantName": "challenger"})] * 2,
    )

    evaluator(cloudwatch, tmp_path).evaluate_all()

    assert cloudwatch.cloudwatch.alarms[name].state_value == "OK"


def test_a_p99_alarm_compares_the_percentile(cloudwatch, tmp_path):
    name = put_alarm(
        cloudwatch,
        metric_name="ModelLatency",
        statistic=None,
        extended_statistic="p99",
        comparison_operator="GreaterThanThreshold",
        threshold=200_000.0,
        evaluation_periods=1,
        datapoints_to_alarm=1,
    )
    fast = [Metric("ModelLatency", 1_000, "Microseconds", DIMENSIONS)] * 99
    cloudwatch.put_metrics("AWS/SageMaker", [*fast, Metric("ModelLatency", 900_000, "Microseconds", DIMENSIONS)])

    evaluator(cloudwatch, tmp_path).evaluate_all()
    assert cloudwatch.cloudwatch.alarms[name].state_value == "OK"  # p99 of 100 values is the 99th

    cloudwatch.put_metrics("AWS/SageMaker", [Metric("ModelLatency", 900_000, "Microseconds", DIMENSIONS)])
    evaluator(cloudwatch, tmp_path).evaluate_all()
    assert cloudwatch.cloudwatch.alarms[name].state_value == "ALARM"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sum", 10.0),
        ("Average", 2.5),
        ("Minimum", 1.0),
        ("Maximum", 4.0),
        ("SampleCount", 4),
        ("p50", 2.0),
        ("p99", 4.0),
    ],
)
def test_statistics(name, expected):
    assert statistic([4.0, 1.0, 3.0, 2.0], name) == expected


def test_embedded_metrics_become_metrics_with_their_dimensions():
    line = json.dumps(
        {
            "_aws": {
                "Timestamp": 1,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "IrisGateway",
                        "Dimensions": [["variant", "service"]],
                        "Metrics": [{"Name": "InstancesScored", "Unit": "Count"}, {"Name": "EndpointLatency"}],
                    }
                ],
            },
            "variant": "primary",
            "service": "iris-gateway",
            "InstancesScored": [3.0],
            "EndpointLatency": 12.5,
        }
    )

    ((namespace, metrics),) = embedded_metrics(line)

    assert namespace == "IrisGateway"
    dimensions = {"variant": "primary", "service": "iris-gateway"}
    assert metrics == [
        Metric("InstancesScored", 3.0, "Count", dimensions),
        Metric("EndpointLatency", 12.5, "None", dimensions),
    ]


@pytest.mark.parametrize("line", ['{"level": "INFO", "message": "scored"}', "START RequestId: 1", "{not json", "[1]"])
def test_other_log_lines_hold_no_metrics(line):
    assert embedded_metrics(line) == []


def test_the_functions_log_lines_land_in_its_group_and_their_metrics_in_cloudwatch(cloudwatch):
    emf = json.dumps(
        {
            "_aws": {
                "CloudWatchMetrics": [
                    {
                        "Namespace": "IrisGateway",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": "ColdStart", "Unit": "Count"}],
                    }
                ]
            },
            "service": "iris-gateway",
            "ColdStart": [1.0],
        }
    )
    with telemetry.recording(cloudwatch):
        telemetry.write_log("/aws/lambda/iris-gateway-predict", "2026/12/02/[$LATEST]abc", emf)
        telemetry.write_log("/aws/sagemaker/Endpoints/iris-endpoint", "primary/local", emf)
    telemetry.write_log("/aws/lambda/iris-gateway-predict", "2026/12/02/[$LATEST]abc", "after recording stopped")

    stream = cloudwatch.logs.groups["/aws/lambda/iris-gateway-predict"].streams["2026/12/02/[$LATEST]abc"]
    assert [event.message for event in stream.events] == [emf]
    cold_starts = [datum for datum in cloudwatch.cloudwatch.metric_data if datum.name == "ColdStart"]
    # Only the function's group is read for embedded metrics, as CloudWatch reads Lambda's.
    assert [(datum.namespace, datum.value) for datum in cold_starts] == [("IrisGateway", 1.0)]


@pytest.mark.parametrize(
    ("config", "steps"),
    [
        (None, [(1.0, 0.0)]),
        (
            {
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE"},
                    "TerminationWaitInSeconds": 120,
                }
            },
            [(1.0, 120.0)],
        ),
        (
            {
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {
                        "Type": "CANARY",
                        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
                        "WaitIntervalInSeconds": 300,
                    },
                    "TerminationWaitInSeconds": 300,
                }
            },
            [(0.1, 300.0), (1.0, 300.0)],
        ),
        (
            {
                "BlueGreenUpdatePolicy": {
                    "TrafficRoutingConfiguration": {
                        "Type": "LINEAR",
                        "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 40},
                        "WaitIntervalInSeconds": 180,
                    },
                }
            },
            [(0.4, 180.0), (0.8, 180.0), (1.0, 0.0)],
        ),
    ],
)
def test_traffic_steps_follow_the_deployment_config(config, steps):
    assert traffic_steps(config) == [pytest.approx(step) for step in steps]


def test_an_instance_count_step_is_refused_in_words():
    config = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1}}
        }
    }

    with pytest.raises(ApiError, match="CAPACITY_PERCENT"):
        traffic_steps(config)


class NoContainer:
    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        raise AssertionError("not called")


def test_a_replaced_route_is_idle_only_once_the_requests_that_took_it_are_answered():
    blue, green = Endpoint.single(NoContainer()), Endpoint.single(NoContainer())
    runtime = SageMakerRuntime({"iris-endpoint": blue})

    with runtime.routed("iris-endpoint") as taken:
        assert runtime.route("iris-endpoint", green) is blue
        with runtime.routed("iris-endpoint") as next_request:
            assert next_request is green  # from the swap on, requests take the new route
        assert taken is blue
        assert not runtime.wait_until_idle(blue, timeout=0.05)  # one request still runs on it

    assert runtime.wait_until_idle(blue, timeout=0.05)
    assert runtime.wait_until_idle(green, timeout=0.05)


def test_a_removed_route_is_an_unknown_endpoint():
    runtime = SageMakerRuntime({"iris-endpoint": Endpoint.single(NoContainer())})

    runtime.route("iris-endpoint", None)

    with (
        pytest.raises(ServiceError, match="Endpoint iris-endpoint of account 000000000000 not found"),
        runtime.routed("iris-endpoint"),
    ):
        pass


def test_linear_steps_of_ten_percent_are_ten():
    config = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "LINEAR",
                "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 10},
            }
        }
    }

    shares = [share for share, _ in traffic_steps(config)]

    assert shares == [pytest.approx(tenth / 10) for tenth in range(1, 11)]
