"""Carry orders that an authority serves on the provider (CETS 224 Art. 8, 9) and UK overseas production orders

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:00:00

Such an order (and a UK overseas production order, an order type of its own with the respondent's refusal
of excepted electronic data as a message) goes first to the authority of its route (the requested Party's competent authority, its
24/7 point of contact, or the UK authority that serves overseas production orders), which takes delivery
(state awaiting_service) and serves it (state served, `orders.served_at`); the time to serve is a clock of
its own (`service`). An enforcing authority may be registered as its State's 24/7 point of contact or as
the designated authority (`organisations.treaty_role`). Each enumeration is a VARCHAR with a named CHECK,
replaced here with the wider list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as revision 0019 leaves them.
ORDER_STATES = (
    *("draft", "issued", "received", "acknowledged", "preserved", "clarification_requested"),
    *("under_review", "suspended", "produced", "partially_produced", "not_executed", "refused"),
    *("enforcement_requested", "enforcement_refused", "preservation_ended", "withdrawn", "closed"),
    *("removed", "impossible", "ceased", "reinstated"),
)
CLOCK_KINDS = (
    *("production", "enforcing_review", "objection_window", "clarification", "ex_post_validation"),
    *("preservation", "enforcement_decision", "removal", "scrutiny", "content_preservation"),
)
ORDER_TYPES = ("epoc", "epoc-pr", "removal-order")
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
)
OVERSEAS = "overseas-production-order"  # COPO: an order type, and the message that issues it
OVERSEAS_MESSAGES = (OVERSEAS, "excepted-data-refusal")
ROUTE_STATES = ("awaiting_service", "served")
TREATY_ROLES = ("point_of_contact_24_7", "designated_authority")

# (table, column, CHECK name, values before, values after)
CHECKS = (
    ("orders", "state", "order_state", ORDER_STATES, (*ORDER_STATES, *ROUTE_STATES)),
    ("orders", "resume_state", "resume_state", ORDER_STATES, (*ORDER_STATES, *ROUTE_STATES)),
    ("order_clocks", "kind", "clock_kind", CLOCK_KINDS, (*CLOCK_KINDS, "service")),
    ("orders", "order_type", "order_type", ORDER_TYPES, (*ORDER_TYPES, OVERSEAS)),
    ("messages", "message_type", "message_type", MESSAGE_TYPES, (*MESSAGE_TYPES, *OVERSEAS_MESSAGES)),
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
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("served_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "treaty_role",
                sa.Enum(
                    *TREATY_ROLES, name="treaty_role", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    # Revision 0019 has no words for an order served by an authority; rather than delete records, refuse.
    held = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM orders WHERE served_at IS NOT NULL OR state IN ('awaiting_service', 'served') "
            "OR id IN (SELECT order_id FROM order_clocks WHERE kind = 'service') "
            "OR order_type = 'overseas-production-order'"
        )
    )
    if held:
        raise RuntimeError(f"{held} order(s) went through an authority; revision 0019 cannot hold them")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_organisations_treaty_role"), type_="check")
        batch_op.drop_column("treaty_role")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("served_at")
    _checks(widened=False)
