"""The Lambda side of the local stack: the ``context`` object, and functions run in this process.

``InProcessFunctions`` loads each function's handler the way the Lambda runtime does (the code
folder on ``sys.path``, the module imported by the handler string) and calls it with a context
whose remaining time counts down from the function's timeout.
"""

from __future__ import annotations

import importlib
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_stack import settings
from local_stack.cloudformation import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as ``context``, with the remaining time counting down."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{settings.REGION}:{settings.ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))

    @classmethod
    def for_function(cls, function: FunctionSpec) -> LambdaContext:
        return cls(function.logical_id, function.memory_mb, function.timeout_seconds)


def load_handler(function: FunctionSpec) -> Handler:
    code_dir = str(function.code_uri.resolve())
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    module_name, handler_name = function.handler.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), handler_name)


@dataclass
class InProcessFunctions:
    """Invokes functions in this process: they share its environment and module state."""

    functions: Mapping[str, FunctionSpec]
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.handlers = {name: load_handler(function) for name, function in self.functions.items()}

    def invoke(self, function_name: str, event: dict[str, Any]) -> Any:
        return self.handlers[function_name](event, LambdaContext.for_function(self.functions[function_name]))
