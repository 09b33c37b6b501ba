"""People choose which e-mails they receive: their choices, the outbox of e-mails, the 24/7 mailbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:00:00

The new column is nullable and the new tables empty: nobody is mailed until an operator configures
SMTP (BROKER_SMTP_URL), and a person with no choices recorded receives every topic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOPICS = ("order_arrived", "deadline_near", "deadline_passed", "message_received")
# Only unsent, unfailed mails are ever due: the workers' index holds only those.
UNSENT = "sent_at IS NULL AND failed_at IS NULL"


def _topic() -> sa.Enum:
    return sa.Enum(*TOPICS, name="mail_topic", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table("addressees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emergency_email", sa.String(length=254), nullable=True))

    op.create_table(
        "mail_choices",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("topic", _topic(), nullable=False),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mail_choices_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "topic", name=op.f("pk_mail_choices")),
    )

    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("topic", _topic(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_type", sa.String(length=32), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("clock", sa.String(length=32), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_mail_outbox_order_id_orders")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mail_outbox_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_outbox_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text(UNSENT),
            sqlite_where=sa.text(UNSENT),
        )
        batch_op.create_index(batch_op.f("ix_mail_outbox_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_order_id"))
        batch_op.drop_index("ix_mail_outbox_due")
    op.drop_table("mail_outbox")
    op.drop_table("mail_choices")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later, PostgreSQL): batch mode would copy the
    # addressees table, and SQLite refuses to drop the original while orders refer to it.
    op.execute("ALTER TABLE addressees DROP COLUMN emergency_email")
