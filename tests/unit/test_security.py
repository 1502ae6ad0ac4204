"""Security properties as tests: no unpickling when serving, limits before work, no internals out."""

from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from local_stack.sagemaker_container import ServingContainer
from predict import parsing
from serving import inference
from tests.helpers import call, predict_event

UNSAFE_MODULES = {"pickle", "cPickle", "joblib", "dill", "cloudpickle", "marshal", "shelve", "sklearn"}


def test_the_serving_code_imports_nothing_that_unpickles():
    tree = ast.parse(Path(inference.__file__).read_text())

    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & UNSAFE_MODULES


def test_every_array_load_in_the_serving_code_forbids_pickle():
    tree = ast.parse(Path(inference.__file__).read_text())
    loads = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "load"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "np"
    ]

    assert loads, "inference.py loads its arrays with np.load"
    for call_node in loads:
        keywords = {keyword.arg: keyword.value for keyword in call_node.keywords}
        assert isinstance(keywords.get("allow_pickle"), ast.Constant)
        assert keywords["allow_pickle"].value is False


def test_serving_works_with_unpickling_made_impossible(model_artifact, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the serving path tried to unpickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)

    container = ServingContainer(model_artifact)
    try:
        result = container.invoke(b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}', "application/json", "application/json")
    finally:
        container.close()

    assert json.loads(result.body)["predictions"] == [0]


def test_a_pickled_forest_is_refused(model_dir, tmp_path):
    (tmp_path / inference.METADATA_FILE).write_bytes((model_dir / inference.METADATA_FILE).read_bytes())
    with np.load(model_dir / inference.FOREST_FILE, allow_pickle=False) as arrays:
        forest = {name: arrays[name] for name in arrays.files}
    forest["rows"] = np.array([object()] * len(forest["rows"]), dtype=object)
    np.savez(tmp_path / inference.FOREST_FILE, **forest)

    with pytest.raises(ValueError, match="allow_pickle"):
        inference.model_fn(str(tmp_path))


def test_an_over_size_body_is_refused_before_it_is_parsed(monkeypatch, raising_client):
    class MustNotParse:
        JSONDecodeError = json.JSONDecodeError

        @staticmethod
        def loads(*_args, **_kwargs):
            raise AssertionError("parsed a body over the limit")

    # Only the parsing module's view of json: the rest of the process still parses normally.
    monkeypatch.setattr(parsing, "json", MustNotParse)
    client = raising_client(AssertionError("called the endpoint"))

    answer = call(predict_event(b"[" * (parsing.MAX_BODY_BYTES + 1)))

    assert answer.status == 413
    assert client.calls == 0


def test_an_over_size_batch_never_reaches_the_endpoint(raising_client):
    # 20,000 rows in well under the body limit: refused for the row count (README: 10,000).
    client = raising_client(AssertionError("called the endpoint"))
    rows = [[5, 3, 1, 0]] * 20_000

    answer = call(predict_event(json.dumps({"instances": rows})))

    assert answer.status == 422
    assert answer.body["errors"] == [{"location": "instances", "message": "expected 1 to 10000 rows, got 20000"}]
    assert client.calls == 0
