"""The local CloudWatch: moto's metric, alarm, log and SNS stores, written in this process.

moto keeps the records and answers the APIs (GetMetricStatistics, DescribeAlarms,
FilterLogEvents, ...) at the local AWS address. What moto does not do is written here by hand:
- it never evaluates an alarm, so ``AlarmEvaluator`` does, on the metrics the local services
  record, and publishes each change of state to the alarm's SNS actions (moto's topic keeps it in
  ``sent_notifications``) and to an outbox file that `make run` prints;
- it does not turn Lambda's embedded metric format into metrics, so ``write_log`` does, for the
  function's log group, as CloudWatch Logs does.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from moto.backends import get_backend
from moto.core.utils import utcnow

from local_stack import settings
from local_stack.http_server import log_event
from local_stack.telemetry import Metric

COMPONENT = "local-cloudwatch"
LAMBDA_LOG_GROUP_PREFIX = "/aws/lambda/"


class LocalCloudWatch:
    """A telemetry recorder (``local_stack.telemetry``) writing into moto's stores for one account and region."""

    def __init__(self, account: str, region: str = settings.REGION) -> None:
        self.cloudwatch = get_backend("cloudwatch")[account][region]
        self.logs = get_backend("logs")[account][region]
        self._streams: set[tuple[str, str]] = set()
        # moto's stores are plain lists and dicts: every write, and the alarms' reads, hold this.
        self.lock = threading.Lock()

    def put_metrics(self, namespace: str, metrics: Sequence[Metric]) -> None:
        data = [
            {
                "MetricName": metric.name,
                "Value": metric.value,
                "Unit": metric.unit,
                "Dimensions": [{"Name": name, "Value": value} for name, value in metric.dimensions.items()],
            }
            for metric in metrics
        ]
        with self.lock:
            self.cloudwatch.put_metric_data(namespace, data)

    def write_log(self, group: str, stream: str, message: str) -> None:
        with self.lock:
            if (group, stream) not in self._streams:
                if group not in self.logs.groups:
                    self.logs.create_log_group(group, {})
                if stream not in self.logs.groups[group].streams:
                    self.logs.create_log_stream(group, stream)
                self._streams.add((group, stream))
            self.logs.put_log_events(group, stream, [{"timestamp": int(time.time() * 1000), "message": message}])
        if group.startswith(LAMBDA_LOG_GROUP_PREFIX):
            for namespace, metrics in embedded_metrics(message):
                self.put_metrics(namespace, metrics)


def embedded_metrics(line: str) -> list[tuple[str, list[Metric]]]:
    """The metrics in a log line written in CloudWatch's embedded metric format, by namespace; none
    for any other line. docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
    CloudWatch_Embedded_Metric_Format_Specification.html: each directive names a namespace, the
    dimension sets (member names whose values are in the line) and the metrics (a number or a
    list of numbers in the line)."""
    if not line.startswith("{"):
        return []
    try:
        document = json.loads(line)
        directives = document["_aws"]["CloudWatchMetrics"]
    except (ValueError, KeyError, TypeError):
        return []
    found = []
    for directive in directives:
        dimension_sets = directive.get("Dimensions") or [[]]
        metrics = []
        for definition in directive.get("Metrics", []):
            values = document.get(definition["Name"])
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, int | float):
                    continue
                for dimension_set in dimension_sets:
                    dimensions = {name: str(document[name]) for name in dimension_set if name in document}
                    metrics.append(Metric(definition["Name"], float(value), definition.get("Unit", "None"), dimensions))
        found.append((directive["Namespace"], metrics))
    return found


def statistic(values: list[float], name: str) -> float:
    """One CloudWatch statistic of a period's values: Sum, Average, Minimum, Maximum, SampleCount or pNN."""
    if name.startswith("p"):
        ordered = sorted(values)
        rank = max(1, math.ceil(float(name[1:]) / 100 * len(ordered)))  # nearest-rank percentile
        return ordered[rank - 1]
    return {
        "Sum": sum,
        "Average": lambda v: sum(v) / len(v),
        "Minimum": min,
        "Maximum": max,
        "SampleCount": len,
    }[name](values)


BREACHES: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


class AlarmEvaluator:
    """Evaluates every metric alarm in the local CloudWatch, as CloudWatch does, on a clock that runs
    ``time_scale`` times as long: with 0.05, a 60-second period lasts 3 seconds.

    An alarm looks at its last EvaluationPeriods periods; a period with data breaches when its
    statistic compares with the threshold as ComparisonOperator says. It goes to ALARM when at
    least DatapointsToAlarm of them breach, and back to OK when fewer do; a period without data
    counts as TreatMissingData says (notBreaching, breaching, or ignored: missing and ignore
    leave it out). docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    """

    def __init__(self, cloudwatch: LocalCloudWatch, account: str, outbox: Path, time_scale: float) -> None:
        self.backend = cloudwatch.cloudwatch
        self.lock = cloudwatch.lock
        self.sns = get_backend("sns")[account][settings.REGION]
        self.outbox = outbox
        self.time_scale = time_scale
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alarm-evaluator", daemon=True)

    def __enter__(self) -> AlarmEvaluator:
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        self.outbox.write_text("")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick_seconds()):
            self.evaluate_all()

    def tick_seconds(self) -> float:
        periods = [alarm.period for alarm in list(self.backend.alarms.values()) if alarm.period]
        return max(0.05, min(periods, default=60) * self.time_scale / 4)

    def evaluate_all(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        for alarm in list(self.backend.alarms.values()):
            if not alarm.metric_name:
                continue  # metric math alarms: none in this stack
            state, reason = self.evaluate(alarm, now)
            if state != alarm.state_value:
                with self.lock:
                    self.backend.set_alarm_state(alarm.name, reason, json.dumps({"version": "1.0"}), state)
                self.notify(alarm, state, reason, now)

    def evaluate(self, alarm: Any, now: datetime) -> tuple[str, str]:
        period = timedelta(seconds=alarm.period * self.time_scale)
        wanted = {(d.name, d.value) for d in alarm.dimensions}
        name = alarm.extended_statistic or alarm.statistic
        window_start = now - period * alarm.evaluation_periods
        data = []
        with self.lock:
            # Newest first, stopping at the window's start: data arrive in time order, and the
            # store keeps everything since the stack started.
            for datum in reversed(self.backend.metric_data):
                if datum.timestamp < window_start:
                    break
                if (
                    datum.namespace == alarm.namespace
                    and datum.name == alarm.metric_name
                    and {(d.name, d.value) for d in datum.dimensions} == wanted
                ):
                    data.append(datum)
        breaching = 0
        counted = 0
        values = []
        for index in range(alarm.evaluation_periods):
            end = now - period * index
            in_period = [datum.value for datum in data if end - period <= datum.timestamp < end]
            if not in_period:
                missing = alarm.treat_missing_data or "missing"
                if missing == "breaching":
                    breaching += 1
                    counted += 1
                elif missing == "notBreaching":
                    counted += 1
                continue
            value = statistic(in_period, name)
            values.append(value)
            counted += 1
            if BREACHES[alarm.comparison_operator](value, float(alarm.threshold)):
                breaching += 1
        needed = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
        shown = ", ".join(f"{value:g}" for value in values) or "no data"
        if breaching >= needed:
            return "ALARM", (
                f"Threshold Crossed: {breaching} out of the last {alarm.evaluation_periods} datapoints "
                f"[{shown}] were {alarm.comparison_operator} the threshold ({float(alarm.threshold):g})."
            )
        if counted == 0 and alarm.state_value == "INSUFFICIENT_DATA":
            return "INSUFFICIENT_DATA", "no data"
        return "OK", (
            f"Threshold Crossed: {breaching} out of the last {alarm.evaluation_periods} datapoints [{shown}] "
            f"crossed the threshold ({float(alarm.threshold):g}): fewer than {needed}."
        )

    def notify(self, alarm: Any, state: str, reason: str, now: datetime) -> None:
        actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions}.get(state) or []
        log_event(COMPONENT, alarm=alarm.name, state=state, reason=reason)
        if not alarm.actions_enabled:
            return
        for topic_arn in actions:
            # The fields of CloudWatch's alarm message (the JSON an email or a Lambda subscriber gets).
            message = {
                "AlarmName": alarm.name,
                "AlarmDescription": alarm.description,
                "AWSAccountId": self.sns.account_id,
                "NewStateValue": state,
                "NewStateReason": reason,
                "StateChangeTime": now.isoformat(),
                "Region": settings.REGION,
                "AlarmArn": alarm.alarm_arn,
                "Trigger": {
                    "MetricName": alarm.metric_name,
                    "Namespace": alarm.namespace,
                    "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
                    "Period": alarm.period,
                    "EvaluationPeriods": alarm.evaluation_periods,
                    "ComparisonOperator": alarm.comparison_operator,
                    "Threshold": float(alarm.threshold),
                },
            }
            subject = f'{state}: "{alarm.name}" in {settings.REGION}'
            if topic_arn in self.sns.topics:
                self.sns.publish(json.dumps(message), arn=topic_arn, subject=subject[:100])
            with self.outbox.open("a") as outbox:
                outbox.write(json.dumps({"TopicArn": topic_arn, "Subject": subject, "Message": message}) + "\n")
            log_event(COMPONENT, message="notification", topic=topic_arn, subject=subject, outbox=str(self.outbox))
