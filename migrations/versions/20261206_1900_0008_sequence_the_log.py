"""Sequence log entries in a queue of their own and integrate them into the tree in batches

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_audit_pending")),
    )
    op.create_index("ix_audit_pending_object", "audit_pending", ["object_type", "object_id"], unique=False)
    # The previous entry about an object is the newest one: (type, id, index) finds it in one index probe.
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_object")
        batch_op.create_index("ix_audit_entries_object", ["object_type", "object_id", "index"], unique=False)


def downgrade() -> None:
    waiting = op.get_bind().scalar(sa.text("SELECT count(*) FROM audit_pending"))
    if waiting:
        raise RuntimeError(
            f"{waiting} log entries are not integrated yet; run `broker audit integrate` before downgrading"
        )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_object")
        batch_op.create_index("ix_audit_entries_object", ["object_type", "object_id"], unique=False)
    op.drop_index("ix_audit_pending_object", table_name="audit_pending")
    op.drop_table("audit_pending")
