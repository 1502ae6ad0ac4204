"""The /predict Lambda function. Lambda imports it as ``predict`` (CodeUri functions/ is on its
path), and so does everything else: .venv installs this folder under the same name (pyproject.toml)."""
