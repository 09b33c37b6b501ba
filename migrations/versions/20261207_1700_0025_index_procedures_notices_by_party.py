"""Index notices of procedures by party and recording time, for GET /removal-notices

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 17:00:00

An authority's, a provider's and oversight's lists of notices of procedures (Regulation (EU)
2021/784, Art. 3(2); broker.orders.queries.procedures_notices) are newest first. The only index
was the pair one that TCO-04's twelve hours look up: a provider's list read every notice, and each
list sorted. With these, a page is a walk down the party's index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "removal_procedures_notices"


def upgrade() -> None:
    op.create_index(
        "ix_removal_procedures_notices_authority", TABLE, ["issuing_authority_id", "recorded_at", "id"]
    )
    op.create_index("ix_removal_procedures_notices_provider", TABLE, ["provider_id", "recorded_at", "id"])
    op.create_index("ix_removal_procedures_notices_recorded", TABLE, ["recorded_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_removal_procedures_notices_recorded", table_name=TABLE)
    op.drop_index("ix_removal_procedures_notices_provider", table_name=TABLE)
    op.drop_index("ix_removal_procedures_notices_authority", table_name=TABLE)
