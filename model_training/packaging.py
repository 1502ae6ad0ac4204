"""A byte-identical model.tar.gz from the same inputs, laid out as the scikit-learn container serves it.

Layout: the model files at the root and the serving code under ``code/``, so the template can set
``SAGEMAKER_PROGRAM=inference.py`` and ``SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code``.
There is deliberately no ``code/requirements.txt``: the container pip-installs it at start-up,
which fails on endpoints without internet access.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from pathlib import Path

from model_training import inference

CODE_DIR = "code"
SERVING_PROGRAM = "inference.py"
SERVING_CODE = Path(inference.__file__)
ARCHIVE_NAME = "model.tar.gz"


def model_version(payload: Mapping[str, bytes]) -> str:
    """The hash of every file the model serves from, except the metadata that records it."""
    digest = hashlib.sha256()
    for name in sorted(payload):
        digest.update(name.encode() + b"\0" + hashlib.sha256(payload[name]).digest())
    return digest.hexdigest()


def serving_payload(forest_npz: bytes) -> dict[str, bytes]:
    return {
        inference.FOREST_FILE: forest_npz,
        f"{CODE_DIR}/{SERVING_PROGRAM}": SERVING_CODE.read_bytes(),
    }


def metadata_bytes(metadata: Mapping[str, object]) -> bytes:
    return (json.dumps(metadata, indent=2, sort_keys=True) + "\n").encode()


def deterministic_tar_gz(files: Mapping[str, bytes]) -> bytes:
    """Sorted entries, mtime 0, root-owned, fixed modes, and a gzip header without name or time."""
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for directory in sorted({name.rsplit("/", 1)[0] for name in files if "/" in name}):
            archive.addfile(_entry(directory, tarfile.DIRTYPE, 0o755, 0))
        for name in sorted(files):
            archive.addfile(_entry(name, tarfile.REGTYPE, 0o644, len(files[name])), io.BytesIO(files[name]))
    gz_buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz_buffer, compresslevel=9, mtime=0) as gz:
        gz.write(tar_buffer.getvalue())
    return gz_buffer.getvalue()


def _entry(name: str, kind: bytes, mode: int, size: int) -> tarfile.TarInfo:
    entry = tarfile.TarInfo(name)
    entry.type = kind
    entry.mode = mode
    entry.size = size
    entry.mtime = 0
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = "root"
    return entry
