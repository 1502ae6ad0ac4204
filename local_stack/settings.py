"""Defaults of the local stack, each overridable by an environment variable (see the README).

The function's own variables (ENDPOINT_NAME, ALLOWED_ORIGINS, SELECTABLE_VARIANTS) are the
function's settings module's to name and read; a local run takes them from this shell the way the
function reads them (``function_settings``).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path

from model_training import artifact
from predict.settings import Settings
from project import BUILD, ROOT

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ENDPOINT_PORT = 8080
DEFAULT_API_PORT = 3000  # what `sam local start-api` uses
DEFAULT_API_KEY = "local-api-key"
# Where the local services say they are, in ARNs and log stream names.
REGION = "us-east-1"
ACCOUNT = "000000000000"
# The stack's name in samconfig.toml, from which the template names its functions, logs and alarms.
STACK_NAME: str = tomllib.loads((ROOT / "samconfig.toml").read_text())["default"]["global"]["parameters"]["stack_name"]
DEFAULT_AWS_PORT = 4566  # LocalStack's port, which people already know: AWS_ENDPOINT_URL=http://127.0.0.1:4566


def aws_port() -> int:
    """The one address of every AWS API the operator guide uses (local_stack/aws.py)."""
    return int(os.environ.get("LOCAL_AWS_PORT", DEFAULT_AWS_PORT))


def time_scale() -> float:
    """How long the local control plane's waits and the local alarms' periods last, as a share of
    what the template says: with 0.05, a 300-second canary bake lasts 15 s, a 60-second alarm period 3 s."""
    scale = float(os.environ.get("LOCAL_TIME_SCALE", "0.05"))
    if not 0 < scale <= 1:
        raise ValueError(f"LOCAL_TIME_SCALE is {scale}: use a number in (0, 1]")
    return scale


def alarm_outbox() -> Path:
    """Where the alarms' SNS notifications land locally, one JSON line each."""
    return Path(os.environ.get("LOCAL_ALARM_OUTBOX", BUILD / "local-aws" / "alarm-notifications.jsonl"))


def function_name(logical_id: str) -> str:
    """A function's name as CloudFormation makes it: <stack>-<logical id>, without the random suffix."""
    return f"{STACK_NAME}-{logical_id}"


def host() -> str:
    return os.environ.get("LOCAL_HOST", DEFAULT_HOST)


def endpoint_port() -> int:
    return int(os.environ.get("LOCAL_ENDPOINT_PORT", DEFAULT_ENDPOINT_PORT))


def api_port() -> int:
    return int(os.environ.get("LOCAL_API_PORT", DEFAULT_API_PORT))


def function_settings() -> Settings:
    """The function's settings for a local run, read from this shell as the function reads its own
    (so, as in the template, callers choose no variant unless SELECTABLE_VARIANTS names some)."""
    return Settings.from_environment(os.environ)


def endpoint_name() -> str:
    """The endpoint the function calls, and the name the local endpoint answers to."""
    return function_settings().endpoint_name


def model_artifact() -> Path:
    return Path(os.environ.get("MODEL_ARTIFACT", artifact.PATH))


def challenger_artifact() -> Path:
    return Path(os.environ.get("CHALLENGER_ARTIFACT", artifact.CHALLENGER_PATH))


def variant_weight(variant: str, template_default: str) -> float:
    """PRIMARY_WEIGHT or CHALLENGER_WEIGHT, else the template's default for the variant."""
    return float(os.environ.get(f"{variant.upper()}_WEIGHT", template_default))


def data_capture_percent(template_default: str) -> int:
    return int(os.environ.get("DATA_CAPTURE_PERCENT", template_default))


def data_capture_dir() -> Path:
    """Stands for the capture bucket: files land under <dir>/<endpoint>/<variant>/yyyy/mm/dd/hh/."""
    return Path(os.environ.get("DATA_CAPTURE_DIR", BUILD / "data-capture"))


def auth_mode() -> str:
    """The template's AuthMode for the local API: NONE, API_KEY (LOCAL_API_KEY is the key) or IAM."""
    return os.environ.get("LOCAL_AUTH_MODE", "NONE")


def api_key() -> str:
    return os.environ.get("LOCAL_API_KEY", DEFAULT_API_KEY)


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to a network address


def network_refusal(address: str, auth_mode: str, key: str) -> str | None:
    """Why the stack must not listen on ``address``, or None. On a network address, a lock that only
    looks locked is worse than none: the default API key is in this README, and the local API checks
    that a SigV4 signature is there, not that it is valid. LOCAL_ALLOW_NETWORK=1 overrides."""
    if is_loopback(address) or os.environ.get("LOCAL_ALLOW_NETWORK") == "1":
        return None
    if auth_mode == "API_KEY" and key == DEFAULT_API_KEY:
        return (
            f"refusing to listen on {address} with the default API key, which anyone can read in the README: "
            "set LOCAL_API_KEY to a secret of your own, or LOCAL_ALLOW_NETWORK=1 to listen anyway"
        )
    if auth_mode == "IAM":
        return (
            f"refusing to listen on {address} in IAM mode: the local API checks that a request is signed, "
            "not that the signature is valid; set LOCAL_ALLOW_NETWORK=1 to listen anyway"
        )
    return None


def page_port() -> int:
    """Where make run serves the browser client (frontend/), on its own origin."""
    return int(os.environ.get("LOCAL_PAGE_PORT", 5173))


def lambda_instances() -> int:
    """Warm execution environments per function in the local Lambda emulator (concurrent callers)."""
    return int(os.environ.get("LAMBDA_INSTANCES", "3"))


def emulate_lambda() -> bool | None:
    """LOCAL_LAMBDA=emulator or in-process; unset: the emulator where this machine can run it."""
    choice = os.environ.get("LOCAL_LAMBDA", "")
    if choice not in ("", "emulator", "in-process"):
        raise ValueError(f"LOCAL_LAMBDA is {choice!r}: use emulator or in-process")
    return {"": None, "emulator": True, "in-process": False}[choice]


def serve_with_image() -> bool | None:
    """LOCAL_ENDPOINT_SERVING=image or in-process; unset: the serving image's code where it is installed."""
    choice = os.environ.get("LOCAL_ENDPOINT_SERVING", "")
    if choice not in ("", "image", "in-process"):
        raise ValueError(f"LOCAL_ENDPOINT_SERVING is {choice!r}: use image or in-process")
    return {"": None, "image": True, "in-process": False}[choice]
