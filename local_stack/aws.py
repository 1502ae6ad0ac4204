"""One local address for every AWS API the operator guide uses, as LocalStack's port 4566 is:

    export AWS_ENDPOINT_URL=http://127.0.0.1:4566

and the guide's boto3 and AWS CLI commands run unmodified against the local stack.

A request goes where the service in its SigV4 credential scope says, as moto's own server routes
it (moto's ``DomainDispatcherApplication``): SageMaker (its control plane), S3, CloudWatch, CloudWatch
Logs, Application Auto Scaling, SNS and STS are moto's. Two kinds of request are this project's own:
- ``InvokeEndpoint`` (``POST /endpoints/<name>/invocations``, signed for ``sagemaker`` like the
  control plane) goes to the local SageMaker Runtime, which runs the model;
- ``CreateEndpoint``, ``UpdateEndpoint`` and ``DeleteEndpoint`` go through the local control plane
  (``local_stack/control_plane.py``), which starts and stops the containers they describe.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request, Response

from local_stack import settings
from local_stack.control_plane import ControlPlane
from local_stack.sagemaker_runtime import SageMakerRuntime

INVOCATIONS_PATH_PREFIX = "/endpoints/"


class LocalAws:
    """A WSGI app: moto's services, with the runtime and the control plane in front of SageMaker's."""

    def __init__(self, runtime: SageMakerRuntime, control_plane: ControlPlane) -> None:
        self.runtime = runtime
        self.control_plane = control_plane
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(INVOCATIONS_PATH_PREFIX):
            return self.runtime(environ, start_response)
        # moto's header for the account a request acts in: the local stack's, whatever the credentials.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = settings.ACCOUNT
        request = Request(environ)
        if self.control_plane.handles(request):
            return self.control_plane.handle(request, self.through_moto)(environ, start_response)
        return self.moto(environ, start_response)

    def through_moto(self, request: Request) -> Response:
        """moto's answer to a request whose body has already been read."""
        environ = dict(request.environ)
        body = request.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return Response.from_app(self.moto, environ)
