"""model.tar.gz: where it is built, what it holds, and how it is packed and unpacked.

The one owner of the artifact's path and layout. Training builds it with ``build``; the local
container, the tests and the benchmarks open it with ``unpack``; the tools publish ``PATH``.

Layout, as the SageMaker scikit-learn container serves it: the model files at the root and the
serving code under ``code/``, so the template sets ``SAGEMAKER_PROGRAM=inference.py`` and
``SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code``. There is deliberately no
``code/requirements.txt``: the container pip-installs it at start-up, which fails on endpoints
without internet access. The names inside come from ``inference.py``, the code that reads them.

The same inputs give the same bytes: sorted entries, mtime 0, root-owned, fixed modes, and a gzip
header without name or time. The model version is the hash of every served file except the
metadata that records it (a file cannot contain its own hash).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from project import BUILD
from serving import inference

# The challenger is a second model to serve next to the first one (A/B) locally: `make challenger`,
# then `make run-ab`.
PATH = BUILD / "model" / "model.tar.gz"
CHALLENGER_PATH = BUILD / "challenger" / "model.tar.gz"
CODE_DIR = "code"
SERVING_PROGRAM = "inference.py"
SERVING_CODE = Path(inference.__file__)


@dataclass(frozen=True)
class Artifact:
    archive: bytes
    model_version: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.archive).hexdigest()


def build(forest_npz: bytes, metadata: Mapping[str, object]) -> Artifact:
    """The artifact serving this forest, with the metadata plus what the serving code checks."""
    payload = {
        inference.FOREST_FILE: forest_npz,
        f"{CODE_DIR}/{SERVING_PROGRAM}": SERVING_CODE.read_bytes(),
    }
    version = model_version(payload)
    recorded = {
        **metadata,
        "model_version": version,
        "forest_format": inference.FOREST_FORMAT,
        "forest_file": inference.FOREST_FILE,
    }
    metadata_json = (json.dumps(recorded, indent=2, sort_keys=True) + "\n").encode()
    return Artifact(deterministic_tar_gz({**payload, inference.METADATA_FILE: metadata_json}), version)


def unpack(archive: Path, model_dir: Path) -> Path:
    """Unpacks into ``model_dir`` as the container does into /opt/ml/model, and returns it."""
    with tarfile.open(archive, "r:gz") as tar:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        tar.extractall(model_dir, filter="data")
    return model_dir


def model_version(payload: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(payload):
        digest.update(name.encode() + b"\0" + hashlib.sha256(payload[name]).digest())
    return digest.hexdigest()


def deterministic_tar_gz(files: Mapping[str, bytes]) -> bytes:
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in sorted({name.rsplit("/", 1)[0] for name in files if "/" in name}):
            tar.addfile(_entry(directory, tarfile.DIRTYPE, 0o755, 0))
        for name in sorted(files):
            tar.addfile(_entry(name, tarfile.REGTYPE, 0o644, len(files[name])), io.BytesIO(files[name]))
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
