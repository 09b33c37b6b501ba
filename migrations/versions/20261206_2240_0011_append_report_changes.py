"""Append report tally changes instead of updating the shared tally rows in every order's transaction

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:40:00

Thousands of orders of one State and day share a tally row; updated by each order's own transaction,
that row made every such transaction wait for the one before it to commit. An order's change now
appends rows here, the worker folds them into the tallies, and reports read both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _order_type() -> sa.Enum:
    """order_type as the orders table has it: VARCHAR(32) with a named CHECK, one per table."""
    return sa.Enum("epoc", "epoc-pr", name="order_type", native_enum=False, create_constraint=True, length=32)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "report_art28_changes",
        _id(),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("order_type", _order_type(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("refusal_ground", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("data_orders", sa.Integer(), nullable=False),
        sa.Column("data_us", sa.BigInteger(), nullable=False),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("confirmation_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_art28_changes")),
    )
    op.create_table(
        "report_transparency_changes",
        _id(),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("order_type", _order_type(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("disclosed", sa.Boolean(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_transparency_changes")),
    )


def downgrade() -> None:
    # Fold what is not folded yet, so going down loses no count: the tallies stay the whole story.
    connection = op.get_bind()
    for changes, tally, key, measures in (
        (
            "report_art28_changes",
            "report_art28_tallies",
            "span, bucket, country, order_type, status, reason, partial, notified, refusal_ground, dimension, value",
            ("orders", "data_orders", "data_us", "confirmations", "confirmation_us"),
        ),
        (
            "report_transparency_changes",
            "report_transparency_tallies",
            "provider_id, span, bucket, country, instrument, order_type, emergency, disclosed",
            ("requests", "targets"),
        ),
    ):
        sums = ", ".join(f"SUM({name})" for name in measures)
        added = ", ".join(f"{name} = {tally}.{name} + excluded.{name}" for name in measures)
        connection.execute(
            sa.text(
                f"INSERT INTO {tally} ({key}, {', '.join(measures)}) "  # noqa: S608 - fixed names only
                f"SELECT {key}, {sums} FROM {changes} WHERE true GROUP BY {key} "
                f"ON CONFLICT ({key}) DO UPDATE SET {added}"
            )
        )
    op.drop_table("report_transparency_changes")
    op.drop_table("report_art28_changes")
