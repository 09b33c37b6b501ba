"""Reading the log: entries, tree heads and proofs, each checked against the log's real size."""

import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker import translog
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditPending
from broker.audit.models import AuditSubtree

HEAD_ID = 1


class SqlSubtreeStore:
    """The stored subtree hashes, read through the caller's session."""

    def __init__(self, session: orm.Session) -> None:
        self.session = session

    def get(self, level: int, index: int) -> bytes:
        stored = self.session.get(AuditSubtree, (level, index))
        if stored is None:
            raise LookupError(f"no stored subtree at level {level}, index {index}")
        return stored.hash


def log_size(session: orm.Session) -> int:
    """How many entries the log holds."""
    return session.scalar(sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID)) or 0


def checkpoints() -> sa.Select[tuple[AuditCheckpoint]]:
    """Every signed checkpoint, newest first."""
    return sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())


def latest_checkpoint(session: orm.Session) -> AuditCheckpoint | None:
    """The most recent signed checkpoint."""
    return session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def entries(session: orm.Session, start: int, limit: int) -> list[AuditEntry]:
    """Entries [start, start + limit) in log order."""
    return list(
        session.scalars(
            sa.select(AuditEntry).where(AuditEntry.index >= start).order_by(AuditEntry.index).limit(limit)
        )
    )


def entry(session: orm.Session, index: int) -> AuditEntry:
    """One entry, or invalid-range if the log has no such index."""
    current = log_size(session)
    # Checked against the size first: an index beyond BIGINT must not reach the database.
    found = session.get(AuditEntry, index) if 0 <= index < current else None
    if found is None:
        raise problems.InvalidRange(f"the log has {current} entries; there is no index {index}")
    return found


def entries_about(session: orm.Session, object_type: str, object_id: uuid.UUID | str) -> list[AuditEntry]:
    """Every entry about one object (an order's timeline), in log order."""
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.index)
        )
    )


def pending_about(session: orm.Session, object_type: str, object_id: uuid.UUID | str) -> list[AuditPending]:
    """Entries about one object that are recorded but not yet integrated, in the order they will be."""
    return list(
        session.scalars(
            sa.select(AuditPending)
            .where(AuditPending.object_type == object_type, AuditPending.object_id == str(object_id))
            .order_by(AuditPending.sequence)
        )
    )


def pending_count(session: orm.Session) -> int:
    """How many recorded entries wait for integration."""
    return session.scalar(sa.select(sa.func.count()).select_from(AuditPending)) or 0


def inclusion_proof(session: orm.Session, index: int, size: int) -> list[bytes]:
    """The proof that entry `index` is in the tree of the first `size` entries."""
    current = log_size(session)
    if not 0 < size <= current:
        raise problems.InvalidRange(f"tree size must be between 1 and the log's size {current}, not {size}")
    if not 0 <= index < size:
        raise problems.InvalidRange(f"index {index} is not in a tree of size {size}")
    return translog.inclusion_proof_from_store(index, size, SqlSubtreeStore(session))


def consistency_proof(session: orm.Session, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `new_size` entries extends the tree of `old_size`."""
    current = log_size(session)
    if not 0 < new_size <= current:
        raise problems.InvalidRange(
            f"new size must be between 1 and the log's size {current}, not {new_size}"
        )
    if not 0 < old_size <= new_size:
        raise problems.InvalidRange(f"old size must be between 1 and the new size {new_size}, not {old_size}")
    return translog.consistency_proof_from_store(old_size, new_size, SqlSubtreeStore(session))


def root(session: orm.Session, size: int) -> bytes:
    """The root of the tree of the first `size` entries."""
    return translog.root_from_store(size, SqlSubtreeStore(session))
