"""Give orders their full lifecycle: clocks, read markers, enforcing authority and duties

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:04:49.874063
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOCK_KINDS = (
    "production",
    "enforcing_review",
    "objection_window",
    "clarification",
    "ex_post_validation",
    "preservation",
    "enforcement_decision",
)
ORDER_STATES = (
    "draft",
    "issued",
    "received",
    "acknowledged",
    "preserved",
    "clarification_requested",
    "under_review",
    "suspended",
    "produced",
    "partially_produced",
    "not_executed",
    "refused",
    "enforcement_requested",
    "enforcement_refused",
    "preservation_ended",
    "withdrawn",
    "closed",
)


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "order_clocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum(CLOCK_KINDS, "clock_kind"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("reminder_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'paused', 'stopped', 'fired')", name=op.f("ck_order_clocks_status")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_clocks_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_clocks")),
        sa.UniqueConstraint("order_id", "kind", name=op.f("uq_order_clocks_order_id_kind")),
    )
    with op.batch_alter_table("order_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_order_clocks_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_order_clocks_reminder", ["status", "reminder_at"], unique=False)
    op.create_table(
        "order_reads",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_reads_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_order_reads_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", "order_id", name=op.f("pk_order_reads")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enforcing_authority_id", sa.Uuid(), nullable=True))
        # Existing orders carry no duties and were last changed when created: backfill, then drop defaults.
        batch_op.add_column(
            sa.Column("ex_post_validation_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("deletion_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("transfer_released_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resume_state", _enum(ORDER_STATES, "resume_state"), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_enforcing_authority_id_organisations"),
            "organisations",
            ["enforcing_authority_id"],
            ["id"],
        )
    op.execute("UPDATE orders SET updated_at = created_at")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("ex_post_validation_required", server_default=None)
        batch_op.alter_column("deletion_required", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_orders_enforcing_authority_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_constraint(batch_op.f("ck_orders_resume_state"), type_="check")
        batch_op.drop_column("resume_state")
        batch_op.drop_column("transfer_released_at")
        batch_op.drop_column("deletion_required")
        batch_op.drop_column("ex_post_validation_required")
        batch_op.drop_column("enforcing_authority_id")
    op.drop_table("order_reads")
    with op.batch_alter_table("order_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_order_clocks_reminder")
        batch_op.drop_index("ix_order_clocks_due")
    op.drop_table("order_clocks")
