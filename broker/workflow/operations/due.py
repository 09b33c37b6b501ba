"""What happens when a clock falls due: reminders, breach records, automatic ends, expiries.

`fire_next` handles one due clock in the caller's transaction. A clock is claimed with a
conditional UPDATE (still running and due, reminder still unset), and PostgreSQL's SKIP LOCKED keeps
workers off rows another holds, so several workers never fire one clock twice; a worker killed
mid-way rolls back and the clock stays due.

A notified EPOC's production clock does not expire while its transfer is held, nor at the instant the
hold ends: the addressee may transfer only from that instant (Art. 8(4), 10(2);
broker.orders.deadlines.production_held), so its breach is recorded only strictly after it. A treaty
order's clock is in time at its last instant too (broker.legal.routes.breached), and a clock its route
words as a minimum (Budapest Art. 29(7): at least 60 days) ends nothing when it falls due: the worker
records that the minimum was reached, and the order runs on until its issuer ends it.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.audit.operations import record
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.clocks import operations as clocks
from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock as Kind
from broker.orders.deadlines import order_route
from broker.orders.deadlines import production_held
from broker.orders.deadlines import treaty_last_instant
from broker.orders.deadlines import treaty_timer
from broker.orders.models import Order
from broker.orders.operations import tell
from broker.reports.operations import recount
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState

# Clocks whose expiry is a missed legal deadline (recorded as a breach, the order keeps its state).
# Regulation (EU) 2021/784, Art. 10(2): a complaint's outcome owed within two weeks is one too.
DEADLINES = {Kind.PRODUCTION, Kind.CLARIFICATION, Kind.ENFORCEMENT_DECISION, Kind.REMOVAL, Kind.COMPLAINT}
# The cause a request for scrutiny gives the scrutiny clock it starts again (steps.apply_clocks).
SCRUTINY_REQUESTED = MessageType.REMOVAL_SCRUTINY_REQUEST.value


# The worker's instant, bound when a statement runs: the statements below are built once, not per round
# (building production_held's aliased subquery was most of a round's time).
NOW: sa.BindParameter[Any] = sa.bindparam("now")


def _expired(now: sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    """Running and past its due time, unless it is a production deadline whose transfer is held.

    A removal order's hour includes its last instant (Regulation (EU) 2021/784, Art. 3(3): "within one
    hour"; broker.orders.deadlines.removal_breached), so it expires only strictly after it; so does a
    complaint's two weeks (Art. 10(2): "within two weeks").
    """
    last_instant_of_hour = sa.and_(
        OrderClock.kind.in_([Kind.REMOVAL, Kind.COMPLAINT]), OrderClock.due_at == now
    )
    return sa.and_(
        OrderClock.status == RUNNING,
        OrderClock.due_at <= now,
        sa.not_(production_held(now)),
        sa.not_(last_instant_of_hour),
        sa.not_(treaty_last_instant(now)),
    )


def _due(now: sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    reminder_due = sa.and_(OrderClock.reminder_at <= now, OrderClock.reminded_at.is_(None))
    return sa.or_(_expired(now), sa.and_(OrderClock.status == RUNNING, reminder_due))


EXPIRED = _expired(NOW)
# The earliest due clock or reminder that no other worker holds.
NEXT_DUE = (
    sa.select(OrderClock)
    .where(_due(NOW))
    .order_by(OrderClock.due_at)
    .limit(1)
    .with_for_update(skip_locked=True)
)
REMINDER_DUE = sa.and_(
    OrderClock.status == RUNNING, OrderClock.reminded_at.is_(None), OrderClock.reminder_at <= NOW
)


LOST = ""  # another worker claimed the clock first: nothing done here, but more may be due


def fire_next(session: orm.Session, clock: Clock) -> str | None:
    """Handle the earliest due clock or reminder: what was done, LOST, or None when nothing is due."""
    now = clock()
    row = session.scalar(NEXT_DUE, {"now": now})
    if row is None:
        return None
    order = session.get_one(Order, row.order_id)
    if session.scalar(sa.select(EXPIRED).where(OrderClock.id == row.id), {"now": now}):
        return _expire(session, clock, now, order, row)
    return _remind(session, clock, now, order, row)


def _claim(session: orm.Session, row: OrderClock, now: datetime, **changes: object) -> bool:
    # Still due as read: without row locks (SQLite) the clock may have been restarted since.
    condition = EXPIRED if "status" in changes else REMINDER_DUE
    result = session.execute(
        sa.update(OrderClock).where(OrderClock.id == row.id, condition).values(**changes), {"now": now}
    )
    claimed: int = result.rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult has it
    session.refresh(row)
    return claimed == 1


def _remind(session: orm.Session, clock: Clock, now: datetime, order: Order, row: OrderClock) -> str:
    if not _claim(session, row, now, reminded_at=now):
        return LOST
    details = {"clock": row.kind.value, "due_at": to_rfc3339(row.due_at)}
    record(
        session,
        clock,
        action="clock.reminder",
        object_type="order",
        object_id=order.id,
        actor=None,
        system="worker",
        details=details,
    )
    tell(session, clock, order, "clock.reminder", details)
    return f"reminder: {row.kind.value} of order {order.id} due {to_rfc3339(row.due_at)}"


def _missed(row: OrderClock) -> bool:
    """A missed legal deadline: a deadline's clock, or the host State's scrutiny window that a reasoned
    request made a duty to decide within 72 hours (Regulation (EU) 2021/784, Art. 4(4))."""
    return row.kind in DEADLINES or (row.kind is Kind.SCRUTINY and row.cause == SCRUTINY_REQUESTED)


def _expire(session: orm.Session, clock: Clock, now: datetime, order: Order, row: OrderClock) -> str:
    missed = _missed(row)
    if not _claim(session, row, now, status=FIRED, fired_at=now, breached=missed):
        return LOST
    details = {"clock": row.kind.value, "due_at": to_rfc3339(row.due_at)}
    timer = treaty_timer(order, row.kind)
    if missed:
        action = "deadline.missed"
    elif timer is not None and timer.at_least:
        # Budapest Art. 29(7): "not less than sixty days", then until the request is decided.
        action = "preservation.minimum_reached"
        details |= {"citation": timer.citation, "then": timer.then}
    elif row.kind is Kind.PRESERVATION:
        action = "order.preservation_ended"
        _end(session, clock, order, OrderState.PRESERVATION_ENDED, details)
    elif row.kind is Kind.EX_POST_VALIDATION:
        # Art. 4(5): no validation within 48 hours: the order is withdrawn and the data received deleted.
        action = "order.withdrawn"
        order.deletion_required = True
        details["cause"] = "ex-post validation not obtained within 48 hours (Art. 4(5))"
        _end(session, clock, order, OrderState.WITHDRAWN, details)
    elif row.kind is Kind.SERVICE:
        action = _service_overdue(session, clock, order, details)
    elif row.kind is Kind.ENFORCING_REVIEW:
        action = "enforcing_review.ended"  # Art. 10(2): the addressee may now transfer the data
    elif row.kind is Kind.SCRUTINY:
        action = "scrutiny_window.closed"  # Regulation (EU) 2021/784, Art. 4(3): the 72 hours are over
    elif row.kind is Kind.CONTENT_PRESERVATION:
        # Regulation (EU) 2021/784, Art. 6(2): the provider no longer has to preserve the removed content.
        action = "content_preservation.ended"
    elif row.kind is Kind.WITHHOLDING:
        # Regulation (EU) 2021/784, Art. 11(3): the decision not to disclose ran out, unrenewed; the provider
        # informs the content provider now (Art. 11(1)-(2)). Not a breach.
        action = "withholding.ended"
    else:
        action = "objection_window.closed"
    order.updated_at = now
    recount(session, order)
    record(
        session,
        clock,
        action=action,
        object_type="order",
        object_id=order.id,
        actor=None,
        system="worker",
        details=details,
    )
    tell(session, clock, order, action, details)
    return f"{action}: {row.kind.value} of order {order.id} was due {to_rfc3339(row.due_at)}"


def _service_overdue(session: orm.Session, clock: Clock, order: Order, details: dict[str, Any]) -> str:
    """The route's authority has not served the order in time (broker.legal.routes): under COPO s.9(1) the
    order is treated as quashed and ends; under CETS 224 Art. 8 the issuing Party may ask why."""
    route = order_route(order)
    assert route is not None, "only an order on a treaty route has a service clock"
    timer = route.timer("service")
    details |= {"citation": timer.citation, "then": timer.then}
    if timer.ends_order:
        _end(session, clock, order, OrderState.WITHDRAWN, details)
        return "order.quashed"
    return "service.overdue"


def _end(
    session: orm.Session, clock: Clock, order: Order, state: OrderState, details: dict[str, Any]
) -> None:
    details["state"] = {"from": order.state.value, "to": state.value}
    order.state = state
    clocks.stop_all(session, clock(), order.id, "order ended")
