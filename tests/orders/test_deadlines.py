"""The deadline shown for an order: its soonest running clock, the production deadline on a tie."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.queries import deadlines


def test_when_two_clocks_fall_due_together_the_production_deadline_is_shown(exchange, database, clock):
    """A notified EPOC's deadline and the end of its review window fall on one instant (Art. 10(2)-(3))."""
    order_id = uuid.UUID(exchange.issue(exchange.draft())["id"])
    due = clock() + timedelta(days=10)
    with database.transaction() as session:
        session.execute(sa.delete(OrderClock).where(OrderClock.order_id == order_id))
        for kind in (Clock.ENFORCING_REVIEW, Clock.PRODUCTION, Clock.OBJECTION_WINDOW):
            session.add(
                OrderClock(
                    order_id=order_id,
                    kind=kind,
                    status="running",
                    started_at=clock(),
                    due_at=due,
                    pauses=[],
                    cause="test",
                )
            )
    with database.transaction() as session:
        shown = deadlines(session, [order_id])[order_id]
    assert (shown.clock, shown.due_at) == (Clock.PRODUCTION.value, due)
