"""Register Europol as a party: a recipient of DSA Art. 18(2) threat notifications

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:00:00

Regulation (EU) 2022/2065, Art. 18(2): where a hosting provider cannot identify the Member State concerned
with reasonable certainty, it informs the authorities of the State where it is established or has its
legal representative, or Europol, or both. Europol becomes a kind of organisation of its own (it is no
issuing or enforcing authority and takes no part in orders), at most one per registry.

The kind is a VARCHAR with a named CHECK, replaced here with the wider list, as 0019 to 0022 do; the list
below is every value revision 0022 leaves (those of revision 0001: no revision since changed them). The
CHECK that gives authorities their Art. 4 type names only the two authority kinds and stays as it is;
users' roles are unchanged (Europol's users are admins, caseworkers and auditors).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("issuing_authority", "enforcing_authority", "provider", "oversight_body")
EUROPOL = "europol"
ONE_EUROPOL = sa.text(f"kind = '{EUROPOL}'")


def _kinds(kinds: Sequence[str]) -> None:
    """Replace the organisations' kind CHECK with one that lists `kinds`."""
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_organisations_organisation_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_organisations_organisation_kind"), f"kind IN ({listed})"
        )


def upgrade() -> None:
    _kinds((*KINDS, EUROPOL))
    op.create_index(
        "uq_organisations_one_europol",
        "organisations",
        ["kind"],
        unique=True,
        postgresql_where=ONE_EUROPOL,
        sqlite_where=ONE_EUROPOL,
    )


def downgrade() -> None:
    # Revision 0022 has no word for Europol; rather than delete its users, keys and the signed notifications
    # addressed to it, refuse.
    held = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM organisations WHERE kind = :kind"), {"kind": EUROPOL}
    )
    if held:
        raise RuntimeError("Europol is registered; revision 0022 cannot hold it")
    op.drop_index("uq_organisations_one_europol", table_name="organisations")
    _kinds(KINDS)
