"""Round trips, tampering, key-file parsing and hashing for `broker.client.age`."""

import hashlib
import io
import os
import traceback
from pathlib import Path

import pytest
from pyrage import x25519

from broker.client import age

SIZES = [0, 1, 65535, 65536, 65537, 131072, 3 * 1024 * 1024 + 12345]


def _keypair() -> tuple[str, str]:
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def _encrypt(data: bytes, recipients: list[str]) -> bytes:
    out = io.BytesIO()
    age.encrypt_stream(io.BytesIO(data), out, recipients)
    return out.getvalue()


def _decrypt(package: bytes, identities: list[str]) -> bytes:
    out = io.BytesIO()
    age.decrypt_stream(io.BytesIO(package), out, identities)
    return out.getvalue()


def _corrupted(key: str) -> str:
    """The key with its last Bech32 character changed, so the checksum fails."""
    return key[:-1] + ("Q" if key[-1] != "Q" else "P")


def _rendered(exc: BaseException) -> str:
    """The message and everything chained to it, as a log would show it."""
    return "".join(traceback.format_exception(exc))


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_one_recipient(size: int) -> None:
    data = os.urandom(size)
    identity, recipient = _keypair()
    assert _decrypt(_encrypt(data, [recipient]), [identity]) == data


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_two_recipients_each_decrypts(size: int) -> None:
    data = os.urandom(size)
    (id_a, pub_a), (id_b, pub_b) = _keypair(), _keypair()
    package = _encrypt(data, [pub_a, pub_b])
    assert _decrypt(package, [id_a]) == data
    assert _decrypt(package, [id_b]) == data


def test_two_encryptions_differ() -> None:
    data = os.urandom(1000)
    _, recipient = _keypair()
    assert _encrypt(data, [recipient]) != _encrypt(data, [recipient])


def test_wrong_identity_is_no_match() -> None:
    _, recipient = _keypair()
    other, _ = _keypair()
    with pytest.raises(age.NoMatchingIdentity):
        _decrypt(_encrypt(b"evidence", [recipient]), [other])


def test_flipped_payload_byte_releases_only_authenticated_chunks() -> None:
    data = os.urandom(131072)
    identity, recipient = _keypair()
    package = bytearray(_encrypt(data, [recipient]))
    package[-1] ^= 0x01
    out = io.BytesIO()
    with pytest.raises(age.PayloadError):
        age.decrypt_stream(io.BytesIO(bytes(package)), out, [identity])
    # Why decrypt_file exists: the first chunk was already written when the last one failed.
    assert out.getvalue() == data[:65536]


def test_decrypt_file_leaves_nothing_on_payload_failure(tmp_path: Path) -> None:
    identity, recipient = _keypair()
    package = bytearray(_encrypt(os.urandom(131072), [recipient]))
    package[-1] ^= 0x01
    source = tmp_path / "package.age"
    source.write_bytes(bytes(package))
    target = tmp_path / "evidence.bin"
    with pytest.raises(age.PayloadError):
        age.decrypt_file(source, target, [identity])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.age"]


def test_decrypt_file_writes_target_and_no_temporary(tmp_path: Path) -> None:
    data = os.urandom(70000)
    identity, recipient = _keypair()
    source = tmp_path / "package.age"
    source.write_bytes(_encrypt(data, [recipient]))
    target = tmp_path / "evidence.bin"
    age.decrypt_file(source, target, [identity])
    assert target.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.bin", "package.age"]


@pytest.mark.parametrize("cut", [1, 16, 65536 + 16])
def test_truncation_is_payload_failure(cut: int) -> None:
    identity, recipient = _keypair()
    package = _encrypt(os.urandom(131072), [recipient])
    with pytest.raises(age.PayloadError):
        _decrypt(package[:-cut], [identity])


class _FailingWriter(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(28, "No space left on device")


class _FailingReader(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise ConnectionResetError("connection reset")


def test_target_write_error_is_not_a_payload_failure() -> None:
    identity, recipient = _keypair()
    package = _encrypt(b"x" * 100, [recipient])
    with pytest.raises(OSError, match="No space left") as caught:
        age.decrypt_stream(io.BytesIO(package), _FailingWriter(), [identity])
    assert not isinstance(caught.value, age.AgeError)
    assert caught.value.errno == 28


def test_source_read_error_is_not_a_header_failure() -> None:
    identity, _ = _keypair()
    with pytest.raises(ConnectionResetError):
        age.decrypt_stream(_FailingReader(), io.BytesIO(), [identity])


@pytest.mark.parametrize("size", [1, 70000])
def test_encrypt_target_write_error_propagates(size: int) -> None:
    # size 1: pyrage 1.4's encrypt_io swallows a failing last write and returns normally.
    _, recipient = _keypair()
    with pytest.raises(OSError, match="No space left") as caught:
        age.encrypt_stream(io.BytesIO(b"x" * size), _FailingWriter(), [recipient])
    assert not isinstance(caught.value, age.AgeError)


def test_parse_identities_reads_age_keygen_file() -> None:
    (id_a, pub_a), (id_b, pub_b) = _keypair(), _keypair()
    text = (
        f"# created: 2026-11-24T09:00:00Z\n# public key: {pub_a}\n{id_a}\n"
        f"\n# created: 2026-11-24T09:05:00Z\n# public key: {pub_b}\n{id_b}\n"
    )
    identities = age.parse_identities(text)
    assert identities == [id_a, id_b]
    assert [age.recipient_of(i) for i in identities] == [pub_a, pub_b]
    assert _decrypt(_encrypt(b"evidence", [pub_b]), identities) == b"evidence"


@pytest.mark.parametrize("text", ["", "# created: 2026-11-24T09:00:00Z\n\n"])
def test_parse_identities_without_key_fails(text: str) -> None:
    with pytest.raises(age.InvalidIdentity):
        age.parse_identities(text)


def test_invalid_identity_in_file_does_not_echo_it() -> None:
    identity, recipient = _keypair()
    bad = _corrupted(identity)
    with pytest.raises(age.InvalidIdentity, match="line 2") as caught:
        age.parse_identities(f"# public key: {recipient}\n{bad}\n")
    assert bad not in _rendered(caught.value)
    assert bad[20:40] not in _rendered(caught.value)


def test_invalid_identity_for_decrypt_does_not_echo_it() -> None:
    identity, recipient = _keypair()
    bad = _corrupted(identity)
    with pytest.raises(age.InvalidIdentity) as caught:
        _decrypt(_encrypt(b"x", [recipient]), [bad])
    assert bad[20:40] not in _rendered(caught.value)


def test_invalid_recipient_is_named() -> None:
    _, recipient = _keypair()
    with pytest.raises(age.InvalidRecipient, match="age1notakey"):
        _encrypt(b"x", [recipient, "age1notakey"])


def test_secret_key_given_as_recipient_is_not_echoed() -> None:
    identity, _ = _keypair()
    with pytest.raises(age.InvalidRecipient) as caught:
        _encrypt(b"x", [identity])
    assert identity[20:40] not in _rendered(caught.value)


def test_no_recipient_is_refused() -> None:
    with pytest.raises(age.InvalidRecipient):
        _encrypt(b"x", [])


@pytest.mark.parametrize("size", SIZES)
def test_sha256_stream_matches_hashlib(size: int) -> None:
    data = os.urandom(size)
    assert age.sha256_stream(io.BytesIO(data)) == (hashlib.sha256(data).hexdigest(), size)
    assert age.sha256_stream(io.BytesIO(data), chunk=4096) == (hashlib.sha256(data).hexdigest(), size)
