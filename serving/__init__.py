"""The serving hooks: what ships in model.tar.gz under code/ and the SageMaker scikit-learn
container runs (``inference.py``: model_fn, input_fn, predict_fn, output_fn). Nothing here trains;
``model_training/`` builds the artifact that carries this code. Python 3.9 and numpy only, as in
the oldest serving image the hooks support."""
