"""C2SP signed-note with Ed25519 keys: the envelope in which logs and witnesses sign the same text."""

import base64
import hashlib
import string
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from broker.translog._errors import CheckpointError

# SPEC: signed-note "* `0x01` — Ed25519 signatures as specified by this document."
_ED25519 = b"\x01"
# SPEC: signed-note "one or more signature lines of this form: em dash (U+2014), space (U+0020), key name,
# space, base64-encoded signature, newline."
_SIGNATURE_PREFIX = "\u2014 "
# SPEC: signed-note "Verifiers SHOULD apply a maximum limit to the number of signatures in a note ... but MUST
# accept at least up to 16 signatures." 100 is Go's golang.org/x/mod/sumdb/note limit.
_MAX_SIGNATURES = 100


@dataclass(frozen=True)
class _Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


def verifier_key(key_name: str, public_key: Ed25519PublicKey) -> str:
    """The vkey "<name>+<hex key ID>+<base64(0x01 || public key)>" that verifiers are configured with."""
    _require_key_name(key_name)
    raw = public_key.public_bytes_raw()
    return f"{key_name}+{_key_id(key_name, raw).hex()}+{base64.b64encode(_ED25519 + raw).decode()}"


def sign_note(text: bytes, key_name: str, private_key: Ed25519PrivateKey) -> bytes:
    """`text`, a blank line and one Ed25519 signature line by `key_name`."""
    _require_key_name(key_name)
    # SPEC: signed-note "A signed note consists of a text ending in newline (U+000A)"
    if not text.endswith(b"\n"):
        raise CheckpointError("note text must end with a newline")
    _require_clean(text)
    key_id = _key_id(key_name, private_key.public_key().public_bytes_raw())
    # SPEC: signed-note "Ed25519 signatures are generated according to [RFC 8032] over the note text."
    signature = base64.b64encode(key_id + private_key.sign(text)).decode()
    return text + f"\n{_SIGNATURE_PREFIX}{key_name} {signature}\n".encode()


def open_note(note: bytes, vkey: str) -> bytes:
    """The note text, once every signature line from `vkey`'s key verifies and there is at least one."""
    verifier = _parse_vkey(vkey)
    _require_clean(note)
    # SPEC: signed-note "The note text includes the final newline but not the separating blank line. ... the
    # text is separated from the signatures by the last empty line in the note."
    split = note.rfind(b"\n\n")
    if split < 0:
        raise CheckpointError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith(b"\n"):
        raise CheckpointError("note does not end with a complete signature line")
    lines = block[:-1].decode().split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise CheckpointError(f"note has more than {_MAX_SIGNATURES} signatures")
    verified = False
    for line in lines:
        name, key_id, signature = _parse_signature_line(line)
        # SPEC: signed-note "Verifiers MUST ignore signatures from unknown keys, even if they share a name or
        # ID (but not both) with a known key."
        if (name, key_id) != (verifier.name, verifier.key_id):
            continue
        # SPEC: "If the key name and ID match a known key, verifiers MUST verify the signature. If a signature
        # from a known key fails to verify, clients SHOULD reject the whole note."
        try:
            verifier.public_key.verify(signature, text)
        except InvalidSignature:
            raise CheckpointError(f"bad signature from key {name}+{key_id.hex()}") from None
        verified = True
    # SPEC: "If no signature from a known key verifies successfully, clients MUST reject the note."
    if not verified:
        raise CheckpointError(f"note has no signature from key {verifier.name}+{verifier.key_id.hex()}")
    return text


def decode_base64(value: str, what: str) -> bytes:
    """Standard base64 with padding, in its one canonical spelling (RFC 4648 §4), or CheckpointError."""
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise CheckpointError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != value:
        raise CheckpointError(f"{what} is not canonical base64")
    return raw


def _key_id(key_name: str, raw_public_key: bytes) -> bytes:
    # SPEC: signed-note "key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]"
    return hashlib.sha256(key_name.encode() + b"\n" + _ED25519 + raw_public_key).digest()[:4]


def _require_key_name(name: str) -> None:
    # SPEC: signed-note "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)
    # characters." Control characters are refused too, as no note may contain them.
    if not name or "+" in name or any(c.isspace() or c < " " for c in name):
        raise CheckpointError(f"invalid key name {name!r}")


def _require_clean(data: bytes) -> None:
    # SPEC: signed-note "Signed notes MUST be valid UTF-8 and MUST NOT contain any ASCII control characters
    # (those below U+0020) other than newline."
    try:
        decoded = data.decode()
    except UnicodeDecodeError:
        raise CheckpointError("note is not valid UTF-8") from None
    if any(c < " " and c != "\n" for c in decoded):
        raise CheckpointError("note contains a control character")


def _parse_vkey(vkey: str) -> _Verifier:
    name, _, rest = vkey.partition("+")
    hex_id, _, key64 = rest.partition("+")
    _require_key_name(name)
    if len(hex_id) != 8 or not set(hex_id) <= set(string.hexdigits):
        raise CheckpointError("verifier key has no 8-digit hex key ID")
    key = decode_base64(key64, "verifier key")
    if len(key) != 1 + 32 or key[:1] != _ED25519:
        raise CheckpointError("verifier key is not an Ed25519 key")
    key_id = bytes.fromhex(hex_id)
    if key_id != _key_id(name, key[1:]):
        raise CheckpointError("verifier key ID does not match its name and public key")
    return _Verifier(name, key_id, Ed25519PublicKey.from_public_bytes(key[1:]))


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise CheckpointError("signature line does not start with an em dash and a space")
    name, _, signature64 = line.removeprefix(_SIGNATURE_PREFIX).partition(" ")
    _require_key_name(name)
    # SPEC: signed-note "Signatures are the base64 encoding of 4+n bytes. The first four bytes in the
    # signature are the uint32 key ID stored in big-endian order."
    signature = decode_base64(signature64, "signature")
    if len(signature) < 5:
        raise CheckpointError("signature is too short to hold a key ID and a signature")
    return name, signature[:4], signature[4:]
