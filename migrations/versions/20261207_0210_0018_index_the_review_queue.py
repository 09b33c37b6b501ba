"""Index the enforcing authorities' review queue and the reviews they recorded

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 02:10:00

The review queue lists the notified orders whose review window (Art. 12(1)) runs, soonest end first;
the reviewed list, an authority's own enforcing-review messages, newest first. Each page is one walk
down one of these indexes, with no sort (broker/orders/reviews.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_order_clocks_review", "order_clocks", ["kind", "status", "due_at", "order_id"], unique=False
    )
    op.create_index(
        "ix_messages_sent", "messages", ["sender_id", "message_type", "received_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_messages_sent", table_name="messages")
    op.drop_index("ix_order_clocks_review", table_name="order_clocks")
