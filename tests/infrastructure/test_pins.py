"""Checked pins: every environment the Makefile creates is installed from a lock that pins each
package with its hashes, each lock holds what its requirements/*.txt asks for, and the emulator's
pinned SHA-256 is the one aws-sam-cli's own wheel records for it."""

from __future__ import annotations

import base64
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import ROOT

pytestmark = pytest.mark.infrastructure

REQUIREMENTS = ROOT / "requirements"
# Each lock and the requirements files it is resolved from (Makefile: LOCKS, and the mutation lock).
LOCK_INPUTS = {
    "constraints.txt": ["dev.txt"],
    "sam-constraints.txt": ["sam.txt"],
    "scan-constraints.txt": ["scan.txt"],
    "lambda-constraints.txt": ["lambda.txt"],
    "lock-constraints.txt": ["lock.txt"],
    "mutation-constraints.txt": ["dev.txt", "mutation.txt"],
    # The serving image's own lock, copied; `make lock` adds the hashes (serving-hashes).
    "serving-constraints.txt": ["serving.txt"],
}
# The marker file of each environment the Makefile creates (and the mutation extra).
ENVIRONMENTS = [
    ".venv/.installed",
    ".venv-sam/.installed",
    ".venv-scan/.installed",
    ".venv-lambda/.installed",
    ".venv-lock/.installed",
    ".venv/.mutation-installed",
    ".venv-serving/.installed",
]


def _entries(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """Each package in a lock: its pinned version and its hashes."""
    text = lock.read_text().replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line.split(" --hash=")[0])
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{lock.name}: {requirement} is not pinned exactly"
        entries[canonicalize_name(requirement.name)] = (
            specifier.version,
            re.findall(r"--hash=(sha256:[0-9a-f]{64})", line),
        )
    return entries


def _pins(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


@pytest.mark.parametrize("lock", list(LOCK_INPUTS))
def test_every_package_in_each_lock_is_pinned_with_hashes(lock):
    entries = _entries(REQUIREMENTS / lock)

    assert entries
    assert [name for name, (_, hashes) in entries.items() if not hashes] == []


@pytest.mark.parametrize(("lock", "inputs"), LOCK_INPUTS.items())
def test_each_lock_holds_the_pins_of_its_requirements(lock, inputs):
    locked = _entries(REQUIREMENTS / lock)

    for requirements in inputs:
        for name, version in _pins(REQUIREMENTS / requirements).items():
            assert locked.get(name, ("missing",))[0] == version, f"{requirements} pins {name}=={version}: make lock"


def test_the_mutation_extra_keeps_every_pin_of_the_test_environment():
    dev = _entries(REQUIREMENTS / "constraints.txt")
    mutation = _entries(REQUIREMENTS / "mutation-constraints.txt")

    assert {name: entry[0] for name, entry in mutation.items() if name in dev} == {n: e[0] for n, e in dev.items()}


@pytest.mark.parametrize("project", ["contract/pyproject.toml", "pyproject.toml"])
def test_the_projects_own_packages_build_with_the_locked_setuptools(project):
    build = tomllib.loads((ROOT / project).read_text())["build-system"]["requires"]
    locked = _entries(REQUIREMENTS / "constraints.txt")

    for requirement in map(Requirement, build):
        (specifier,) = requirement.specifier
        assert locked[canonicalize_name(requirement.name)][0] == specifier.version


def test_every_environment_is_installed_from_its_lock_with_required_hashes():
    # What make would run to build every environment from scratch (-B), without running it (-n).
    plan = subprocess.run(
        ["make", "-n", "-B", *ENVIRONMENTS], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    installs = [line for line in plan.splitlines() if " -m pip install " in line]

    installed_locks = set()
    for line in installs:
        if " -e ./contract -e ." in line:
            # The project's own code: no index, no dependencies, built by the lock's setuptools.
            assert "--no-deps" in line
            assert "--no-build-isolation" in line
            continue
        assert "--require-hashes" in line, line
        (lock,) = re.findall(r"-r requirements/(\S+)", line)
        installed_locks.add(lock)
        assert " -c " not in line
        assert "-r requirements/" in line
    assert installed_locks == set(LOCK_INPUTS)
    assert len(installs) == len(ENVIRONMENTS) + 1


def test_the_pinned_emulator_checksums_are_the_ones_aws_sam_clis_wheel_records():
    records = sorted(ROOT.glob(".venv-sam/lib/python3*/site-packages/aws_sam_cli-*.dist-info/RECORD"))
    if not records:
        pytest.skip("SKIPPED LOUDLY: aws-sam-cli is not installed in .venv-sam; `make test` installs it")
    recorded = {}
    for line in records[-1].read_text().splitlines():
        path, digest, _ = line.rsplit(",", 2)
        if path.startswith("samcli/local/rapid/aws-lambda-rie-"):
            algorithm, value = digest.split("=", 1)
            assert algorithm == "sha256"
            recorded[Path(path).name] = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
    pinned = {
        name: digest
        for digest, name in (
            line.split() for line in (REQUIREMENTS / "rie.sha256").read_text().splitlines() if line[:1].isalnum()
        )
    }

    assert recorded
    assert pinned == recorded
    version = records[-1].parent.name.removeprefix("aws_sam_cli-").removesuffix(".dist-info")
    assert f"aws-sam-cli=={version}" in (REQUIREMENTS / "rie.sha256").read_text()
