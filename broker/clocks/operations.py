"""Starting, pausing, resuming, extending and stopping an order's clocks, with every pause recorded.

A primitive below the features: it knows clock rows, not orders. The caller (the workflow) decides
which clock moves and, when one starts, when it falls due (broker.orders.deadlines).
"""

import uuid
from datetime import datetime
from datetime import timedelta

from sqlalchemy import orm

from broker import problems
from broker.clock import to_rfc3339
from broker.clocks.models import PAUSED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.clocks.models import OrderClock
from broker.clocks.queries import get
from broker.lifecycle import Clock
from broker.lifecycle import Effect

DAY = timedelta(days=1)
PRESERVATION_EXTENSION = 30 * DAY  # Art. 11(1), Annex VI


def reminder_time(start: datetime, due: datetime) -> datetime:
    """A reminder a fifth of the way before the end, never more than a day ahead."""
    return due - min((due - start) / 5, DAY)


def start(
    session: orm.Session, now: datetime, order_id: uuid.UUID, kind: Clock, due: datetime, cause: str
) -> OrderClock:
    """Start (or restart, e.g. for a new deadline) a clock from `now`, falling due at `due`."""
    row = get(session, order_id, kind)
    if row is None:
        row = OrderClock(order_id=order_id, kind=kind, pauses=[], extended=False, breached=False)
        session.add(row)
    row.status, row.started_at, row.due_at, row.cause = RUNNING, now, due, cause
    # A window only closes on others; deadlines that someone must meet get a reminder.
    reminder = None if kind is Clock.OBJECTION_WINDOW else reminder_time(now, due)
    row.reminder_at, row.reminded_at, row.paused_at, row.fired_at = reminder, None, None, None
    row.breached = False
    session.flush()
    return row


def apply(
    session: orm.Session, now: datetime, order_id: uuid.UUID, kind: Clock, effect: Effect, cause: str
) -> OrderClock | None:
    """Pause, resume, stop or extend; effects on clocks that are not running are no-ops.

    Starting needs a due time, so it goes through `start`.
    """
    if effect is Effect.START:
        raise ValueError("start a clock with clocks.start(…, due, …)")
    row = get(session, order_id, kind)
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
        _extend(row, now)
    session.flush()
    return row


def extend_to(
    session: orm.Session, now: datetime, order_id: uuid.UUID, kind: Clock, until: datetime, cause: str
) -> OrderClock:
    """Move a running clock's end to `until`, a specified later instant (Regulation (EU) 2021/784, Art. 6(2));
    the caller checked that the clock runs and that `until` lies after its end."""
    row = get(session, order_id, kind)
    assert row is not None and row.status == RUNNING and until > row.due_at
    row.due_at, row.extended, row.cause = until, True, cause
    row.reminder_at, row.reminded_at = reminder_time(now, until), None
    session.flush()
    return row


def record_late(session: orm.Session, order_id: uuid.UUID, kind: Clock, done_at: datetime) -> None:
    """A deadline met only at `done_at`, strictly after its due time, is breached, even when the step
    that reports it stops the clock before a worker fired it; an earlier record stands."""
    row = get(session, order_id, kind)
    if row is not None and not row.breached and done_at > row.due_at:
        row.breached = True
        session.flush()


def stop_all(session: orm.Session, now: datetime, order_id: uuid.UUID, cause: str) -> None:
    """Stop every clock of an order whose execution has ended."""
    for kind in Clock:
        apply(session, now, order_id, kind, Effect.STOP, cause)


def _extend(row: OrderClock, now: datetime) -> None:
    """The one 30-day extension of a preservation (Annex VI), only before the current end."""
    if row.extended:
        raise problems.TransitionNotAllowed("the preservation was already extended once (Art. 11(1))")
    if row.status != RUNNING or row.due_at <= now:
        raise problems.TransitionNotAllowed(
            f"the preservation ended at {to_rfc3339(row.due_at)}; an extension must come before the end"
        )
    row.due_at += PRESERVATION_EXTENSION
    row.reminder_at, row.reminded_at, row.extended = reminder_time(now, row.due_at), None, True
