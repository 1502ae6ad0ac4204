"""What runs inside the local endpoint's containers, on the serving image's Python (.venv-serving).

Nothing here is imported by the local stack itself: ``serve.py`` is the container's start-up and
``sklearn_serving.py`` the WSGI app its gunicorn workers serve. ``local_stack/serving_image.py``
starts them.
"""
