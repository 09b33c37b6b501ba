"""When an order's clocks fall due, and the transfer hold that follows from the enforcing review.

Durations follow the Regulation (Arts. 4(5), 10, 11, 12, 16, 17) and, for the Council of Europe
instruments, the clock of their route (broker.legal.routes) named by the deadline the legal engine
derived (broker.legal Report.derived["deadline"]). The removal order's hour (Regulation (EU) 2021/784,
Art. 3(3)) is here too, as a pure reckoning.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.clocks import queries as clock_queries
from broker.clocks.models import PAUSED
from broker.clocks.models import STOPPED
from broker.clocks.models import OrderClock
from broker.legal import routes
from broker.legal.removal import WITHHOLDING_AT_MOST
from broker.legal.routes import Route
from broker.legal.routes import Timer
from broker.lifecycle import Clock
from broker.lifecycle import Effect
from broker.orders.models import Order
from broker.workdays import OutsideCalendar
from broker.workdays import UnknownState
from broker.workdays import add_working_days

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# The production (or preservation) clock per deadline kind the legal engine derives: the Regulation's.
DEADLINES = {
    "emergency_8h": 8 * HOUR,  # Art. 10(4)
    "10_days": 10 * DAY,  # Art. 10(2)-(3)
    "preservation_60_days": 60 * DAY,  # Art. 11(1)
}
# The treaties' are their routes' own clocks, so the worker runs what docs/legal-rules.md says.
TREATY_TIMERS: Mapping[str, Timer] = {
    "preservation_at_least_60_days": routes.ART29_PRESERVATION,  # Budapest Art. 29(7)
    "art7_30_days": routes.ART7_DISCLOSURE,  # CETS 224 Art. 7(7)
    "art8_20_days": routes.ART8_SUBSCRIBER,  # CETS 224 Art. 8, from service on the provider
    "art8_45_days": routes.ART8_TRAFFIC,
    "art9_emergency": routes.ART9_DISCLOSURE,  # CETS 224 Art. 9(1)
}
CLARIFICATION_REACTION = 5 * DAY  # Art. 10(6) (UNCONFIRMED)
OBJECTION_WINDOW = 10 * DAY  # Art. 17 (UNCONFIRMED)
EX_POST_VALIDATION = 48 * HOUR  # Art. 4(5)
ENFORCEMENT_WORKING_DAYS = 5  # Art. 16(2)
REMOVAL_HOUR = HOUR  # Regulation (EU) 2021/784, Art. 3(3): "in any event within one hour of receipt"
SCRUTINY_WINDOW = 72 * HOUR  # Regulation (EU) 2021/784, Art. 4(3)-(4): 72 hours from the copy or the request
# Regulation (EU) 2021/784, Art. 4(4): a request for scrutiny within 48 hours of receiving the order, or the
# Art. 11(2) information (UNCONFIRMED, tco-dsa.md TCO-12); the 48th hour's last instant is still in time.
SCRUTINY_REQUEST_WINDOW = 48 * HOUR
# Regulation (EU) 2021/784, Art. 6(2): removed content and related data are preserved for six months from
# the removal (six months read in a secondary source [TA1]; UNCONFIRMED in the Official Journal, TCO-15).
CONTENT_PRESERVATION_MONTHS = 6
# Regulation (EU) 2021/784, Art. 11(3): no disclosure to the content provider for at most 6 weeks from the
# decision, which may be renewed by a further 6 weeks while still justified; once, as read (UNCONFIRMED,
# tco-dsa.md TCO-17). Annex I (g) is checked against the same 6 weeks (broker.legal.removal).
WITHHOLDING_PERIOD = WITHHOLDING_AT_MOST
WITHHOLDING_RENEWALS = 1
# Regulation (EU) 2021/784, Art. 10(2): the complainant learns the outcome within two weeks of the complaint's
# receipt (read in Tech Against Terrorism's guide only; UNCONFIRMED in the Official Journal, TCO-18).
COMPLAINT_OUTCOME = 14 * DAY


def due_time(kind: Clock, order: Order, start: datetime) -> datetime:
    """When a clock started at `start` falls due for this order."""
    if kind in (Clock.PRODUCTION, Clock.PRESERVATION):
        timer = treaty_timer(order, kind)
        if timer is not None:
            return timer.due(start)
        return start + DEADLINES.get(_deadline(order), 10 * DAY)
    if kind is Clock.ENFORCING_REVIEW:
        return start + (96 * HOUR if order.emergency else 10 * DAY)  # Art. 12(1), 10(4)
    if kind is Clock.OBJECTION_WINDOW:
        return start + OBJECTION_WINDOW
    if kind is Clock.CLARIFICATION:
        return start + CLARIFICATION_REACTION
    if kind is Clock.EX_POST_VALIDATION:
        return start + EX_POST_VALIDATION
    if kind is Clock.REMOVAL:
        return start + REMOVAL_HOUR
    if kind is Clock.SCRUTINY:
        return start + SCRUTINY_WINDOW
    if kind is Clock.SERVICE:
        route = order_route(order)
        assert route is not None, "only an order served by an authority has a service clock"
        return route.timer("service").due(start)
    if kind is Clock.CONTENT_PRESERVATION:
        return add_months(start, CONTENT_PRESERVATION_MONTHS)
    if kind is Clock.WITHHOLDING:
        return start + WITHHOLDING_PERIOD
    if kind is Clock.COMPLAINT:
        return start + COMPLAINT_OUTCOME
    return enforcement_deadline(start, order.addressee.country)


def annex_withholding_end(order: Order) -> datetime | None:
    """Annex I (g), Art. 11(3): the instant the withholding decided in the removal order itself ends: the
    first instant, UTC, of its `until` day, the first day the provider may tell the content provider (the
    wire gives a day without a time zone; reading it as UTC is the broker's choice). None: no withholding."""
    withholding = (order.certificate or {}).get("withholding")
    if not withholding:
        return None
    return datetime.combine(date.fromisoformat(withholding["until"]), time(), UTC)


def add_months(start: datetime, months: int) -> datetime:
    """The same instant `months` calendar months later; a day the month lacks becomes its last day
    (31 August + 6 months is 28 or 29 February), so the period never runs into the month after."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    following = datetime(year + month // 12, month % 12 + 1, 1)
    last_day = (following - DAY).day
    return start.replace(year=year, month=month, day=min(start.day, last_day))


def treaty_timer(order: Order, kind: Clock) -> Timer | None:
    """The treaty route's clock behind this order's production or preservation clock, if it has one."""
    if kind not in (Clock.PRODUCTION, Clock.PRESERVATION):
        return None
    return TREATY_TIMERS.get(_deadline(order))


def order_route(order: Order) -> Route | None:
    """The route of an order outside the Regulation, with the clocks its facts choose; None for the
    Regulation's own orders (broker.lifecycle) and removal orders."""
    if order.instrument == routes.OVERSEAS.name:
        return routes.OVERSEAS
    chosen = next((r for i, r in routes.TREATY_ROUTES.items() if i.value == order.instrument), None)
    if chosen is routes.ART8_TRAFFIC_ROUTE and _deadline(order) == "art8_20_days":
        return routes.ART8_SUBSCRIBER_ROUTE  # subscriber information only: 20 days from service
    return chosen


def route_length(order: Order, timer: Timer) -> int | None:
    """The length a route's clock runs for on this order, where not its default: the compliance period a
    judge set on an overseas production order (COPO s.5); None: the route's own length."""
    if timer is routes.COPO_COMPLIANCE:
        days = (order.certificate or {}).get("compliance_period_days")
        return int(days) if days else None
    return None


def _deadline(order: Order) -> str:
    return str(((order.checks or {}).get("derived") or {}).get("deadline"))


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


def transfer_held_until(session: orm.Session, order: Order, now: datetime) -> datetime | None:
    """Until when a notified, non-emergency EPOC's data must wait for the enforcing authority (Art. 8(4),
    10(2), 12(1)); None once its review window closed, it confirmed it will not object, or no hold applies."""
    if order.enforcing_authority_id is None or order.emergency or order.transfer_released_at is not None:
        return None
    if not clock_queries.is_open(session, order.id, Clock.ENFORCING_REVIEW, now):
        return None
    review = clock_queries.get(session, order.id, Clock.ENFORCING_REVIEW)
    assert review is not None
    return review.due_at


# Art. 10(2): where the enforcing State is notified, the addressee transmits the data "at the end of
# that 10-day period", and the notification suspends the transfer until then (Art. 8(4)). The end of
# the hold is therefore the first instant the addressee may transfer, not the last: it cannot be in
# breach at that instant, only after it. The broker allows no grace period beyond it (the Regulation
# gives none). Where the hold is lifted early, by a confirmation that no ground for refusal will be
# raised, Art. 10(2) second sentence gives the ordinary deadline (the end of the 10-day period, a
# breach from that instant on, as under Art. 10(3)).
BREACH_AFTER_HOLD = "Regulation (EU) 2023/1543, Art. 8(4), Art. 10(2)"


def production_held(now: datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    """SQL: this row (an OrderClock) is a production clock whose transfer is still held at `now`.

    Held means: the order was notified to an enforcing authority without an emergency, the authority
    has not released the transfer early, and its review window (Art. 12(1)) has not passed `now`. The
    window's own instant counts as held for the breach (Art. 8(4), 10(2)), though the transfer
    is allowed from it: the worker records a missed production deadline only strictly after the end of
    the hold, whichever of the two falls later.
    """
    review = orm.aliased(OrderClock)
    order = orm.aliased(Order)
    hold = (
        sa.select(review.id)
        .join(order, order.id == review.order_id)
        .where(
            review.order_id == OrderClock.order_id,
            review.kind == Clock.ENFORCING_REVIEW,
            review.status != STOPPED,  # stopped: released early, refused or withdrawn
            sa.or_(review.status == PAUSED, review.due_at >= now),
            order.emergency.is_(False),
            order.transfer_released_at.is_(None),
        )
        .exists()
    )
    return sa.and_(OrderClock.kind == Clock.PRODUCTION, hold)


def treaty_last_instant(now: datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    """SQL: this row (an OrderClock) is a treaty order's production or preservation clock whose last
    instant is `now`: still in time, since a treaty period's breach is every instant after it
    (broker.legal.routes.breached)."""
    instruments = sorted({str(i) for i in routes.TREATY_ROUTES} | routes.SERVED_BY_AUTHORITY)
    treaty_order = (
        sa.select(Order.id).where(Order.id == OrderClock.order_id, Order.instrument.in_(instruments)).exists()
    )
    return sa.and_(
        OrderClock.kind.in_([Clock.PRODUCTION, Clock.PRESERVATION, Clock.SERVICE]),
        OrderClock.due_at == now,
        treaty_order,
    )


def removal_due(steps: Iterable[tuple[Effect | None, datetime]]) -> datetime | None:
    """When a removal order's hour ends after these steps, or None while it waits or once it stopped.

    `steps` are the clock effects of broker.lifecycle.REMOVAL_RULES in the order they happened, each
    with the instant it took effect: receipt, the instant the reasons of an impossibility ceased
    (Art. 3(7)), the receipt of a clarification (Art. 3(8)). Each start gives a full hour, not what was
    left of the last: the Regulation says the deadline starts to run then.
    """
    due: datetime | None = None
    for effect, at in steps:
        if at.tzinfo is None:
            raise ValueError("a removal order's instants must be aware: the hour is reckoned in UTC")
        if effect is Effect.START:
            due = at + REMOVAL_HOUR
        elif effect in (Effect.PAUSE, Effect.STOP):
            due = None
    return due


def removal_breached(due_at: datetime | None, now: datetime) -> bool:
    """Art. 3(3): removal "within one hour" is in time up to and including the hour's last instant;
    the breach is every instant after it, and none while the hour waits or once it stopped."""
    return due_at is not None and now > due_at
