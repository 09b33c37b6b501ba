"""Register providers' other establishments (Art. 7(2) of Regulation (EU) 2023/1543)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:30:00

An addressee may now be one of the provider's other establishments or legal representatives in the
Union, which an emergency order reaches only by the exception of Art. 7(2). The addressee type is a
VARCHAR with a named CHECK, replaced here with the wider list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DESIGNATED = ("designated_establishment", "legal_representative")
WIDENED = (*DESIGNATED, "other_establishment")


def _addressee_types(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table("addressees", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_addressees_addressee_type"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_addressees_addressee_type"), f"addressee_type IN ({listed})"
        )


def upgrade() -> None:
    _addressee_types(WIDENED)


def downgrade() -> None:
    # Revision 0015 has no word for another establishment; rather than delete registry rows, refuse.
    held = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM addressees WHERE addressee_type = 'other_establishment'")
    )
    if held:
        raise RuntimeError(f"{held} other establishment(s) are registered; revision 0015 cannot hold them")
    _addressee_types(DESIGNATED)
