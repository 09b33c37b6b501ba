"""Signed checkpoints: exact bytes, round trips, and every tampering or mix-up refused."""

import base64
import hashlib
import re
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker.translog import EMPTY_ROOT
from broker.translog import Checkpoint
from broker.translog import CheckpointError
from broker.translog import open_checkpoint
from broker.translog import sign_checkpoint
from broker.translog import sign_note
from broker.translog import verifier_key

ORIGIN = "example.org/log"
# The RFC 6962 test tree's root at size 3 (transparency-dev/merkle testonly RootHashes[3]).
ROOT_3 = bytes.fromhex("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77")
BODY = b"example.org/log\n3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n"
# Signed with the RFC 8032 TEST 1 key; Ed25519 is deterministic, so these bytes never change.
SIGNATURE_LINE = (
    "— example.org/log "
    "HGa56s1EgX4vZLinABhbgI+qpx2cm8+6k9YldCswdF/Hvlvg1mz2gdakpQE5LGSpXSo/asGfupsvq13qorXPhC8ECQ8=\n"
).encode()
NOTE = BODY + b"\n" + SIGNATURE_LINE
VKEY = "example.org/log+1c66b9ea+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
# A real sum.golang.org checkpoint and key, from transparency-dev/formats log/note_test.go.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
    "— sum.golang.org "
    "Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"
).encode()


@pytest.fixture
def log_key(ed25519_keys: list[Ed25519PrivateKey]) -> Ed25519PrivateKey:
    return ed25519_keys[0]


@pytest.fixture
def other_key(ed25519_keys: list[Ed25519PrivateKey]) -> Ed25519PrivateKey:
    return ed25519_keys[1]


def _signature_line(body: bytes, name: str, key: Ed25519PrivateKey) -> bytes:
    """The signature line `key` would add under `name`, cut out of a note it signs."""
    return sign_note(body, name, key).removeprefix(body + b"\n")


def test_body_is_origin_size_and_base64_root() -> None:
    assert Checkpoint(ORIGIN, 3, ROOT_3).body() == BODY


def test_body_ends_with_the_extension_lines() -> None:
    assert Checkpoint(ORIGIN, 3, ROOT_3, ("ext one", "ext two")).body() == BODY + b"ext one\next two\n"


def test_signed_checkpoint_is_the_golden_note(log_key: Ed25519PrivateKey) -> None:
    assert sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT_3), ORIGIN, log_key) == NOTE
    assert verifier_key(ORIGIN, log_key.public_key()) == VKEY


def test_golden_signature_line_is_key_id_and_signature_per_signed_note(log_key: Ed25519PrivateKey) -> None:
    """Rebuilt from the signed-note rules with hashlib and cryptography alone, not from the module."""
    public = log_key.public_key().public_bytes_raw()
    key_id = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    raw = base64.b64decode(SIGNATURE_LINE.removeprefix("— example.org/log ".encode()))
    assert raw[:4] == key_id == bytes.fromhex(VKEY.split("+")[1])
    log_key.public_key().verify(raw[4:], BODY)
    assert base64.b64decode(VKEY.split("+", 2)[2]) == b"\x01" + public


@pytest.mark.parametrize(
    "checkpoint",
    [
        Checkpoint(ORIGIN, 3, ROOT_3),
        Checkpoint(ORIGIN, 0, EMPTY_ROOT),
        Checkpoint(ORIGIN, 2**64 - 1, ROOT_3, ("one", "two — three")),
    ],
    ids=["plain", "empty-tree", "extensions"],
)
def test_sign_then_open_gives_the_checkpoint_back(log_key: Ed25519PrivateKey, checkpoint: Checkpoint) -> None:
    assert open_checkpoint(sign_checkpoint(checkpoint, ORIGIN, log_key), VKEY) == checkpoint


def test_a_real_sumdb_checkpoint_opens_with_its_origin() -> None:
    checkpoint = open_checkpoint(SUMDB_NOTE, SUMDB_VKEY, origin="go.sum database tree")
    assert (checkpoint.size, base64.b64encode(checkpoint.root)) == (
        6476701,
        b"mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=",
    )


def test_the_origin_must_be_the_key_name_unless_given() -> None:
    with pytest.raises(
        CheckpointError, match=re.escape("origin 'go.sum database tree' is not 'sum.golang.org'")
    ):
        open_checkpoint(SUMDB_NOTE, SUMDB_VKEY)
    with pytest.raises(CheckpointError, match=re.escape("is not 'other.example/log'")):
        open_checkpoint(NOTE, VKEY, origin="other.example/log")


def test_signatures_from_other_keys_are_ignored(
    log_key: Ed25519PrivateKey, other_key: Ed25519PrivateKey
) -> None:
    witness = _signature_line(BODY, "witness.example/w1", other_key)
    same_name_other_key = _signature_line(BODY, ORIGIN, other_key)
    garbage_from_a_stranger = "— stranger.example/x AAAAAAAAAAAAAAAA\n".encode()
    note = (
        BODY + b"\n" + witness + same_name_other_key + SIGNATURE_LINE + garbage_from_a_stranger + witness * 15
    )
    assert open_checkpoint(note, VKEY) == Checkpoint(ORIGIN, 3, ROOT_3)


def _replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def tamper(note: bytes) -> bytes:
        assert old in note
        return note.replace(old, new)

    return tamper


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        pytest.param(_replace(b"\n3\n", b"\n4\n"), "bad signature", id="size"),
        pytest.param(_replace(b"rra8", b"rrb8"), "bad signature", id="root"),
        pytest.param(_replace(b"example.org/log\n3", b"example.org/lag\n3"), "bad signature", id="origin"),
        pytest.param(_replace(b"HGa56s1E", b"HGa56s1F"), "bad signature", id="signature-bit"),
        pytest.param(lambda note: note[:-6], "complete signature line", id="truncated-signature"),
        pytest.param(lambda note: note[:30], "no blank line", id="truncated-body"),
        pytest.param(_replace(b"=\n\n", b"=\n"), "no blank line", id="no-blank-line"),
        pytest.param(lambda note: note + b"\n", "complete signature line", id="trailing-blank-line"),
        pytest.param(_replace("—".encode(), b"--"), "em dash", id="hyphens-not-em-dash"),
        pytest.param(_replace(b"\n", b"\r\n"), "control character", id="crlf"),
        pytest.param(_replace(b"example.org", b"ex\xffample.org"), "UTF-8", id="not-utf8"),
        pytest.param(_replace(b"=\n\n", b"=\n\n\n"), "bad signature", id="extra-blank-line"),
        pytest.param(
            lambda note: note + SIGNATURE_LINE[:-1], "complete signature line", id="unterminated-line"
        ),
        pytest.param(
            lambda note: note + note.partition(b"\n\n")[2] * 100, "more than 100", id="101-signatures"
        ),
    ],
)
def test_a_tampered_note_is_refused(tamper: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(CheckpointError, match=re.escape(message)):
        open_checkpoint(tamper(NOTE), VKEY)


@pytest.mark.parametrize("length", [64, 10], ids=["full-length", "short"])
def test_a_bad_signature_under_the_right_key_id_spoils_the_note(
    other_key: Ed25519PrivateKey, length: int
) -> None:
    """Even beside a good signature: a failing known key rejects the whole note (signed-note SHOULD)."""
    forged_signature = other_key.sign(BODY)[:length]
    forged = (
        "— example.org/log ".encode() + base64.b64encode(bytes.fromhex("1c66b9ea") + forged_signature) + b"\n"
    )
    with pytest.raises(CheckpointError, match=re.escape(f"bad signature from key {VKEY[:24]}")):
        open_checkpoint(NOTE + forged, VKEY)


def test_a_note_signed_only_by_another_key_is_refused(other_key: Ed25519PrivateKey) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT_3), ORIGIN, other_key)
    with pytest.raises(CheckpointError, match=re.escape(f"no signature from key {VKEY[:24]}")):
        open_checkpoint(note, VKEY)


def test_the_wrong_vkey_is_refused(other_key: Ed25519PrivateKey) -> None:
    with pytest.raises(CheckpointError, match="no signature from key"):
        open_checkpoint(NOTE, verifier_key(ORIGIN, other_key.public_key()))


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        pytest.param("example.org/log", "8-digit hex key ID", id="name-only"),
        pytest.param(VKEY.replace("+1c66b9ea+", "+1c66b9e+"), "8-digit hex key ID", id="short-id"),
        pytest.param(VKEY.replace("+1c66b9ea+", "+1c66b9eg+"), "8-digit hex key ID", id="non-hex-id"),
        pytest.param(VKEY.replace("+1c66b9ea+", "+1c66b9eb+"), "does not match", id="wrong-id"),
        pytest.param(VKEY.replace("+Add", "+Agd"), "not an Ed25519 key", id="algorithm-2"),
        pytest.param(VKEY[:-4], "not an Ed25519 key", id="short-key"),
        pytest.param(
            VKEY.replace("example.org/log", "example org/log"), "invalid key name", id="space-in-name"
        ),
        pytest.param("+" + VKEY.partition("+")[2], "invalid key name", id="empty-name"),
    ],
)
def test_a_malformed_vkey_is_refused(vkey: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=re.escape(message)):
        open_checkpoint(NOTE, vkey)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(BODY.replace(b"\n3\n", b"\n03\n"), "leading zeros", id="leading-zero"),
        pytest.param(BODY.replace(b"\n3\n", b"\n+3\n"), "leading zeros", id="plus-sign"),
        pytest.param(BODY.replace(b"\n3\n", "\n٣\n".encode()), "leading zeros", id="arabic-indic-digit"),
        pytest.param(BODY.replace(b"\n3\n", b"\n\n"), "leading zeros", id="empty-size"),
        pytest.param(BODY.replace(b"bnc=", b"bnc"), "not valid base64", id="unpadded-root"),
        pytest.param(BODY.replace(b"bnc=", b"bnd="), "not canonical", id="non-canonical-root"),
        pytest.param(BODY.replace(b"rra8", b""), "29 bytes, want 32", id="short-root"),
        pytest.param(
            BODY.replace(b"3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n", b"3\n"),
            "want at least 3",
            id="two-lines",
        ),
        pytest.param(b"\n" + BODY.partition(b"\n")[2], "origin '' is empty", id="empty-origin"),
        pytest.param(BODY.replace(b"\n3\n", b"\n0\n"), "empty tree's root", id="empty-tree-with-a-root"),
        pytest.param(BODY + b"\nextension\n", "extension line '' is empty", id="empty-extension-line"),
    ],
)
def test_a_signed_but_malformed_body_is_refused(
    log_key: Ed25519PrivateKey, body: bytes, message: str
) -> None:
    with pytest.raises(CheckpointError, match=re.escape(message)):
        open_checkpoint(sign_note(body, ORIGIN, log_key), VKEY)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        pytest.param("", 3, ROOT_3, (), id="empty-origin"),
        pytest.param("a\nb", 3, ROOT_3, (), id="newline-in-origin"),
        pytest.param(ORIGIN, -1, ROOT_3, (), id="negative-size"),
        pytest.param(ORIGIN, 3, ROOT_3[:31], (), id="short-root"),
        pytest.param(ORIGIN, 0, ROOT_3, (), id="empty-tree-with-a-root"),
        pytest.param(ORIGIN, 3, ROOT_3, ("",), id="empty-extension"),
        pytest.param(ORIGIN, 3, ROOT_3, ("tab\there",), id="control-character-in-extension"),
    ],
)
def test_an_invalid_checkpoint_cannot_be_made(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root, extensions)


def test_signing_needs_the_origin_as_key_name(log_key: Ed25519PrivateKey) -> None:
    with pytest.raises(CheckpointError, match="is not the origin"):
        sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT_3), "other.example/log", log_key)


@pytest.mark.parametrize("key_name", ["", "example.org/log two", "example.org+log", "example.org/log\u2003"])
def test_signing_needs_a_valid_key_name(log_key: Ed25519PrivateKey, key_name: str) -> None:
    with pytest.raises(CheckpointError, match="invalid key name"):
        sign_note(BODY, key_name, log_key)


def test_signing_needs_text_ending_in_a_newline(log_key: Ed25519PrivateKey) -> None:
    with pytest.raises(CheckpointError, match="must end with a newline"):
        sign_note(BODY[:-1], ORIGIN, log_key)
