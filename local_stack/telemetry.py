"""Where the local services send what AWS would record for them: metrics and log lines.

The request path (the local API Gateway, the function's runtime, the endpoint's containers)
reports here without knowing whether anything listens. Nothing does unless a local CloudWatch
records (``local_stack/cloudwatch.py``, started by the local AWS address): then each metric and
log line lands in its store, where ``aws cloudwatch`` and ``aws logs`` read it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str
    dimensions: dict[str, str] = field(default_factory=dict)


class Recorder(Protocol):
    def put_metrics(self, namespace: str, metrics: Sequence[Metric]) -> None: ...

    def write_log(self, group: str, stream: str, message: str) -> None: ...


_recorders: list[Recorder] = []
_lock = threading.Lock()


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Everything the local services report goes to ``recorder`` until the block ends."""
    with _lock:
        _recorders.append(recorder)
    try:
        yield recorder
    finally:
        with _lock:
            _recorders.remove(recorder)


def recording_now() -> bool:
    """Whether anything records: the services build their metrics and lines only then."""
    return bool(_recorders)


def put_metrics(namespace: str, metrics: Sequence[Metric]) -> None:
    for recorder in tuple(_recorders):
        recorder.put_metrics(namespace, metrics)


def write_log(group: str, stream: str, message: str) -> None:
    for recorder in tuple(_recorders):
        recorder.write_log(group, stream, message)
