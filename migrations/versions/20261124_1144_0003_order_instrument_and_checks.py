"""Keep each order's legal instrument and its last legal-basis check

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 11:44:31.707249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        # Orders before this revision were all EPOC / EPOC-PR under the Regulation: backfill, then drop the default.
        batch_op.add_column(
            sa.Column("instrument", sa.String(length=32), nullable=False, server_default="reg-2023-1543")
        )
        batch_op.add_column(
            sa.Column("checks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True)
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("instrument", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("checks")
        batch_op.drop_column("instrument")
