"""Record which person a signing key belongs to

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:30:00

The new column is nullable and stays empty for the keys already registered: the broker never knew
who held them, and a key registered for a machine (an API client, an HSM, a national system) has
no person at all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_signing_keys_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_signing_keys_user_id_users"), "users", ["user_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_signing_keys_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_signing_keys_user_id"))
        batch_op.drop_column("user_id")
