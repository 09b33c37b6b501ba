"""C2SP tlog-checkpoint: the signed statement "log <origin> had <size> leaves with root <root>"."""

import base64
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker.translog._errors import CheckpointError
from broker.translog._hashing import EMPTY_ROOT
from broker.translog._hashing import HASH_SIZE
from broker.translog._note import decode_base64
from broker.translog._note import open_note
from broker.translog._note import sign_note

# SPEC: tlog-checkpoint "the ASCII decimal representation of the number of leaves in the tree, with no
# leading zeroes (unless the tree is empty, in which case the tree size is `0`)."
_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head; valid on construction, so any instance has a well-formed body."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # SPEC: tlog-checkpoint "The origin MUST be non-empty"
        _require_line(self.origin, "origin")
        if self.size < 0:
            raise CheckpointError(f"tree size {self.size} is negative")
        # SPEC: tlog-checkpoint "the root hash, the base64 encoding of the root of the [RFC 6962] Merkle hash
        # tree at the specified tree size." SHA-256, so 32 bytes.
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"root hash is {len(self.root)} bytes, want {HASH_SIZE}")
        if self.size == 0 and self.root != EMPTY_ROOT:
            raise CheckpointError("an empty tree's root hash must be SHA-256 of the empty string")
        # SPEC: tlog-checkpoint "Extension lines, if any, MUST be non-empty."
        for line in self.extensions:
            _require_line(line, "extension line")

    def body(self) -> bytes:
        """The note text: origin, size, base64 root and any extension lines, each ending in a newline."""
        lines = (self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions)
        return "".join(f"{line}\n" for line in lines).encode()


def sign_checkpoint(checkpoint: Checkpoint, key_name: str, private_key: Ed25519PrivateKey) -> bytes:
    """The checkpoint as a signed note carrying one Ed25519 signature by `key_name`."""
    # SPEC: tlog-checkpoint "The log's key name in its signature line SHOULD match the origin line."
    # Enforced (tessera takes the origin from its signer's name), so `open_checkpoint` can rely on it.
    if key_name != checkpoint.origin:
        raise CheckpointError(f"key name {key_name!r} is not the origin {checkpoint.origin!r}")
    return sign_note(checkpoint.body(), key_name, private_key)


def open_checkpoint(note: bytes, vkey: str, *, origin: str | None = None) -> Checkpoint:
    """The checkpoint in `note`, once it is well-formed, signed by `vkey`'s key and from the expected log.

    The expected origin defaults to the key name; pass `origin` for logs that predate that convention
    (sum.golang.org signs "go.sum database tree").
    """
    checkpoint = _parse_body(open_note(note, vkey))
    expected = vkey.partition("+")[0] if origin is None else origin  # open_note has checked the vkey
    if checkpoint.origin != expected:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {expected!r}")
    return checkpoint


def _parse_body(text: bytes) -> Checkpoint:
    # SPEC: tlog-checkpoint "The note text is a sequence of at least three non-empty lines, separated by
    # newlines (U+000A)." open_note has checked the text is UTF-8 ending in a newline.
    lines = text.decode().split("\n")[:-1]
    if len(lines) < 3:
        raise CheckpointError(f"checkpoint has {len(lines)} lines, want at least 3")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise CheckpointError(f"tree size {size!r} is not a decimal number without leading zeros")
    return Checkpoint(origin, int(size), decode_base64(root, "root hash"), tuple(extensions))


def _require_line(value: str, what: str) -> None:
    # No control characters: a newline would shift the lines, and signed notes may contain no others.
    if not value or any(c < " " for c in value):
        raise CheckpointError(f"{what} {value!r} is empty or contains a control character")
