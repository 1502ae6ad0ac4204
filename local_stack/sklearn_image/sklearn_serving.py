"""The scikit-learn image's glue between the user's hooks and sagemaker-containers: gunicorn's app.

Stands in for ``src/sagemaker_sklearn_container/serving.py`` of aws/sagemaker-scikit-learn-container,
which the 1.9-0 image installs from a wheel built in its CI and not published on PyPI. Written from
that file's behaviour, nothing more:
- on a worker's first request (``/ping`` included) it imports the user's module by name (the
  start-up pip-installed it), wraps its hooks in sagemaker-containers' ``Transformer``, where a hook
  is missing the image's default, and calls ``model_fn``; a failure there fails that request, and
  the next request tries again;
- it then serves ``/ping``, ``/invocations`` (and ``/execution-parameters`` if the module has
  ``execution_parameters_fn``) with sagemaker-containers' Flask ``Worker``.
Left out: multi-model endpoints (``SAGEMAKER_MULTI_MODEL``, served by Multi Model Server in the image).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import numpy as np
from sagemaker_containers.beta.framework import content_types, encoders, env, modules, transformer, worker


class UserError(Exception):
    """The user's module asks for something the image cannot do (its ``exceptions.UserError``)."""


def default_input_fn(input_data: Any, content_type: str) -> Any:
    """The image's default: sagemaker-containers' decoders, as float32 for JSON and CSV."""
    array = encoders.decode(input_data, content_type)
    return array.astype(np.float32) if content_type in content_types.UTF8_TYPES else array


def default_predict_fn(input_data: Any, model: Any) -> Any:
    return model.predict(input_data)


def default_output_fn(prediction: Any, accept: str) -> worker.Response:
    return worker.Response(encoders.encode(prediction, accept), mimetype=accept)


def user_module_transformer(user_module: ModuleType) -> transformer.Transformer:
    """The module's hooks, or the image's defaults for those it lacks (model_fn's default raises)."""
    model_fn = getattr(user_module, "model_fn", transformer.default_model_fn)
    input_fn = getattr(user_module, "input_fn", None)
    predict_fn = getattr(user_module, "predict_fn", None)
    output_fn = getattr(user_module, "output_fn", None)
    transform_fn = getattr(user_module, "transform_fn", None)
    if transform_fn is not None:
        if input_fn or predict_fn or output_fn:
            raise UserError("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn")
        return transformer.Transformer(model_fn=model_fn, transform_fn=transform_fn)
    return transformer.Transformer(
        model_fn=model_fn,
        input_fn=input_fn or default_input_fn,
        predict_fn=predict_fn or default_predict_fn,
        output_fn=output_fn or default_output_fn,
    )


def loaded_user_module(module_name: str, module_dir: str) -> tuple[transformer.Transformer, Callable[..., Any] | None]:
    """The user's module with its model loaded, and its execution_parameters_fn if it has one."""
    try:
        user_module = importlib.import_module(module_name)
    except ImportError:  # not installed at start-up: sagemaker-containers installs and imports it
        user_module = modules.import_module(module_dir, module_name)
    user_transformer = user_module_transformer(user_module)
    user_transformer.initialize()  # model_fn
    return user_transformer, getattr(user_module, "execution_parameters_fn", None)


app: worker.Worker | None = None


def main(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI app gunicorn serves (the image's SAGEMAKER_SERVING_MODULE, ``serving:main``)."""
    global app  # one app per worker process, made on its first request as in the image
    if app is None:
        serving_env = env.ServingEnv()
        user_transformer, execution_parameters_fn = loaded_user_module(serving_env.module_name, serving_env.module_dir)
        app = worker.Worker(
            transform_fn=user_transformer.transform,
            module_name=serving_env.module_name,
            execution_parameters_fn=execution_parameters_fn,
        )
    return app(environ, start_response)
