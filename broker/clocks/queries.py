"""Reading an order's clocks: one clock (locked for the step that reads it) and whether a window is open."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.clocks.models import PAUSED
from broker.clocks.models import RUNNING
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock


def get(session: orm.Session, order_id: uuid.UUID, kind: Clock) -> OrderClock | None:
    """The order's clock of this kind, if it was ever started, locked for this transaction.

    The row lock keeps a worker (which skips locked rows) from firing a clock that this step is
    pausing, stopping or restarting at the same moment.
    """
    return session.scalar(
        sa.select(OrderClock)
        .where(OrderClock.order_id == order_id, OrderClock.kind == kind)
        .with_for_update()
    )


def is_open(session: orm.Session, order_id: uuid.UUID, kind: Clock, now: datetime) -> bool:
    """True while the clock stands paused, or runs and its time has not come: a window closes at its due
    time by the injected clock, whether or not a worker has fired it yet."""
    row = get(session, order_id, kind)
    return row is not None and (row.status == PAUSED or (row.status == RUNNING and now < row.due_at))


def of_order(session: orm.Session, order_id: uuid.UUID) -> list[OrderClock]:
    """Every clock of an order, in the order they started (for its timeline)."""
    return list(
        session.scalars(
            sa.select(OrderClock).where(OrderClock.order_id == order_id).order_by(OrderClock.started_at)
        )
    )
