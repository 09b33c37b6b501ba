"""Signed checkpoints of the log: the broker's Ed25519 statement of the log's size and root."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker import translog
from broker.audit.log import HEAD_ID
from broker.audit.log import SqlSubtreeStore
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditLogHead
from broker.clock import Clock


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


def sign_checkpoint(session: orm.Session, clock: Clock, signer: LogSigner | None) -> AuditCheckpoint:
    """Sign the log as it is now; if nothing was appended since the last checkpoint, return that one."""
    if signer is None:
        raise problems.SigningUnavailable("this broker has no signing key configured (BROKER_KEY_FILE)")
    # Lock the head so no append slips in between reading the size and the subtrees.
    size = session.execute(
        sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    latest = latest_checkpoint(session)
    if latest is not None and latest.size == size:
        return latest
    root = translog.root_from_store(size, SqlSubtreeStore(session))
    note = translog.sign_checkpoint(
        translog.Checkpoint(signer.origin, size, root), signer.origin, signer.private_key
    )
    checkpoint = AuditCheckpoint(size=size, root_hash=root, note=note.decode("utf-8"), created_at=clock())
    session.add(checkpoint)
    session.flush()
    return checkpoint


def latest_checkpoint(session: orm.Session) -> AuditCheckpoint | None:
    """The most recent signed checkpoint."""
    return session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
