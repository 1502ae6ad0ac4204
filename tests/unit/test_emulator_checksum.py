"""The local stack runs the Runtime Interface Emulator only when its SHA-256 is the pinned one."""

from __future__ import annotations

import hashlib

import pytest

from local_stack import lambda_environments
from local_stack.lambda_environments import UnverifiedEmulator, verified_emulator_binary


@pytest.fixture
def pins(tmp_path, monkeypatch):
    """A checksum file in requirements/rie.sha256's layout, pinning one emulator build."""
    pinned = tmp_path / "aws-lambda-rie-arm64"
    pinned.write_bytes(b"\x7fELF the pinned emulator")
    sums = tmp_path / "rie.sha256"
    sums.write_text(
        "# SHA-256 of the Runtime Interface Emulator in the wheel of aws-sam-cli==1.170.0, by 'make lock'.\n"
        f"{hashlib.sha256(pinned.read_bytes()).hexdigest()}  aws-lambda-rie-arm64\n"
        f"{'0' * 64}  aws-lambda-rie-x86_64\n"
    )
    monkeypatch.setattr(lambda_environments, "EMULATOR_CHECKSUMS", sums)
    monkeypatch.setattr(lambda_environments, "ROOT", tmp_path)
    verified_emulator_binary.cache_clear()
    yield tmp_path
    verified_emulator_binary.cache_clear()


def test_the_pinned_build_is_run(pins):
    binary = pins / "aws-lambda-rie-arm64"

    assert verified_emulator_binary(binary) == binary


def test_a_changed_build_is_refused_naming_both_checksums(pins):
    binary = pins / "aws-lambda-rie-arm64"
    pinned = hashlib.sha256(binary.read_bytes()).hexdigest()
    binary.write_bytes(b"\x7fELF something else")

    with pytest.raises(UnverifiedEmulator) as refused:
        verified_emulator_binary(binary)

    assert hashlib.sha256(b"\x7fELF something else").hexdigest() in str(refused.value)
    assert pinned in str(refused.value)


def test_a_build_with_no_pin_is_refused(pins):
    binary = pins / "aws-lambda-rie-riscv64"
    binary.write_bytes(b"\x7fELF")

    with pytest.raises(UnverifiedEmulator, match="no checksum"):
        verified_emulator_binary(binary)


def test_the_other_architectures_pin_does_not_vouch_for_this_one(pins):
    # The x86_64 pin (zeros) is not this file's checksum, whatever the file's content.
    binary = pins / "aws-lambda-rie-x86_64"
    binary.write_bytes(b"\x7fELF the pinned emulator")

    with pytest.raises(UnverifiedEmulator):
        verified_emulator_binary(binary)
