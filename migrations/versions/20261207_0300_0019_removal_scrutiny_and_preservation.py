"""Carry removal orders' cross-border scrutiny and the preservation of removed content (Regulation (EU) 2021/784 Arts. 4, 6)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 03:00:00

A removal order gains two states (ceased: the host State found an infringement, Art. 4(6); reinstated,
Art. 4(7)), five messages (the request for scrutiny, the host State's intention and decision, the
reinstatement, the extension of the preservation) and a clock (the six months of Art. 6(2)); an EPOC or
EPOC-PR may name the removal order whose preserved content it is addressed to. Providers' notifications of
Art. 18 of Regulation (EU) 2022/2065 (threats to life or safety) get a table of their own, and an emergency
EPOC may name the one it answers. Each enumeration is a VARCHAR with a named CHECK, replaced here with the
wider list, as 0013 and 0017 do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_STATES = (
    *("draft", "issued", "received", "acknowledged", "preserved", "clarification_requested"),
    *("under_review", "suspended", "produced", "partially_produced", "not_executed", "refused"),
    *("enforcement_requested", "enforcement_refused", "preservation_ended", "withdrawn", "closed"),
    *("removed", "impossible"),
)
MESSAGE_TYPES = (
    *("epoc", "epoc-pr", "clarification-answer", "order-decision", "court-review-outcome", "withdrawal"),
    *("new-deadline", "preservation-extension", "production-request-confirmation", "preservation-release"),
    *("ex-post-validation", "closure", "enforcement-request", "response", "acknowledgement"),
    *("preservation-notice", "clarification-request", "immunity-concern", "third-country-objection"),
    *("enforcing-review", "enforcement-decision", "evidence-manifest"),
    *("removal-order", "removal-confirmation", "removal-impossibility", "impossibility-ceased"),
    *("removal-clarification-request", "removal-clarification"),
)
CLOCK_KINDS = (
    *("production", "enforcing_review", "objection_window", "clarification", "ex_post_validation"),
    *("preservation", "enforcement_decision", "removal", "scrutiny"),
)
NEW_MESSAGES = (
    *("removal-scrutiny-request", "removal-scrutiny-intention", "removal-scrutiny-decision"),
    *("removal-reinstatement", "removal-preservation-extension"),
)

# (table, column, CHECK name, values before, values after)
CHECKS = (
    ("orders", "state", "order_state", ORDER_STATES, (*ORDER_STATES, "ceased", "reinstated")),
    ("orders", "resume_state", "resume_state", ORDER_STATES, (*ORDER_STATES, "ceased", "reinstated")),
    ("messages", "message_type", "message_type", MESSAGE_TYPES, (*MESSAGE_TYPES, *NEW_MESSAGES)),
    ("order_clocks", "kind", "clock_kind", CLOCK_KINDS, (*CLOCK_KINDS, "content_preservation")),
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
    op.create_table(
        "threat_notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("sender_kid", sa.String(length=43), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_threat_notifications_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["organisations.id"],
            name=op.f("fk_threat_notifications_recipient_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_kid"], ["signing_keys.kid"], name=op.f("fk_threat_notifications_sender_kid_signing_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threat_notifications")),
    )
    op.create_index(
        "ix_threat_notifications_recipient", "threat_notifications", ["recipient_id", "received_at", "id"]
    )
    op.create_index(
        "ix_threat_notifications_provider", "threat_notifications", ["provider_id", "received_at", "id"]
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removal_order_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_removal_order_id_orders"), "orders", ["removal_order_id"], ["id"]
        )
        batch_op.add_column(sa.Column("threat_notification_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_threat_notification_id_threat_notifications"),
            "threat_notifications",
            ["threat_notification_id"],
            ["id"],
        )


def downgrade() -> None:
    # Revision 0018 has no words for these; rather than delete signed records, refuse.
    bind = op.get_bind()
    listed = ", ".join(f"'{value}'" for value in NEW_MESSAGES)
    held = (
        bind.scalar(sa.text(f"SELECT count(*) FROM messages WHERE message_type IN ({listed})"))  # noqa: S608
        or bind.scalar(sa.text("SELECT count(*) FROM orders WHERE state IN ('ceased', 'reinstated')"))
        or bind.scalar(sa.text("SELECT count(*) FROM order_clocks WHERE kind = 'content_preservation'"))
        or bind.scalar(sa.text("SELECT count(*) FROM orders WHERE removal_order_id IS NOT NULL"))
        or bind.scalar(sa.text("SELECT count(*) FROM threat_notifications"))
    )
    if held:
        raise RuntimeError(
            "scrutiny, reinstatement or preservation records are stored; revision 0018 cannot hold them"
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_orders_threat_notification_id_threat_notifications"), type_="foreignkey"
        )
        batch_op.drop_column("threat_notification_id")
        batch_op.drop_constraint(batch_op.f("fk_orders_removal_order_id_orders"), type_="foreignkey")
        batch_op.drop_column("removal_order_id")
    op.drop_index("ix_threat_notifications_provider", table_name="threat_notifications")
    op.drop_index("ix_threat_notifications_recipient", table_name="threat_notifications")
    op.drop_table("threat_notifications")
    _checks(widened=False)
