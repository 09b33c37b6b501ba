"""Carry the requested Party's refusal of a Council of Europe order; count overseas production orders

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 04:30:00

The authority of a CETS 224 Art. 8 order or a Budapest Art. 29 request, as the requested Party, may refuse
to give effect to it (CETS 224 Art. 8(7); Budapest Art. 29(4)-(5)): a signed message of its own,
requested-party-refusal, which takes the order to the existing state refused. UK overseas production
orders count in the provider's transparency report, per instrument, as every order it received; Art. 28's
tallies stay the Regulation's certificates alone, so their CHECKs keep epoc and epoc-pr.

Each enumeration is a VARCHAR with a named CHECK, replaced here with the wider list, as 0019, 0020 and 0021
do; each list below is every value revision 0021 leaves (the report tables still have the values of
revisions 0009 and 0011), then this revision's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as revision 0021 leaves them.
MESSAGE_TYPES = (
    *("epoc", "epoc-pr", "clarification-answer", "order-decision", "court-review-outcome", "withdrawal"),
    *("new-deadline", "preservation-extension", "production-request-confirmation", "preservation-release"),
    *("ex-post-validation", "closure", "enforcement-request", "response", "acknowledgement"),
    *("preservation-notice", "clarification-request", "immunity-concern", "third-country-objection"),
    *("enforcing-review", "enforcement-decision", "evidence-manifest"),
    *("removal-order", "removal-confirmation", "removal-impossibility", "impossibility-ceased"),
    *("removal-clarification-request", "removal-clarification"),
    *("removal-scrutiny-request", "removal-scrutiny-intention", "removal-scrutiny-decision"),
    *("removal-reinstatement", "removal-preservation-extension"),
    *("overseas-production-order", "excepted-data-refusal"),
    *(
        "content-provider-information",
        "removal-withholding",
        "removal-complaint",
        "removal-complaint-outcome",
    ),
)
REFUSAL = "requested-party-refusal"
REPORTED_TYPES = ("epoc", "epoc-pr")  # the report tables' order types since revisions 0009 and 0011
OVERSEAS = "overseas-production-order"
# The tables the transparency report reads (report_orders feeds both reports; Art. 28's tallies never
# hold an overseas order: broker.reports.tallies.art28_cells counts only the Regulation's).
TRANSPARENCY_TABLES = ("report_orders", "report_transparency_tallies", "report_transparency_changes")

# (table, column, CHECK name, values before, values after)
CHECKS = (
    ("messages", "message_type", "message_type", MESSAGE_TYPES, (*MESSAGE_TYPES, REFUSAL)),
    *(
        (table, "order_type", "order_type", REPORTED_TYPES, (*REPORTED_TYPES, OVERSEAS))
        for table in TRANSPARENCY_TABLES
    ),
)


def _checks(widened: bool) -> None:
    """Replace each CHECK with its wider (going up) or its former (going down) list of values."""
    for table, column, name, before, after in CHECKS:
        listed = ", ".join(f"'{value}'" for value in (after if widened else before))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{name}"), f"{column} IN ({listed})")


def upgrade() -> None:
    # An overseas production order stored before this revision (revision 0020 brought them, unreleased) is
    # counted at its next step, when broker.reports.operations.recount finds it has no report_orders row;
    # one that never moves again is counted only by broker.reports.operations.rebuild.
    _checks(widened=True)


def downgrade() -> None:
    # Revision 0021 has no word for a requested Party's refusal; rather than delete signed records, refuse.
    held = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM messages WHERE message_type = :type"), {"type": REFUSAL}
    )
    if held:
        raise RuntimeError(f"{held} requested Party refusal(s) are stored; revision 0021 cannot hold them")
    # Revision 0021 counts no overseas production order: its statistics, derived from the orders, go.
    for table in TRANSPARENCY_TABLES:
        op.get_bind().execute(sa.text(f"DELETE FROM {table} WHERE order_type = :type"), {"type": OVERSEAS})  # noqa: S608
    _checks(widened=False)
