"""Record providers' notices of procedures and scrutiny of removal orders (Regulation (EU) 2021/784 Arts. 3(2), 4)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:50:00

An authority records when it gave a hosting service provider information on its procedures and
deadlines (Art. 3(2)), so TCO-04 decides from the record; the host State's competent authority gets a
clock of its own, the 72 hours in which it may scrutinise the copy of a cross-border order (Art. 4(2)).
The clock kind is a VARCHAR with a named CHECK, replaced here with the wider list, as 0013 does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOCK_KINDS = (
    *("production", "enforcing_review", "objection_window", "clarification", "ex_post_validation"),
    *("preservation", "enforcement_decision", "removal"),
)


def _clock_kinds(kinds: Sequence[str]) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("order_clocks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_order_clocks_clock_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_order_clocks_clock_kind"), f"kind IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "removal_procedures_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuing_authority_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("means", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuing_authority_id"],
            ["organisations.id"],
            name=op.f("fk_removal_procedures_notices_issuing_authority_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_removal_procedures_notices_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_removal_procedures_notices_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_procedures_notices")),
    )
    op.create_index(
        "ix_removal_procedures_notices_pair",
        "removal_procedures_notices",
        ["issuing_authority_id", "provider_id", "given_at"],
        unique=False,
    )
    _clock_kinds((*CLOCK_KINDS, "scrutiny"))


def downgrade() -> None:
    # Revision 0016 has no scrutiny clock; rather than delete a running record, refuse.
    held = op.get_bind().scalar(sa.text("SELECT count(*) FROM order_clocks WHERE kind = 'scrutiny'"))
    if held:
        raise RuntimeError(f"{held} scrutiny clock(s) are stored; revision 0016 cannot hold them")
    _clock_kinds(CLOCK_KINDS)
    op.drop_index("ix_removal_procedures_notices_pair", table_name="removal_procedures_notices")
    op.drop_table("removal_procedures_notices")
