"""Encrypted evidence packages and the chunks they arrive in.

The broker keeps ciphertext only. A package is invisible to the issuing authority until the
addressee's signed evidence manifest names it with the size and SHA-256 the broker measured itself.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EvidenceState


class EvidencePackage(Base):
    """One age-encrypted file uploaded by an addressee for one order."""

    __tablename__ = "evidence_packages"
    __table_args__ = (sa.Index("ix_evidence_packages_state", "state"),)

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"), index=True)
    # The addressee's provider, denormalised like Order.provider_id for access checks.
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"))
    state: orm.Mapped[EvidenceState] = orm.mapped_column(enum_column(EvidenceState, "evidence_state"))
    # The package's file name (e.g. mailbox.mbox.age), as the addressee declared it.
    file_name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    # What the uploader announced; the broker measures the bytes and compares.
    declared_size: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)
    declared_sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    chunk_size: orm.Mapped[int]
    storage_key: orm.Mapped[str] = orm.mapped_column(sa.String(200), unique=True)
    # The storage backend's multipart upload, while chunks arrive.
    upload_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(200))
    # Measured by the broker over the assembled bytes.
    size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    sha256: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    manifest_message_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.ForeignKey("messages.id"))
    created_at: orm.Mapped[datetime]
    # The last activity (a chunk, completion, sealing): an upload idle for too long is abandoned.
    updated_at: orm.Mapped[datetime]
    uploaded_at: orm.Mapped[datetime | None]
    sealed_at: orm.Mapped[datetime | None]
    deleted_at: orm.Mapped[datetime | None]
    deletion_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    # The issuing authority's latest report after fetching: decrypted and every hash matched, or not.
    decryption_outcome: orm.Mapped[DecryptionOutcome | None] = orm.mapped_column(
        enum_column(DecryptionOutcome, "decryption_outcome")
    )
    decryption_reported_at: orm.Mapped[datetime | None]

    chunks: orm.Mapped[list["EvidenceChunk"]] = orm.relationship(
        order_by="EvidenceChunk.index", cascade="all, delete-orphan"
    )

    @property
    def chunk_count(self) -> int:
        """How many chunks the declared size takes (the last one may be shorter; an empty package has none)."""
        return -(-self.declared_size // self.chunk_size)

    def chunk_length(self, index: int) -> int:
        """The exact length chunk `index` must have."""
        return min(self.chunk_size, self.declared_size - index * self.chunk_size)

    def __repr__(self) -> str:
        return f"<EvidencePackage {self.id} {self.state}>"


class EvidenceChunk(Base):
    """A chunk that arrived whole and matched its digest; the package is assembled from these."""

    __tablename__ = "evidence_chunks"

    package_id: orm.Mapped[uuid.UUID] = orm.mapped_column(
        sa.ForeignKey("evidence_packages.id", ondelete="CASCADE"), primary_key=True
    )
    index: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    size: orm.Mapped[int]
    sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    # The storage backend's token for assembling (an S3 part's ETag).
    etag: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    received_at: orm.Mapped[datetime]
