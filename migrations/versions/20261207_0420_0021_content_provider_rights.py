"""Carry the content provider's rights on removal orders (Regulation (EU) 2021/784 Arts. 10-11)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 04:20:00

A removal order gains four messages (the provider's information to the content provider, Art. 11(1)-(2);
the issuing authority's decision not to disclose and its renewal, Art. 11(3); a content provider's complaint
and its outcome, Art. 10) and two clocks (the withholding, and the two weeks a complaint's outcome is due
in). Each enumeration is a VARCHAR with a named CHECK, replaced here with the wider list, as 0019 and 0020
do; the lists below are every value revision 0020 leaves, then this revision's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as revision 0020 leaves them.
CLOCK_KINDS = (
    *("production", "enforcing_review", "objection_window", "clarification", "ex_post_validation"),
    *("preservation", "enforcement_decision", "removal", "scrutiny", "content_preservation", "service"),
)
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
)
NEW_MESSAGES = (
    *(
        "content-provider-information",
        "removal-withholding",
        "removal-complaint",
        "removal-complaint-outcome",
    ),
)
NEW_CLOCKS = ("withholding", "complaint")

# (table, column, CHECK name, values before, values after)
CHECKS = (
    ("messages", "message_type", "message_type", MESSAGE_TYPES, (*MESSAGE_TYPES, *NEW_MESSAGES)),
    ("order_clocks", "kind", "clock_kind", CLOCK_KINDS, (*CLOCK_KINDS, *NEW_CLOCKS)),
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


def downgrade() -> None:
    # Revision 0020 has no words for these; rather than delete signed records, refuse.
    bind = op.get_bind()
    messages = ", ".join(f"'{value}'" for value in NEW_MESSAGES)
    kinds = ", ".join(f"'{value}'" for value in NEW_CLOCKS)
    held = bind.scalar(
        sa.text(f"SELECT count(*) FROM messages WHERE message_type IN ({messages})")  # noqa: S608
    ) or bind.scalar(sa.text(f"SELECT count(*) FROM order_clocks WHERE kind IN ({kinds})"))  # noqa: S608
    if held:
        raise RuntimeError(
            "content providers' information, withholdings or complaints are stored; revision 0020 cannot hold them"
        )
    _checks(widened=False)
