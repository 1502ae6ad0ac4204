"""The serving container's start-up, as the scikit-learn image runs it: its ``serve`` command.

    python serve.py --bind unix:PATH [--isolate-network]

Runs on the image's Python, in the container's environment (``local_stack/serving_image.py`` sets
both). Stands in for:
- the image's ``serve`` entry point (``serving_entrypoint`` in sagemaker_sklearn_container/serving.py),
  which calls sagemaker-containers' ``_server.start(env.ServingEnv().framework_module)``;
- that ``start``, less nginx. It installs the code folder with sagemaker-containers' own
  ``_modules.import_module`` (``pip install .`` of /opt/ml/code, and its requirements.txt if there
  is one), then runs gunicorn with start's command line: gevent workers, the image's timeout, worker
  count and worker connections. With nginx in front, start binds gunicorn to a Unix socket and nginx
  passes /ping, /invocations and /execution-parameters through to it; here the local SageMaker
  Runtime connects to that socket itself, so nginx, which only proxies, is left out. gunicorn
  replaces this process (start waits on it as a child instead), so the container is one process
  tree under the gunicorn master.
- ``EnableNetworkIsolation``: with ``--isolate-network``, the container first moves to a network
  namespace of its own with only a loopback interface, before anything of the user's runs.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import socket
import struct
import sys

# From <linux/sockios.h> and <net/if.h>: set an interface's flags; up and running.
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
IFF_RUNNING = 0x40


def isolate_network() -> None:
    """A network namespace of the process's own: no interface but loopback, which is brought up."""
    os.unshare(os.CLONE_NEWNET)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        # struct ifreq: the interface's name, then its flags in a 24-byte union.
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", IFF_UP | IFF_RUNNING))


def gunicorn_command(bind: str) -> list[str]:
    """Installs the user's code as the image does at every start, then gunicorn's command line."""
    from sagemaker_containers.beta.framework import env, modules

    serving_env = env.ServingEnv()
    if serving_env.module_name:
        modules.import_module(serving_env.module_dir, serving_env.module_name)
    workers = serving_env.model_server_workers
    return [
        *(sys.executable, "-m", "gunicorn"),
        *("--timeout", str(serving_env.model_server_timeout)),
        *("-k", "gevent"),
        *("--pythonpath", ",".join([*sys.path, env.code_dir])),
        *("-b", bind),
        *("--worker-connections", str(1000 * workers)),
        *("-w", str(workers)),
        *("--log-level", "info"),
        serving_env.framework_module,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bind", required=True, help="where gunicorn listens, e.g. unix:/path/gunicorn.sock")
    parser.add_argument("--isolate-network", action="store_true", help="no network but loopback (root, Linux)")
    args = parser.parse_args()
    if args.isolate_network:
        isolate_network()
    command = gunicorn_command(args.bind)
    os.execv(command[0], command)  # noqa: S606 - our own command line


if __name__ == "__main__":
    main()
