"""HTTP plumbing shared by the local services: a WSGI app on Werkzeug's threaded server, and JSON log lines."""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# How an AWS request signed with Signature Version 4 starts its Authorization header.
SIGV4_PREFIX = "AWS4-HMAC-SHA256"


class KeepAliveRequestHandler(WSGIRequestHandler):
    # HTTP/1.1 so that botocore and other pooled clients reuse connections, as they do against AWS.
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Access lines come from the apps' own structured logs instead."""


def build_server(app: Any, host: str, port: int) -> BaseWSGIServer:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return make_server(host, port, app, threaded=True, request_handler=KeepAliveRequestHandler)


@contextmanager
def serve_in_background(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[BaseWSGIServer]:
    """Serve ``app`` until the block ends; ``port=0`` picks a free port (read it from ``server.port``)."""
    server = build_server(app, host, port)
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{server.port}", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a process that must be told its port before it starts."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def base_url(server: BaseWSGIServer) -> str:
    return f"http://{server.host}:{server.port}"


def log_event(component: str, **fields: Any) -> None:
    """One JSON line per event on stderr, the shape CloudWatch Logs Insights queries well."""
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "component": component, **fields}
    # One write per line: print's two (text, then newline) interleave between threads.
    sys.stderr.write(json.dumps(record, default=str) + "\n")
    sys.stderr.flush()


def log_access(
    component: str, request: Request, response: Response, request_id: str, started: float, **fields: Any
) -> None:
    """A service's access line for one request: what was asked, the status, how long since ``started``
    (a time.perf_counter() reading), and the service's own ``fields``."""
    log_event(
        component,
        request_id=request_id,
        method=request.method,
        path=request.path,
        **fields,
        status=response.status_code,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )
