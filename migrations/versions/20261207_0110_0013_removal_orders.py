"""Carry removal orders (Regulation (EU) 2021/784) in the orders tables

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:10:00

A removal order is an order of its own type with two states of its own (removed, impossible), six
messages and one clock (the hour of Art. 3(3)); an addressee may be registered as the provider's
contact point (Art. 15) or legal representative (Art. 17) for removal orders. Each enumeration is a
VARCHAR with a named CHECK, replaced here with the wider list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_TYPES = ("epoc", "epoc-pr")
ORDER_STATES = (
    *("draft", "issued", "received", "acknowledged", "preserved", "clarification_requested"),
    *("under_review", "suspended", "produced", "partially_produced", "not_executed", "refused"),
    *("enforcement_requested", "enforcement_refused", "preservation_ended", "withdrawn", "closed"),
)
MESSAGE_TYPES = (
    *("epoc", "epoc-pr", "clarification-answer", "order-decision", "court-review-outcome", "withdrawal"),
    *("new-deadline", "preservation-extension", "production-request-confirmation", "preservation-release"),
    *("ex-post-validation", "closure", "enforcement-request", "response", "acknowledgement"),
    *("preservation-notice", "clarification-request", "immunity-concern", "third-country-objection"),
    *("enforcing-review", "enforcement-decision", "evidence-manifest"),
)
CLOCK_KINDS = (
    *("production", "enforcing_review", "objection_window", "clarification", "ex_post_validation"),
    *("preservation", "enforcement_decision"),
)
REMOVAL_MESSAGES = (
    *("removal-order", "removal-confirmation", "removal-impossibility", "impossibility-ceased"),
    *("removal-clarification-request", "removal-clarification"),
)
REMOVAL_ROLES = ("contact_point", "legal_representative")

# (table, column, CHECK name, values before, values after)
CHECKS = (
    ("orders", "order_type", "order_type", ORDER_TYPES, (*ORDER_TYPES, "removal-order")),
    ("orders", "state", "order_state", ORDER_STATES, (*ORDER_STATES, "removed", "impossible")),
    ("orders", "resume_state", "resume_state", ORDER_STATES, (*ORDER_STATES, "removed", "impossible")),
    ("messages", "message_type", "message_type", MESSAGE_TYPES, (*MESSAGE_TYPES, *REMOVAL_MESSAGES)),
    ("order_clocks", "kind", "clock_kind", CLOCK_KINDS, (*CLOCK_KINDS, "removal")),
)


def _checks(widened: bool) -> None:
    """Replace each CHECK with its wider (going up) or its former (going down) list of values."""
    for table, column, name, before, after in CHECKS:
        listed = ", ".join(f"'{value}'" for value in (after if widened else before))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{name}"), f"{column} IN ({listed})")


def upgrade() -> None:
    _checks(widened=True)
    with op.batch_alter_table("addressees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "removal_role",
                sa.Enum(
                    *REMOVAL_ROLES, name="removal_role", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    # Revision 0012 has no words for a removal order; rather than delete signed records, refuse.
    held = op.get_bind().scalar(sa.text("SELECT count(*) FROM orders WHERE order_type = 'removal-order'"))
    if held:
        raise RuntimeError(f"{held} removal order(s) are stored; revision 0012 cannot hold them")
    with op.batch_alter_table("addressees", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_addressees_removal_role"), type_="check")
        batch_op.drop_column("removal_role")
    _checks(widened=False)
