"""The local endpoint's production variants, each served by the scikit-learn image's own serving code.

A variant's container is started as SageMaker starts the image: model.tar.gz unpacked into its
/opt/ml/model, the image's environment (its Dockerfile's ``ENV`` lines) plus the model's (template.yaml's
``PrimaryContainer.Environment``), and the image's ``serve`` start-up (``sklearn_image/serve.py``): the
offline ``pip install`` of the code folder, then gunicorn with gevent workers serving sagemaker-containers'
Flask worker through the image's glue (``sklearn_image/sklearn_serving.py``). It runs on the image's
Python with its pinned packages (.venv-serving, ``make run`` installs it), and, as
``EnableNetworkIsolation`` has it, with no network but loopback where this machine allows (Linux, root).

What is local, and why:
- /opt/ml is a temporary folder per container (``SAGEMAKER_BASE_DIR``, which sagemaker-containers
  reads for it; the template's /opt/ml paths are mapped there), and the Python environment is a
  per-container layer over .venv-serving, so that each container's start-up install of its own
  ``inference`` module stays its own, as in separate containers.
- nginx is left out: it only passes /ping and /invocations through to gunicorn's Unix socket, and
  the local SageMaker Runtime connects to that socket itself, with a new connection per request as
  nginx does (its upstream has no keep-alive). Where nginx would answer by itself (gunicorn
  unreachable, or slower than ``proxy_read_timeout``), this answers 502 or 504 in its place.
- The container's output is the endpoint's log: each line goes to this process's stderr as a JSON
  event naming the log group and stream, and the last lines are kept for error messages.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import http.client
import importlib.metadata
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from local_stack import settings, telemetry
from local_stack.cloudformation import model_container_environment
from local_stack.http_server import log_event
from local_stack.lifetime import popen_tied
from local_stack.sagemaker_container import CONTAINER_MODEL_DIR, InvocationResult, ServingContainer
from local_stack.sagemaker_runtime import COMPONENT, log_group, log_stream
from model_training import artifact as model_artifact
from project import SERVING_ENVIRONMENT, SERVING_PYTHON

SITE = "lib/python3*/site-packages"
SERVE = Path(__file__).with_name("sklearn_image") / "serve.py"
CONTAINER_ML_DIR = str(Path(CONTAINER_MODEL_DIR).parent)
# The 1.9-0 image's ENV lines (aws/deep-learning-containers, docker/sklearn/1.9-0/Dockerfile), with
# its serving module replaced by the glue written from the image's (see sklearn_image/).
IMAGE_ENVIRONMENT = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "SAGEMAKER_SERVING_MODULE": "sklearn_serving:main",  # the image's: sagemaker_sklearn_container.serving:main
}
# How long a container may take to install its code and answer its first /ping, which loads the model.
START_SECONDS = 120.0
# SageMaker's own timeout for each health check.
PING_TIMEOUT_SECONDS = 2.0
# sagemaker-containers' default SAGEMAKER_MODEL_SERVER_TIMEOUT, which the image's nginx also waits.
MODEL_SERVER_TIMEOUT_SECONDS = 60.0
LOG_TAIL_LINES = 200
# How long the log must have been quiet before an error quotes it: the lines of a failure arrive
# after its HTTP answer, on their own thread.
LOG_SETTLE_SECONDS = 0.3


class UnhealthyContainer(RuntimeError):
    """The container exited, or did not answer GET /ping with 200, so the endpoint cannot go in service."""


class Container(Protocol):
    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult: ...

    def close(self) -> None: ...


# Starts one variant's container: (endpoint name, variant name, model.tar.gz).
ContainerStarter = Callable[[str, str, Path], Container]


@dataclass(frozen=True)
class ModelServing:
    """How the local endpoint runs its variants' containers, and the start-up banner's words for it."""

    start: ContainerStarter
    described: str


def image_unavailable() -> str | None:
    """Why the image's serving code cannot run here, or None when it can."""
    if not (SERVING_ENVIRONMENT / ".installed").exists():
        return "the image's serving stack is not installed in .venv-serving (make run installs it, with Python 3.12)"
    return None


@functools.cache
def network_isolation_unavailable() -> str | None:
    """Why containers cannot get a network of their own here (that needs Linux and root), or None."""
    probe = subprocess.run(  # noqa: S603 - our own interpreter
        [str(SERVING_PYTHON), "-c", "import os; os.unshare(os.CLONE_NEWNET)"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return None
    reason = probe.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
    return f"no network namespace for the container: {reason[0]}"


def container_environment(directory: Path, ml_dir: Path) -> dict[str, str]:
    """What the container's processes see: the image's environment, then the model's from the template."""
    model: dict[str, str] = {}
    for name, value in model_container_environment().items():
        if value == {"Ref": "AWS::Region"}:
            value = settings.REGION
        if not isinstance(value, str):
            raise ValueError(f"the local endpoint cannot resolve the model environment's {name}: {value}")
        model[name] = value.replace(CONTAINER_ML_DIR, str(ml_dir), 1) if value.startswith(CONTAINER_ML_DIR) else value
    return {
        "PATH": f"{directory / 'env' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(directory / "home"),
        "TEMP": str(directory / "tmp"),  # the image's: /home/model-server/tmp
        "SM_MODEL_DIR": str(ml_dir / "model"),
        "SAGEMAKER_BASE_DIR": str(ml_dir),
        # The image has no pip configuration; this machine's must not apply inside it.
        "PIP_CONFIG_FILE": os.devnull,
        **IMAGE_ENVIRONMENT,
        **model,
    }


def layered_environment(target: Path) -> None:
    """A Python environment of the container's own, seeing .venv-serving's packages beneath its own."""
    subprocess.run([str(SERVING_PYTHON), "-m", "venv", "--without-pip", str(target)], check=True)  # noqa: S603
    (shared,) = SERVING_ENVIRONMENT.glob(SITE)
    (own,) = target.glob(SITE)
    # addsitedir also runs the .pth files there, such as setuptools' distutils shim the image relies on.
    (own / "serving-image.pth").write_text(f"import site; site.addsitedir({str(shared)!r})\n")


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.socket_path))


class ImageContainer:
    """One production variant's container, healthy (its /ping answered 200) once constructed."""

    def __init__(self, endpoint_name: str, variant: str, artifact: Path, isolate_network: bool) -> None:
        self.log_group = log_group(endpoint_name)
        self.log_stream = log_stream(variant)
        self.log_tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self._last_line_at = time.monotonic()
        self.directory = Path(tempfile.mkdtemp(prefix=f"iris-{variant}-"))
        self.socket_path = self.directory / "gunicorn.sock"
        self.process: subprocess.Popen[bytes] | None = None
        try:
            ml_dir = self.directory / "opt" / "ml"
            model_artifact.unpack(artifact, ml_dir / "model")
            for folder in ("home", "tmp"):
                (self.directory / folder).mkdir()
            layered_environment(self.directory / "env")
            command = [str(self.directory / "env" / "bin" / "python"), str(SERVE), "--bind", f"unix:{self.socket_path}"]
            self.process = popen_tied(
                [*command, "--isolate-network"] if isolate_network else command,
                cwd=self.directory,
                env=container_environment(self.directory, ml_dir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own: stop() ends gunicorn and its workers
            )
            assert self.process.stdout is not None
            self._reader = threading.Thread(target=self._forward, args=(self.process.stdout,), daemon=True)
            self._reader.start()
            self._wait_until_healthy()
        except BaseException:
            self.close()
            raise

    def invoke(self, body: bytes, content_type: str, accept: str) -> InvocationResult:
        """POST /invocations with the request's Content-Type and Accept (left out when the caller sent none)."""
        headers = {name: value for name, value in (("Content-Type", content_type), ("Accept", accept)) if value}
        try:
            status, response_type, answer = self._request("POST", "/invocations", body, headers)
        except TimeoutError:
            return InvocationResult(b"504 Gateway Time-out", "text/plain", 504)
        except (OSError, http.client.HTTPException) as error:
            return InvocationResult(f"502 Bad Gateway: {error!r}".encode(), "text/plain", 502)
        return InvocationResult(answer, response_type, status)

    def ping(self, timeout: float = PING_TIMEOUT_SECONDS) -> tuple[int, bytes]:
        status, _, body = self._request("GET", "/ping", b"", {}, timeout)
        return status, body

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            # The workers leave after their master; whatever of the group is left goes now.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self._reader.join(timeout=2)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _request(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: dict[str, str],
        timeout: float = MODEL_SERVER_TIMEOUT_SECONDS,
    ) -> tuple[int, str, bytes]:
        connection = _UnixHTTPConnection(self.socket_path, timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read()
        finally:
            connection.close()

    def _wait_until_healthy(self) -> None:
        """As SageMaker does before it puts a variant in service: GET /ping until it answers."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UnhealthyContainer(self._failure(f"exited with {self.process.returncode} before it was healthy"))
            if self.socket_path.exists():
                try:
                    status, _ = self.ping()
                except (OSError, http.client.HTTPException):
                    pass  # gunicorn is starting, or a worker is still loading the model
                else:
                    if status != http.client.OK:
                        raise UnhealthyContainer(self._failure(f"failed its health check: GET /ping answered {status}"))
                    return
            time.sleep(0.05)
        raise UnhealthyContainer(self._failure(f"did not answer GET /ping within {START_SECONDS:.0f} s"))

    def _failure(self, what: str) -> str:
        deadline = time.monotonic() + 10 * LOG_SETTLE_SECONDS
        while time.monotonic() - self._last_line_at < LOG_SETTLE_SECONDS and time.monotonic() < deadline:
            time.sleep(LOG_SETTLE_SECONDS / 6)
        tail = "\n".join(list(self.log_tail)[-30:])
        return f"the container of {self.log_stream} in {self.log_group} {what}; its last log lines:\n{tail}"

    def _forward(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip()
            self.log_tail.append(line)
            self._last_line_at = time.monotonic()
            log_event(COMPONENT, log_group=self.log_group, log_stream=self.log_stream, message=line)
            telemetry.write_log(self.log_group, self.log_stream, line)
        stream.close()


def _serving_stack_versions() -> str:
    found = {
        distribution.metadata["Name"].lower().replace("_", "-"): distribution.version
        for distribution in importlib.metadata.distributions(path=list(map(str, SERVING_ENVIRONMENT.glob(SITE))))
    }
    return f"sagemaker-containers {found.get('sagemaker-containers', '?')}, gunicorn {found.get('gunicorn', '?')}"


def _serving_python_version() -> str:
    configuration = (SERVING_ENVIRONMENT / "pyvenv.cfg").read_text()
    found = re.search(r"^version(?:_info)? = (\S+)", configuration, re.MULTILINE)
    return f"Python {found.group(1) if found else '3'}"


def choose_serving(image: bool | None = None) -> ModelServing:
    """How the local endpoint serves its variants, and the banner's words for it: the image's
    code where it can run (``image=None``) or as asked, else today's in-process serving."""
    reason = "as asked" if image is False else image_unavailable()
    if reason is None:
        isolation = network_isolation_unavailable()
        python = _serving_python_version()
        described = (
            f"the scikit-learn image's serving code ({_serving_stack_versions()} with gevent workers, {python}), "
            + ("network-isolated" if isolation is None else f"not network-isolated ({isolation})")
        )
        return ModelServing(functools.partial(ImageContainer, isolate_network=isolation is None), described)
    if image:
        raise ValueError(f"the image's serving code cannot run: {reason}")
    return ModelServing(_in_process, f"in this process ({reason})")


def _in_process(endpoint_name: str, variant: str, artifact: Path) -> Container:
    return ServingContainer(artifact)
