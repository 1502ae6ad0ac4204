"""Lambda execution environments without Docker, as `sam local` runs functions in its containers.

Each instance is the Lambda Runtime Interface Emulator (the ``aws-lambda-rie`` binary the
aws-sam-cli wheel ships, started with the flags SAM CLI gives it) running the Lambda runtime
interface client for Python (``awslambdaric``) on the function's handler, in its own process,
with the function's own environment, timeout and memory setting. Written by hand because SAM CLI
only runs the emulator inside Docker and no maintained library pools it.

What the emulator does and this module relies on (SAM CLI 1.170.0, awslambdaric 4.2.2):
- Init runs once per instance, on its first invocation; ``INIT REPORT`` is logged here.
- One invocation at a time per instance: a second concurrent one crashes the emulator
  (aws-lambda-runtime-interface-emulator#97), so each instance is checked out exclusively and
  a pool of instances serves concurrent callers, preferring warm ones, as Lambda does.
- A handler error comes back as 200 with ``errorType``/``errorMessage``; a timeout as 200 with
  ``Task timed out after N seconds`` (the runtime is killed and the next call starts cold); an
  init failure as 502. Every one of them is a ``FunctionError`` here.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from local_stack import settings, telemetry
from local_stack.cloudformation import FunctionSpec
from local_stack.http_server import free_port, log_event
from local_stack.lifetime import popen_tied
from project import LAMBDA_PYTHON, ROOT, SAM_ENVIRONMENT

SAM_SITE_PACKAGES = SAM_ENVIRONMENT / "lib"
# The emulator builds' SHA-256, pinned by `make lock` for the aws-sam-cli that requirements/sam.txt pins.
EMULATOR_CHECKSUMS = ROOT / "requirements" / "rie.sha256"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
COMPONENT = "local-lambda"
RIE_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
READY_SECONDS = 10.0
RAPID_LINE = re.compile(r"\(rapid\) (?P<message>.*)$")
INIT_REPORT = re.compile(r"INIT REPORT\(durationMs: (?P<ms>[\d.]+)\)")
TIMED_OUT = b"Task timed out after"


class UnverifiedEmulator(RuntimeError):
    """The emulator binary is not the one requirements/rie.sha256 pins: it is never run."""


class FunctionError(Exception):
    """The function did not produce a result: it raised, timed out, or failed to initialise."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type


def emulator_binary() -> Path:
    """The emulator build for this machine, from SAM CLI's wheel; ValueError says why there is none."""
    if platform.system() != "Linux":
        raise ValueError(f"the Runtime Interface Emulator runs on Linux, not {platform.system()}")
    architecture = RIE_ARCHITECTURES.get(platform.machine().lower())
    if architecture is None:
        raise ValueError(f"no Runtime Interface Emulator build for {platform.machine()}")
    found = sorted(SAM_SITE_PACKAGES.glob(f"python3*/site-packages/samcli/local/rapid/aws-lambda-rie-{architecture}"))
    if not found:
        raise ValueError("SAM CLI is not installed in .venv-sam (make sam-cli)")
    if not LAMBDA_PYTHON.exists():
        raise ValueError("the function's runtime is not installed in .venv-lambda (make run installs it)")
    return verified_emulator_binary(found[-1])


@functools.cache
def verified_emulator_binary(binary: Path) -> Path:
    """The binary, once its SHA-256 is the one pinned for it; UnverifiedEmulator otherwise."""
    pinned = {
        name: digest
        for digest, name in (line.split() for line in EMULATOR_CHECKSUMS.read_text().splitlines() if line[:1].isalnum())
    }
    actual = hashlib.sha256(binary.read_bytes()).hexdigest()
    if pinned.get(binary.name) != actual:
        raise UnverifiedEmulator(
            f"{binary} has SHA-256 {actual}, not the {pinned.get(binary.name, 'no checksum')} pinned in "
            f"{EMULATOR_CHECKSUMS.relative_to(ROOT)}: reinstall SAM CLI (rm -r .venv-sam; make sam-cli), "
            "or after changing aws-sam-cli run make lock"
        )
    return binary


@dataclass
class Instance:
    """One execution environment: an emulator process, which starts the runtime when first invoked."""

    function: FunctionSpec
    index: int
    command: list[str]
    environment: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    connection: http.client.HTTPConnection | None = None
    invocations: int = 0
    busy: bool = False
    log_stream: str = ""  # Lambda's stream per execution environment: yyyy/mm/dd/[$LATEST]<id>
    _readers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.log_stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
        self.port = free_port(settings.DEFAULT_HOST)
        command = [
            *self.command[:1],
            *("--runtime-interface-emulator-address", f"{settings.DEFAULT_HOST}:{self.port}"),
            *("--runtime-api-address", f"{settings.DEFAULT_HOST}:{free_port(settings.DEFAULT_HOST)}"),
            *self.command[1:],
        ]
        self.process = popen_tied(  # ends with the stack, however the stack ends
            command,
            cwd=self.function.code_uri.resolve(),
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own session, so stop() finds the runtime process too
        )
        streams = [self.process.stdout, self.process.stderr]
        self._readers = [
            threading.Thread(target=self._forward, args=(stream,), daemon=True) for stream in streams if stream
        ]
        for reader in self._readers:
            reader.start()
        self.invocations = 0
        self._wait_until_listening()

    def invoke(self, payload: bytes) -> tuple[int, bytes]:
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self.start()
        if self.connection is None:
            # Read timeout above the function's: the emulator answers a timed-out call itself.
            timeout = self.function.timeout_seconds + 5
            self.connection = http.client.HTTPConnection(settings.DEFAULT_HOST, self.port, timeout=timeout)
        try:
            self.connection.request("POST", INVOKE_PATH, body=payload, headers={"Content-Type": "application/json"})
            answer = self.connection.getresponse()
            body = answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.stop()  # the emulator died or hung: a fresh one takes the next invocation
            raise FunctionError("Runtime.Unavailable", repr(error)) from error
        self.invocations += 1
        return answer.status, body

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is None:
            return
        session = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(session, signal.SIGTERM)
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(session, signal.SIGKILL)
            self.process.wait()
        # The runtime has a process group of its own inside the emulator's session.
        for pid in _session_members(session):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for reader in self._readers:
            reader.join(timeout=1)
        self.process = None

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the Runtime Interface Emulator exited with {self.process.returncode}")
            with contextlib.suppress(OSError), socket.create_connection((settings.DEFAULT_HOST, self.port), 0.2):
                return
            time.sleep(0.02)
        raise RuntimeError(f"the Runtime Interface Emulator did not listen on port {self.port}")

    def _forward(self, stream: IO[bytes]) -> None:
        """The function's output as it is (like `sam local`), the emulator's own lines only for init."""
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip()
            rapid = RAPID_LINE.search(line)
            if rapid is None:
                print(line, file=sys.stderr, flush=True)
                telemetry.write_log(self.function.log_group, self.log_stream, line)
                continue
            init = INIT_REPORT.search(rapid.group("message"))
            if init:
                log_event(
                    COMPONENT,
                    function=self.function.logical_id,
                    instance=self.index,
                    phase="init",
                    init_ms=float(init.group("ms")),
                )
        stream.close()


def _session_members(session: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            after_name = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(after_name[3]) == session:
                members.append(int(entry.name))
    return members


def function_environment(function: FunctionSpec, overrides: Mapping[str, str]) -> dict[str, str]:
    """What Lambda sets, then the template's variables with the local values, as `sam local` does.

    Like SAM CLI, only variables the template declares are overridden; nothing of this process's
    environment (credentials, virtual environment) reaches the function.
    """
    declared = {name: overrides.get(name, function.environment.get(name, "")) for name in function.declared_environment}
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": "/tmp",  # noqa: S108 - Lambda's writable folder
        "LAMBDA_TASK_ROOT": str(function.code_uri.resolve()),
        # The task root, and the model contract where `sam build` would install it.
        "PYTHONPATH": os.pathsep.join(str(path) for path in (function.code_uri.resolve(), ROOT / "contract")),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout_seconds),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.logical_id}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "$LATEST",
        "AWS_REGION": settings.REGION,
        "AWS_DEFAULT_REGION": settings.REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        # What SAM CLI sets in its containers; Powertools then leaves X-Ray alone (no daemon here).
        "AWS_SAM_LOCAL": "true",
        **declared,
    }


class EmulatedFunction:
    """A function's pool of instances: a caller takes an idle one, a warm one first."""

    def __init__(self, function: FunctionSpec, instances: int, environment: Mapping[str, str]) -> None:
        binary = emulator_binary()
        command = [str(binary), "--log-level", "info", str(LAMBDA_PYTHON), "-m", "awslambdaric", function.handler]
        self.function = function
        self.instances = [
            Instance(function, index, command, function_environment(function, environment))
            for index in range(instances)
        ]
        self._idle = threading.Condition()

    def start(self) -> None:
        for instance in self.instances:
            instance.start()

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()

    def invoke(self, event: dict[str, Any]) -> Any:
        instance = self._take()
        try:
            status, body = instance.invoke(json.dumps(event).encode())
        finally:
            self._give_back(instance)
        return _result(status, body)

    def _take(self) -> Instance:
        with self._idle:
            while True:
                idle = [instance for instance in self.instances if not instance.busy]
                if idle:
                    # A warm instance if there is one, as Lambda reuses warm environments.
                    instance = max(idle, key=lambda candidate: candidate.invocations)
                    instance.busy = True
                    return instance
                self._idle.wait()

    def _give_back(self, instance: Instance) -> None:
        with self._idle:
            instance.busy = False
            self._idle.notify()


def _result(status: int, body: bytes) -> Any:
    if status == http.client.OK and body.startswith(TIMED_OUT):
        raise FunctionError("Sandbox.Timedout", body.decode("utf-8", errors="replace"))
    try:
        document = json.loads(body) if body else None
    except ValueError as error:
        raise FunctionError("Runtime.InvalidResponse", body[:200].decode("utf-8", errors="replace")) from error
    if isinstance(document, dict) and {"errorType", "errorMessage"} <= document.keys():
        raise FunctionError(str(document["errorType"]), str(document["errorMessage"]))
    if status != http.client.OK:
        raise FunctionError("Runtime.Failure", f"status {status}")
    return document


@dataclass
class EmulatedFunctions:
    """Every function of the template in its own pool of emulated execution environments."""

    functions: Mapping[str, FunctionSpec]
    environment: Mapping[str, str]
    instances: int = 2
    pools: dict[str, EmulatedFunction] = field(default_factory=dict)

    def __enter__(self) -> EmulatedFunctions:
        try:
            for name, function in self.functions.items():
                self.pools[name] = EmulatedFunction(function, self.instances, self.environment)
                self.pools[name].start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for pool in self.pools.values():
            pool.stop()

    def invoke(self, function_name: str, event: dict[str, Any]) -> Any:
        return self.pools[function_name].invoke(event)
