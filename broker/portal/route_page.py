"""An order on its own route (broker.legal.routes) on its order page: who takes it first, who serves it
on the provider, and the clocks of the way.

A Council of Europe order under CETS 224 Art. 8 or 9, a Budapest Art. 29 request and a UK overseas
production order reach the provider through an authority, which takes delivery and serves it; a CETS
224 Art. 7 order goes to the provider directly. The page tells the parties which way the order goes,
the article that says so, the time to serve (the `service` clock) and the provider's period, in the
words of the route's data, so that the page and docs/legal-rules.md say the same.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from broker.clocks.models import OrderClock
from broker.legal.model import Confidence
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.legal.routes import Channel
from broker.legal.routes import Event
from broker.legal.routes import Reckoning
from broker.legal.routes import Timer
from broker.lifecycle import Clock
from broker.orders.deadlines import order_route
from broker.orders.models import Order
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.i18n import ngettext
from broker.portal.i18n import translate

CHANNELS = {
    Channel.ADDRESSEE: N_("Directly to the provider"),
    Channel.REQUESTED_PARTY: N_("Through the requested Party's competent authority, which serves it"),
    Channel.POINT_OF_CONTACT: N_("Through the requested Party's 24/7 point of contact, which passes it on"),
    Channel.DESIGNATED_AUTHORITY: N_(
        "Through the UK authority that alone may serve it (the Secretary of State or the Lord Advocate)"
    ),
}
EVENTS = {
    Event.RECEIPT: N_("from receipt by the first recipient"),
    Event.SERVICE: N_("from service on the provider"),
    Event.ORDER_MADE: N_("from the day the order was made"),
}


@dataclass(frozen=True)
class Period:
    """One clock of the route in words: its length, from which event, and the article."""

    length: str
    runs_from: str
    citation: str
    unconfirmed: bool


@dataclass(frozen=True)
class OrderRoute:
    """What the order page shows of the order's route."""

    instrument: str
    way: str  # the channel, in words
    citation: str
    through_authority: bool
    periods: list[Period]
    service: OrderClock | None  # the time to serve, once it started
    served_at: datetime | None
    timed_service: bool  # the route sets a time to serve (CETS 224 Art. 8, COPO s.9; not Budapest Art. 29)


def of(order: Order, clocks: Iterable[OrderClock]) -> OrderRoute | None:
    """The route part of the page; None for the Regulation's orders and removal orders."""
    route = order_route(order)
    if route is None:
        return None
    return OrderRoute(
        route.name,
        translate(CHANNELS[route.channel]),
        route.citation,
        route.name in SERVED_BY_AUTHORITY,
        [
            Period(
                length(timer),
                translate(EVENTS[timer.runs_from]),
                timer.citation,
                timer.confidence is Confidence.UNCONFIRMED,
            )
            for timer in route.timers
        ],
        next((clock for clock in clocks if clock.kind is Clock.SERVICE), None),
        order.served_at,
        any(timer.name == "service" for timer in route.timers),
    )


def length(timer: Timer) -> str:
    """The clock's length in the person's language, as Timer.describe words it in English."""
    if timer.reckoning is Reckoning.ELAPSED:
        days, hours = divmod(timer.length, 24)
        if hours:
            told = ngettext("%(num)d hour", "%(num)d hours", timer.length)
        else:
            told = ngettext("%(num)d day", "%(num)d days", days)
    elif timer.reckoning is Reckoning.UK_DAYS:
        told = ngettext("%(num)d UK calendar day", "%(num)d UK calendar days", timer.length)
    else:
        told = ngettext("%(num)d UK calendar month", "%(num)d UK calendar months", timer.length)
    return _("at least %(length)s", length=told) if timer.at_least else told
