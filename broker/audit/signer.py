"""The broker's own log key: it signs checkpoints (the log's size and root) and webhook deliveries."""

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker import crypto
from broker import translog


@dataclass(frozen=True)
class LogSigner:
    """The broker's own key and the log's origin (which is also the key name, per C2SP)."""

    origin: str
    private_key: Ed25519PrivateKey

    @property
    def vkey(self) -> str:
        """What an oversight body configures to verify checkpoints: name, key id and public key."""
        return translog.verifier_key(self.origin, self.private_key.public_key())

    @classmethod
    def from_file(cls, origin: str, path: Path) -> "LogSigner":
        """Load the broker's key from a PEM file; it must be Ed25519 (signed notes use Ed25519)."""
        try:
            key = crypto.load_private_key(path.read_bytes())
        except OSError as error:
            raise ValueError(f"cannot read the broker key {path}: {error.strerror}") from error
        except crypto.InvalidKey as error:
            raise ValueError(f"the broker key {path} is not usable: {error}") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"the broker key {path} must be an Ed25519 key")
        signer = cls(origin, key)
        try:
            signer.vkey  # noqa: B018 - checks the origin is a valid signed-note key name
        except translog.CheckpointError as error:
            raise ValueError(f"the log origin {origin!r} cannot name a signing key: {error}") from error
        return signer
