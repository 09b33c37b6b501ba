"""Index orders by type and issue time, for the reports' removal-order figures

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 14:00:00

The Art. 28 and transparency reports count the removal orders issued in their period
(broker.reports.removal.figures). Without an index that query read every order: 0.1 s of the Art. 28
report's 0.1 s at 100,000 orders, growing with them (docs/performance.md, Reports at a million orders).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_type_issued", "orders", ["order_type", "issued_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_type_issued", table_name="orders")
