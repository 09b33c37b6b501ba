"""Starting, pausing, resuming, extending and stopping an order's clocks, with every pause recorded.

Durations follow the Regulation (Arts. 4(5), 10, 11, 12, 16, 17) and, for the Council of Europe
instruments, the deadline the legal engine derived (broker.legal Report.derived["deadline"]).
"""

from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.clock import to_rfc3339
from broker.clocks.models import PAUSED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.lifecycle import Effect
from broker.orders.models import Order
from broker.workdays import OutsideCalendar
from broker.workdays import UnknownState
from broker.workdays import add_working_days

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# The production (or preservation) clock per deadline kind the legal engine derives.
DEADLINES = {
    "emergency_8h": 8 * HOUR,  # Art. 10(4)
    "10_days": 10 * DAY,  # Art. 10(2)-(3)
    "preservation_60_days": 60 * DAY,  # Art. 11(1)
    "preservation_at_least_60_days": 60 * DAY,  # Budapest Art. 29(7)
    "art7_30_days": 30 * DAY,  # CETS 224 Art. 7 (UNCONFIRMED)
    "art8_20_days": 20 * DAY,  # CETS 224 Art. 8 (UNCONFIRMED)
    "art8_45_days": 45 * DAY,  # CETS 224 Art. 8 (UNCONFIRMED)
    "art9_emergency": 8 * HOUR,  # CETS 224 Art. 9: as fast as an EU emergency (UNCONFIRMED)
}
PRESERVATION_EXTENSION = 30 * DAY  # Art. 11(1), Annex VI
CLARIFICATION_REACTION = 5 * DAY  # Art. 10(6) (UNCONFIRMED)
OBJECTION_WINDOW = 10 * DAY  # Art. 17 (UNCONFIRMED)
EX_POST_VALIDATION = 48 * HOUR  # Art. 4(5)
ENFORCEMENT_WORKING_DAYS = 5  # Art. 16(2)


def due_time(kind: Clock, order: Order, start: datetime) -> datetime:
    """When a clock started at `start` falls due for this order."""
    if kind in (Clock.PRODUCTION, Clock.PRESERVATION):
        deadline = ((order.checks or {}).get("derived") or {}).get("deadline")
        return start + DEADLINES.get(deadline, 10 * DAY)
    if kind is Clock.ENFORCING_REVIEW:
        return start + (96 * HOUR if order.emergency else 10 * DAY)  # Art. 12(1), 10(4)
    if kind is Clock.OBJECTION_WINDOW:
        return start + OBJECTION_WINDOW
    if kind is Clock.CLARIFICATION:
        return start + CLARIFICATION_REACTION
    if kind is Clock.EX_POST_VALIDATION:
        return start + EX_POST_VALIDATION
    return enforcement_deadline(start, order.addressee.country)


def enforcement_deadline(start: datetime, state: str) -> datetime:
    """Five working days in the enforcing State (Art. 16(2)).

    Without holiday data for that State or year, count Monday to Friday only: a deadline that may
    fall early but never late.
    """
    try:
        return add_working_days(start, ENFORCEMENT_WORKING_DAYS, state)
    except (UnknownState, OutsideCalendar):
        day, counted = start, 0
        while counted < ENFORCEMENT_WORKING_DAYS:
            day += DAY
            counted += day.weekday() < 5
        return day


def reminder_time(start: datetime, due: datetime) -> datetime:
    """A reminder a fifth of the way before the end, never more than a day ahead."""
    return due - min((due - start) / 5, DAY)


def get(session: orm.Session, order: Order, kind: Clock) -> OrderClock | None:
    """The order's clock of this kind, if it was ever started, locked for this transaction.

    The row lock keeps a worker (which skips locked rows) from firing a clock that this step is
    pausing, stopping or restarting at the same moment.
    """
    return session.scalar(
        sa.select(OrderClock)
        .where(OrderClock.order_id == order.id, OrderClock.kind == kind)
        .with_for_update()
    )


def start(
    session: orm.Session, now: datetime, order: Order, kind: Clock, cause: str, due_at: datetime | None = None
) -> OrderClock:
    """Start (or restart, e.g. for a new deadline) a clock from `now`."""
    due = due_at or due_time(kind, order, now)
    row = get(session, order, kind)
    if row is None:
        row = OrderClock(order_id=order.id, kind=kind, pauses=[], extended=False, breached=False)
        session.add(row)
    row.status, row.started_at, row.due_at, row.cause = RUNNING, now, due, cause
    # A window only closes on others; deadlines that someone must meet get a reminder.
    reminder = None if kind is Clock.OBJECTION_WINDOW else reminder_time(now, due)
    row.reminder_at, row.reminded_at, row.paused_at, row.fired_at = reminder, None, None, None
    row.breached = False
    session.flush()
    return row


def apply(
    session: orm.Session, now: datetime, order: Order, kind: Clock, effect: Effect, cause: str
) -> OrderClock | None:
    """One effect from the lifecycle table; effects on clocks that are not running are no-ops."""
    if effect is Effect.START:
        return start(session, now, order, kind, cause)
    row = get(session, order, kind)
    if row is None:
        return None
    if effect is Effect.PAUSE and row.status == RUNNING:
        row.status, row.paused_at = PAUSED, now
        row.pauses = [*row.pauses, {"paused_at": to_rfc3339(now), "resumed_at": None, "cause": cause}]
    elif effect is Effect.RESUME and row.status == PAUSED and row.paused_at is not None:
        # The time the clock stood still is added back: the deadline moves by exactly the pause.
        paused_for = now - row.paused_at
        row.due_at += paused_for
        if row.reminder_at is not None and row.reminded_at is None:
            row.reminder_at += paused_for
        row.status, row.paused_at = RUNNING, None
        row.pauses = [*row.pauses[:-1], {**row.pauses[-1], "resumed_at": to_rfc3339(now)}]
    elif effect is Effect.STOP and row.status in (RUNNING, PAUSED):
        row.status = STOPPED
    elif effect is Effect.EXTEND:
        extend(row, now)
    session.flush()
    return row


def extend(row: OrderClock, now: datetime) -> None:
    """The one 30-day extension of a preservation (Annex VI), only before the current end."""
    if row.extended:
        raise problems.TransitionNotAllowed("the preservation was already extended once (Art. 11(1))")
    if row.status != RUNNING or row.due_at <= now:
        raise problems.TransitionNotAllowed(
            f"the preservation ended at {to_rfc3339(row.due_at)}; an extension must come before the end"
        )
    row.due_at += PRESERVATION_EXTENSION
    row.reminder_at, row.reminded_at, row.extended = reminder_time(now, row.due_at), None, True


def is_open(session: orm.Session, order: Order, kind: Clock, now: datetime) -> bool:
    """True while the clock stands paused, or runs and its time has not come: a window closes at its due
    time by the injected clock, whether or not a worker has fired it yet."""
    row = get(session, order, kind)
    return row is not None and (row.status == PAUSED or (row.status == RUNNING and now < row.due_at))


def transfer_held_until(session: orm.Session, order: Order, now: datetime) -> datetime | None:
    """Until when a notified, non-emergency EPOC's data must wait for the enforcing authority (Art. 8(4),
    10(2), 12(1)); None once its review window closed, it confirmed it will not object, or no hold applies."""
    if order.enforcing_authority_id is None or order.emergency or order.transfer_released_at is not None:
        return None
    if not is_open(session, order, Clock.ENFORCING_REVIEW, now):
        return None
    review = get(session, order, Clock.ENFORCING_REVIEW)
    assert review is not None
    return review.due_at
