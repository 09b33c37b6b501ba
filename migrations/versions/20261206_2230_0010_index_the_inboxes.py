"""Index each party's inbox in the order it is read: party, emergency, last change, id

Revision ID: 0010
Revises: portal01
Create Date: 2026-12-06 22:30:00

The inbox is paged by keyset (emergencies first, then most recently changed). With an index per
party column in exactly that order, a page is one index walk whatever the number of orders; without
it the database sorted all of a party's orders for every page.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "portal01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIES = ("provider", "issuing_authority", "enforcing_authority")


def upgrade() -> None:
    for party in PARTIES:
        op.create_index(
            f"ix_orders_{party}_inbox",
            "orders",
            [f"{party}_id", "emergency", "updated_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    for party in reversed(PARTIES):
        op.drop_index(f"ix_orders_{party}_inbox", table_name="orders")
