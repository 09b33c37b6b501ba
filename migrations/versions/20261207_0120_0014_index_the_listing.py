"""Index every order by creation, newest first, as oversight lists and searches them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:20:00

An oversight body sees every order, newest first (created_at, then id, both descending), paged by
keyset. Without an index the database sorted the whole orders table for every page; this one, read
backwards, yields each page in order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_listing", "orders", ["created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_listing", table_name="orders")
