"""The seal's key and certificate: read from files, refused when unusable, kept for a development broker."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker.certificates import Seal
from broker.certificates import SealUnusable


def test_a_development_seal_is_made_once_and_kept_private(tmp_path):
    folder = tmp_path / "instance" / "seal"

    made = Seal.kept_in(folder, "e-evidence broker (development seal)")
    again = Seal.kept_in(folder, "another name: the kept pair wins")

    assert again.certificate == made.certificate
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "seal-key.pem").stat().st_mode & 0o777 == 0o600
    assert made.subject == "CN=e-evidence broker (development seal)"
    assert [path.name for path in folder.parent.iterdir()] == ["seal"]  # no temporary folder left


def test_processes_starting_together_end_up_with_one_seal(tmp_path):
    folder, start = tmp_path / "seal", threading.Barrier(4)

    def first_request(_: int) -> bytes:
        start.wait()
        return Seal.kept_in(folder, "e-evidence broker (development seal)").certificate_pem

    with ThreadPoolExecutor(4) as pool:
        certificates = set(pool.map(first_request, range(4)))

    assert len(certificates) == 1
    assert [path.name for path in tmp_path.iterdir()] == ["seal"]


def test_a_key_that_viewers_cannot_check_is_refused():
    ed25519_pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    with pytest.raises(SealUnusable, match="must be an ECDSA P-256 key"):
        Seal.from_pem(ed25519_pem, Seal.generate("x").certificate_pem)


def test_a_certificate_of_another_key_is_refused():
    with pytest.raises(SealUnusable, match="names another key"):
        Seal.from_pem(Seal.generate("x").key_pem, Seal.generate("y").certificate_pem)


def test_an_expired_seal_says_when_it_was_valid():
    seal = Seal.generate("old seal", days=30, now=datetime(2024, 1, 1, tzinfo=UTC))

    seal.check_valid(datetime(2024, 1, 15, tzinfo=UTC))
    with pytest.raises(SealUnusable, match="valid from 2023-12-31 23:55:00"):
        seal.check_valid()
