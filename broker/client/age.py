"""age (X25519) encryption of evidence through pyrage, streamed in constant memory.

Only pyrage's `*_io` entry points are used: `encrypt()`/`decrypt()` hold the whole file in memory.
pyrage's failures are mapped to typed errors (see docs/decisions/0001-evidence-encryption.md); the
mapping relies on pyrage's messages, which is why pyrage is pinned to a minor version and the age
test kit is run against it. Nothing here touches Flask or the database: the broker only moves
ciphertext, this runs on the parties' machines.
"""

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import pyrage
from pyrage import x25519

__all__ = [
    "AgeError",
    "HeaderError",
    "HeaderMacError",
    "InvalidIdentity",
    "InvalidRecipient",
    "NoMatchingIdentity",
    "PayloadError",
    "decrypt_file",
    "decrypt_stream",
    "encrypt_stream",
    "parse_identities",
    "recipient_of",
    "sha256_stream",
]

_IDENTITY_PREFIX = "AGE-SECRET-KEY-1"
_NO_MATCH = "No matching keys found"
_BAD_MAC = "Header MAC is invalid"


class AgeError(Exception):
    """A package that cannot be encrypted or decrypted; catch this for any age failure."""


class NoMatchingIdentity(AgeError):
    """The package was not encrypted to any of the given identities (wrong key, not tampering)."""


class HeaderError(AgeError):
    """The age header is malformed, unsupported or fails validation: corrupt or tampered package."""


class HeaderMacError(HeaderError):
    """A file key was unwrapped but the header MAC is wrong: the header was altered."""


class PayloadError(AgeError):
    """The payload failed authentication or ended early; the target may hold authenticated chunks."""


class InvalidRecipient(ValueError):
    """A recipient string that is not an age X25519 public key (`age1…`)."""


class InvalidIdentity(ValueError):
    """An identity that is not an age X25519 secret key; the message never contains the key."""


class _Guard:
    """Proxy a file object and keep its own exception, so pyrage's wrapping cannot disguise it.

    pyrage turns a reader's error into `DecryptError`, a writer's `OSError` is indistinguishable
    from its own payload `OSError`, and `encrypt_io` swallows an error on its last write; the caller
    re-raises `error` instead of mapping those or returning.
    """

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self.error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._inner.read(size)
        except Exception as exc:
            self.error = exc
            raise

    def write(self, data: bytes) -> int:
        try:
            return self._inner.write(data)
        except Exception as exc:
            self.error = exc
            raise


def _recipient(value: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(value)
    except pyrage.RecipientError:
        # A secret key pasted where a recipient belongs must not end up in logs.
        shown = "an age secret key" if value.strip().upper().startswith("AGE-SECRET-KEY") else repr(value)
        raise InvalidRecipient(f"not an age X25519 recipient: {shown}") from None


def _identity(value: str) -> x25519.Identity:
    try:
        return x25519.Identity.from_str(value)
    except pyrage.IdentityError:
        raise InvalidIdentity("not a valid age X25519 identity (AGE-SECRET-KEY-1…)") from None


def _reraise_io(*guards: _Guard) -> None:
    for guard in guards:
        if guard.error is not None:
            raise guard.error


def encrypt_stream(source: BinaryIO, target: BinaryIO, recipients: Sequence[str]) -> None:
    """Encrypt `source` to every recipient; each call gives a different ciphertext (random file key)."""
    if isinstance(recipients, str) or not recipients:
        raise InvalidRecipient("at least one age recipient is required")
    keys = [_recipient(r) for r in recipients]
    reader, writer = _Guard(source), _Guard(target)
    try:
        pyrage.encrypt_io(reader, writer, keys)
    except pyrage.EncryptError as exc:
        _reraise_io(reader, writer)
        raise AgeError(f"encryption failed: {exc}") from exc
    # pyrage 1.4 ignores an error on the last write and returns normally: never trust that return.
    _reraise_io(reader, writer)


def decrypt_stream(source: BinaryIO, target: BinaryIO, identities: Sequence[str]) -> None:
    """Decrypt `source` into `target`, raising an `AgeError` subclass for a bad package.

    On `PayloadError` the target already holds the chunks authenticated before the failure: write to
    a temporary file and keep it only on success (`decrypt_file` does that). Errors from reading
    `source` or writing `target` propagate unchanged, never as an `AgeError`.
    """
    if isinstance(identities, str) or not identities:
        raise InvalidIdentity("at least one age identity is required")
    keys = [_identity(i) for i in identities]
    reader, writer = _Guard(source), _Guard(target)
    try:
        pyrage.decrypt_io(reader, writer, keys)
    except pyrage.DecryptError as exc:
        _reraise_io(reader, writer)
        message = str(exc)
        if message == _NO_MATCH:
            raise NoMatchingIdentity("the package was not encrypted to any of these identities") from exc
        if message == _BAD_MAC:
            raise HeaderMacError("age header MAC is invalid") from exc
        raise HeaderError(f"invalid age header: {message}") from exc
    except OSError as exc:  # decrypt_io reports STREAM (payload) failures as a bare OSError
        _reraise_io(reader, writer)
        raise PayloadError(f"age payload failed authentication: {exc}") from exc
    except Exception:
        _reraise_io(reader, writer)
        raise
    _reraise_io(reader, writer)  # as in encrypt_stream, should a swallowed write error ever occur


def decrypt_file(source: Path, target: Path, identities: Sequence[str]) -> None:
    """Decrypt to `target` atomically: no partial plaintext is ever left under the target's name.

    The temporary file sits in the target's folder so the final `os.replace` is a rename on one
    file system; it is removed on any failure.
    """
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            decrypt_stream(src, out, identities)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def parse_identities(text: str) -> list[str]:
    """The keys of an age-keygen identity file: pyrage only accepts one bare key line at a time."""
    keys: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(_IDENTITY_PREFIX):
            raise InvalidIdentity(f"line {number} is not an age X25519 identity (AGE-SECRET-KEY-1…)")
        try:
            x25519.Identity.from_str(line)
        except pyrage.IdentityError:
            raise InvalidIdentity(f"line {number} is not a valid age X25519 identity") from None
        keys.append(line)
    if not keys:
        raise InvalidIdentity("no age identity found")
    return keys


def recipient_of(identity: str) -> str:
    """The public recipient (`age1…`) an authority publishes for its identity."""
    return str(_identity(identity).to_public())


def sha256_stream(source: BinaryIO, chunk: int = 1 << 20) -> tuple[str, int]:
    """Hex SHA-256 and byte count of a stream, read in `chunk`-sized blocks for manifests."""
    digest = hashlib.sha256()
    size = 0
    while block := source.read(chunk):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size
