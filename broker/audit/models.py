"""Storage of the transparency log: entries, completed subtree hashes, the head, signed checkpoints."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base


class AuditPending(Base):
    """An event recorded with its change and waiting to be integrated into the tree (a sequencer's queue).

    Appending only inserts here, so writers never queue on a shared row; the integrator gives each
    entry its index, in `sequence` order, and moves it into `audit_entries`.
    """

    __tablename__ = "audit_pending"

    sequence: orm.Mapped[int] = orm.mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    recorded_at: orm.Mapped[datetime]
    action: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    organisation_id: orm.Mapped[uuid.UUID | None]
    object_type: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    object_id: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    # The entry as JSON, without its position (index, previous), which integration adds.
    document: orm.Mapped[str] = orm.mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_audit_pending_object", "object_type", "object_id"),)


class AuditEntry(Base):
    """One event, as the exact canonical JSON that was hashed into the log (no order content)."""

    __tablename__ = "audit_entries"

    index: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    recorded_at: orm.Mapped[datetime]
    action: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    organisation_id: orm.Mapped[uuid.UUID | None]
    object_type: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    object_id: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    # The leaf input: RFC 8785 JSON of the entry, kept as text so it can be re-hashed byte for byte.
    leaf: orm.Mapped[str] = orm.mapped_column(sa.Text)
    leaf_hash: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary(32))

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id", "index"),)


class AuditSubtree(Base):
    """The hash of a completed perfect subtree: proofs read O(log n) of these, never the whole log."""

    __tablename__ = "audit_subtrees"

    level: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    index: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary(32))


class AuditLogHead(Base):
    """The size of the integrated tree; only the integrator and checkpoint signing lock this row."""

    __tablename__ = "audit_log_head"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    size: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note); every one is kept."""

    __tablename__ = "audit_checkpoints"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    size: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, index=True)
    root_hash: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary(32))
    note: orm.Mapped[str] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[datetime]
