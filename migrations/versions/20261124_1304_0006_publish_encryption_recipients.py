"""Publish issuing authorities' age recipients for encrypted evidence

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 13:04:18.195639
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "encryption_recipients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_encryption_recipients_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encryption_recipients")),
        sa.UniqueConstraint("recipient", name=op.f("uq_encryption_recipients_recipient")),
    )
    with op.batch_alter_table("encryption_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_encryption_recipients_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("encryption_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_encryption_recipients_organisation_id"))
    op.drop_table("encryption_recipients")
