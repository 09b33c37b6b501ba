"""Store encrypted evidence packages and accept the signed evidence manifest

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 14:38:13.134023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# message_type as 0001 created it, and with the evidence manifest added.
MESSAGE_TYPES = (
    "epoc",
    "epoc-pr",
    "clarification-answer",
    "order-decision",
    "court-review-outcome",
    "withdrawal",
    "new-deadline",
    "preservation-extension",
    "production-request-confirmation",
    "preservation-release",
    "ex-post-validation",
    "closure",
    "enforcement-request",
    "response",
    "acknowledgement",
    "preservation-notice",
    "clarification-request",
    "immunity-concern",
    "third-country-objection",
    "enforcing-review",
    "enforcement-decision",
)
WITH_MANIFEST = (*MESSAGE_TYPES, "evidence-manifest")


def _message_types(values: tuple[str, ...]) -> None:
    """Replace the CHECK constraint that holds message_type to its values."""
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_messages_message_type"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_messages_message_type"), f"message_type IN ({listed})"
        )


def upgrade() -> None:
    _message_types(WITH_MANIFEST)
    op.create_table(
        "evidence_packages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "uploading",
                "uploaded",
                "sealed",
                "deleted",
                name="evidence_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=False),
        sa.Column("declared_sha256", sa.String(length=64), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("upload_id", sa.String(length=200), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("manifest_message_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=True),
        sa.Column("sealed_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deletion_reason", sa.String(length=32), nullable=True),
        sa.Column(
            "decryption_outcome",
            sa.Enum(
                "verified",
                "failed",
                name="decryption_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decryption_reported_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_evidence_packages_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["manifest_message_id"],
            ["messages.id"],
            name=op.f("fk_evidence_packages_manifest_message_id_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_evidence_packages_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisations.id"], name=op.f("fk_evidence_packages_provider_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_packages")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_evidence_packages_storage_key")),
    )
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_packages_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_evidence_packages_state", ["state"], unique=False)

    op.create_table(
        "evidence_chunks",
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["evidence_packages.id"],
            name=op.f("fk_evidence_chunks_package_id_evidence_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("package_id", "index", name=op.f("pk_evidence_chunks")),
    )


def downgrade() -> None:
    op.drop_table("evidence_chunks")
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_packages_state")
        batch_op.drop_index(batch_op.f("ix_evidence_packages_order_id"))

    op.drop_table("evidence_packages")
    # Manifests cannot be kept under a schema that has no such message type.
    op.execute("DELETE FROM messages WHERE message_type = 'evidence-manifest'")
    _message_types(MESSAGE_TYPES)
