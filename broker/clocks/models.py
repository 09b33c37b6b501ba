"""One row per clock of an order: its due time, its pauses, and whether it has fired."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.lifecycle import Clock

RUNNING, PAUSED, STOPPED, FIRED = "running", "paused", "stopped", "fired"


class OrderClock(Base):
    """A deadline of one order. The worker finds due clocks with an indexed query on (status, due_at)."""

    __tablename__ = "order_clocks"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "kind"),
        sa.CheckConstraint("status IN ('running', 'paused', 'stopped', 'fired')", name="status"),
        sa.Index("ix_order_clocks_due", "status", "due_at"),
        sa.Index("ix_order_clocks_reminder", "status", "reminder_at"),
        # The enforcing authorities' review queue: running review windows, soonest end first.
        sa.Index("ix_order_clocks_review", "kind", "status", "due_at", "order_id"),
    )

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"))
    kind: orm.Mapped[Clock] = orm.mapped_column(enum_column(Clock, "clock_kind"))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    started_at: orm.Mapped[datetime]
    due_at: orm.Mapped[datetime]
    reminder_at: orm.Mapped[datetime | None]
    reminded_at: orm.Mapped[datetime | None]
    paused_at: orm.Mapped[datetime | None]
    # Pauses and resumptions as they happened: [{"paused_at": ..., "resumed_at": ..., "cause": ...}].
    pauses: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(sa.JSON)
    extended: orm.Mapped[bool] = orm.mapped_column(default=False)
    fired_at: orm.Mapped[datetime | None]
    breached: orm.Mapped[bool] = orm.mapped_column(default=False)
    cause: orm.Mapped[str] = orm.mapped_column(sa.String(200))

    def __repr__(self) -> str:
        return f"<OrderClock {self.kind} {self.status} due {self.due_at:%Y-%m-%d %H:%M}>"
