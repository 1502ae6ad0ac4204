"""Where things are in this checkout: the one owner of the project root.

Every path a module opens is built from ``ROOT``, so code and tests work from any working
directory (``cd tests/unit && ../../.venv/bin/python -m pytest`` included). The facts about
what lives where stay with their owners (the template with ``local_stack.cloudformation``, the
model artifact with ``model_training.artifact``); this module only says where the checkout and
its environments are.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"
# The pinned environments the Makefile creates: SAM CLI (whose wheel ships the Lambda Runtime
# Interface Emulator), the function's runtime (awslambdaric and the layer's packages), and the
# scikit-learn serving image's web stack on the image's Python.
SAM_ENVIRONMENT = ROOT / ".venv-sam"
LAMBDA_ENVIRONMENT = ROOT / ".venv-lambda"
LAMBDA_PYTHON = LAMBDA_ENVIRONMENT / "bin" / "python"
SERVING_ENVIRONMENT = ROOT / ".venv-serving"
SERVING_PYTHON = SERVING_ENVIRONMENT / "bin" / "python"
