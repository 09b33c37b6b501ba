"""The way an order travels under an instrument other than the Regulation, and the clocks on that way.

The Regulation's route is broker.lifecycle's table: the certificate goes straight to the provider's
addressee, and the enforcing State is notified where Art. 8 says so. The Council of Europe treaties and
the UK's overseas production orders go other ways: through the requested Party's authority, its 24/7
point of contact, or the UK authority that alone may serve the order. Each way is data here, with who
receives the order first, who is told at the same time, the clocks that run and from which event, what
happens when they fall due, and the article behind each, so a workflow and the docs read the same table.

Clocks are reckoned as the law words them: a number of days from an instant (the treaties), or a period
"beginning with the day" of an event, in the UK's calendar (the Crime (Overseas Production Orders) Act
2019). The last instant of a period is in time; the breach is every instant after it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from broker.legal.facts import Facts
from broker.legal.model import Confidence
from broker.legal.reference import ReferenceData
from broker.lifecycle import Clock
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import TreatyRefusalGround

V, V2, U = Confidence.CONFIRMED, Confidence.SECONDARY, Confidence.UNCONFIRMED
PROTOCOL = "Second Additional Protocol (CETS 224)"
# What the search for the Protocol's text found (2026-12-07), for the routes whose articles it did not reach.
PROTOCOL_SEARCHED = (
    "legal-rules.md §3.2 (article bodies not read). Searched 2026-12-07 (pages, docs: 'Second Additional "
    "Protocol Article 8 giving effect to orders', 'Article 9 expedited disclosure emergency 24/7'): found the "
    "Protocol's preamble (pace.coe.int Doc. 15316; a copy on scribd.com) but no body of Art. 8 or 9, so their "
    "periods and steps stay UNCONFIRMED; the treaty chart at verdragenbank.overheid.nl lists the ratifications "
    "of Japan (10-08-2023) and Serbia (09-02-2023)"
)
BUDAPEST = "Budapest Convention (CETS 185)"
COPO = "Crime (Overseas Production Orders) Act 2019"
UK_TIME = ZoneInfo("Europe/London")  # COPO periods count the UK's calendar days


class Channel(StrEnum):
    """Who receives the order from the issuing authority."""

    ADDRESSEE = "addressee"  # the provider itself (CETS 224 Art. 7)
    REQUESTED_PARTY = "requested_party"  # the requested Party's competent authority, which acts on it
    POINT_OF_CONTACT = "point_of_contact_24_7"  # the requested Party's 24/7 network point of contact
    DESIGNATED_AUTHORITY = "designated_authority"  # COPO s.9: the Secretary of State or the Lord Advocate


class Event(StrEnum):
    """The event a clock runs from."""

    RECEIPT = "receipt"  # the first recipient (the Channel) takes delivery
    SERVICE = "service"  # the requested Party, or the UK authority, serves the order on the provider
    ORDER_MADE = "order_made"  # the judge makes the order (COPO)


class Reckoning(StrEnum):
    """How a clock's length is counted."""

    ELAPSED = "elapsed"  # a fixed span from the instant of the event
    UK_DAYS = "uk_days"  # whole UK calendar days, the event's own day counting as the first
    UK_MONTHS = "uk_months"  # calendar months beginning with the event's UK day


@dataclass(frozen=True)
class Timer:
    """One clock on a route: how long, from which event, and what its end means."""

    name: str
    runs_from: Event
    length: int  # in the unit of `reckoning`: hours (ELAPSED), days (UK_DAYS) or months (UK_MONTHS)
    reckoning: Reckoning
    at_least: bool  # a minimum: the clock does not end by itself at its due instant (Budapest Art. 29(7))
    then: str  # what follows when it falls due
    citation: str
    confidence: Confidence
    # Its end ends the order (COPO s.9(1): an order not served in time is treated as quashed); otherwise the
    # worker records that the clock fell due and the order runs on.
    ends_order: bool = False

    def describe(self) -> str:
        """'30 days', '8 hours', '3 UK calendar months': the clock's length in a sentence."""
        if self.reckoning is Reckoning.ELAPSED:
            days, hours = divmod(self.length, 24)
            length = f"{days} days" if not hours else f"{self.length} hours"
        else:
            unit = "UK days" if self.reckoning is Reckoning.UK_DAYS else "UK calendar months"
            length = f"{self.length} {unit}"
        return f"at least {length}" if self.at_least else length

    def due(self, start: datetime, length: int | None = None) -> datetime:
        """The instant the clock's period ends, still in time; `length` replaces the default length."""
        if start.tzinfo is None:
            raise ValueError("a route's instants must be aware: give the event's offset")
        count = self.length if length is None else length
        if count < 1:
            raise ValueError(f"{self.name}: a period of {count} cannot be reckoned")
        if self.reckoning is Reckoning.ELAPSED:
            return start + timedelta(hours=count)
        first = start.astimezone(UK_TIME).date()
        if self.reckoning is Reckoning.UK_DAYS:
            return _uk_midnight(first + timedelta(days=count))
        return _uk_midnight(_months_later(first, count))


def breached(due_at: datetime, now: datetime) -> bool:
    """In time up to and including the due instant; a breach every instant after it."""
    return now > due_at


def _uk_midnight(day: date) -> datetime:
    """The first instant of `day` in the UK, which closes a period that ends with the day before."""
    return datetime.combine(day, time(), UK_TIME)


def _months_later(first: date, months: int) -> date:
    """The day after a period of `months` beginning with `first` ends.

    The period ends with the day before the corresponding date; where that month is too short to have
    one (a period beginning on 30 November), it ends with the month's last day.
    """
    index = first.month - 1 + months
    year, month = first.year + index // 12, index % 12 + 1
    try:
        return first.replace(year=year, month=month)
    except ValueError:
        return date(year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Refusal:
    """The grounds on which the requested Party may refuse to give effect to an order on a route, and the
    article; the refusal is its signed requested-party-refusal message to the issuing authority, which
    ends the order's execution and its clocks (broker.lifecycle)."""

    grounds: tuple[TreatyRefusalGround, ...]
    citation: str
    confidence: Confidence
    source: str


@dataclass(frozen=True)
class Route:
    """How an order under one instrument travels, and the clocks that run on the way."""

    name: str  # the instrument
    channel: Channel
    timers: tuple[Timer, ...]
    # Who is told at the same time as the first recipient, where the law or a Party's declaration says so.
    notify: str | None
    # What the issuing side may still use once the provider refused or stayed silent.
    follow_up: tuple[str, ...]
    citation: str
    confidence: Confidence
    when: str = ""  # which orders under the instrument take this route, where it has more than one
    source: str = ""  # what was read for the route, and where; what stays unread stays UNCONFIRMED
    # Whether, and on what grounds, the route's authority may refuse to give effect to the order (None: it
    # may not refuse through the broker; the route's own answer is silence or its follow-up).
    refusal: Refusal | None = None

    def timer(self, name: str) -> Timer:
        """The route's clock of that name."""
        for timer in self.timers:
            if timer.name == name:
                return timer
        raise KeyError(f"{self.name} has no {name!r} clock")


def _days(days: int) -> int:
    return days * 24


ART7_DISCLOSURE = Timer(
    "disclosure",
    Event.RECEIPT,
    _days(30),
    Reckoning.ELAPSED,
    at_least=False,
    then="the provider has refused or stayed silent: the issuing Party may pursue the order only under "
    "Art. 8 or by mutual legal assistance",
    citation=f"{PROTOCOL}, Art. 7(7)",
    confidence=U,
)
ART8_SERVICE = Timer(
    "service",
    Event.RECEIPT,
    _days(45),
    Reckoning.ELAPSED,
    at_least=False,
    then="the requested Party has not served the order despite reasonable efforts: ask it why",
    citation=f"{PROTOCOL}, Art. 8",
    confidence=U,
)
ART8_SUBSCRIBER = Timer(
    "production",
    Event.SERVICE,
    _days(20),
    Reckoning.ELAPSED,
    at_least=False,
    then="the provider is late with the subscriber information; the requested Party enforces its order",
    citation=f"{PROTOCOL}, Art. 8",
    confidence=U,
)
ART8_TRAFFIC = Timer(
    "production",
    Event.SERVICE,
    _days(45),
    Reckoning.ELAPSED,
    at_least=False,
    then="the provider is late with the traffic data; the requested Party enforces its order",
    citation=f"{PROTOCOL}, Art. 8",
    confidence=U,
)
ART9_DISCLOSURE = Timer(
    "disclosure",
    Event.RECEIPT,
    8,
    Reckoning.ELAPSED,
    at_least=False,
    then="the emergency request is late: the broker's reading of 'expedited', as fast as an EU emergency "
    "(Art. 10(4) of Regulation (EU) 2023/1543)",
    citation=f"{PROTOCOL}, Art. 9(1)",
    confidence=U,
)
ART29_PRESERVATION = Timer(
    "preservation",
    Event.RECEIPT,
    _days(60),
    Reckoning.ELAPSED,
    at_least=True,
    then="preservation goes on until the requested Party decides on the mutual legal assistance request",
    citation=f"{BUDAPEST}, Art. 29(7)",
    confidence=V2,
)
COPO_SERVICE = Timer(
    "service",
    Event.ORDER_MADE,
    3,
    Reckoning.UK_MONTHS,
    at_least=False,
    then="an order not served within 3 months beginning with the day it was made is treated as quashed",
    citation=f"{COPO}, s.9(1)",
    confidence=V,
    ends_order=True,
)
COPO_COMPLIANCE = Timer(
    "compliance",
    Event.SERVICE,
    7,
    Reckoning.UK_DAYS,
    at_least=False,
    then="the respondent has not produced or given access to the data within the period (7 days unless the "
    "judge set another)",
    citation=f"{COPO}, s.5",
    confidence=V2,
)

G = TreatyRefusalGround
ART8_REFUSAL = Refusal(
    (G.POLITICAL_OFFENCE, G.ESSENTIAL_INTERESTS, G.MUTUAL_ASSISTANCE_LAW),
    f"{PROTOCOL}, Art. 8(7); {BUDAPEST}, Art. 25(4), 27(4)",
    U,
    "Art. 8(7) as the broker reads it: the requested Party may refuse to execute the request on the grounds "
    "of Art. 25(4) or 27(4) of the Convention (the requested Party's law and mutual assistance treaties; a "
    "political offence; its sovereignty, security, ordre public or other essential interests), and notifies "
    "the requesting Party of the refusal as soon as practicable. Searched 2026-12-07 (pages, docs: 'Second "
    "Additional Protocol Article 8 paragraph 7 requested Party may refuse', 'CETS 224 Article 8 giving "
    "effect to orders grounds of refusal'): no text of Art. 8 found, only the grounds of Art. 2 of the "
    "European Convention on Mutual Assistance in Criminal Matters (aimartins.com), so the paragraph, its "
    "grounds and the notification stay UNCONFIRMED",
)
ART29_REFUSAL = Refusal(
    (G.DUAL_CRIMINALITY, G.POLITICAL_OFFENCE, G.ESSENTIAL_INTERESTS),
    f"{BUDAPEST}, Art. 29(4)-(5)",
    V,
    "Art. 29(4)-(5) read 2026-12-07 in two copies of the Convention's text (ankara.pol.tr; the Dutch treaty "
    "series at inview.nl, Trb. 2004, 18): 'a request for preservation may only be refused if' (a) a "
    "political offence or one connected with it, (b) its sovereignty, security, ordre public or other "
    "essential interests; and (4) dual criminality, only for a Party that reserved it and for offences other "
    "than those of Arts. 2-11. Whether the Party made the reservation of Art. 29(4) is not in the broker's "
    "reference data: the authority answers for it",
)

ART7 = Route(
    "cets-224-art7",
    Channel.ADDRESSEE,
    (ART7_DISCLOSURE,),
    notify="the requested Party's competent authority, where it declared so under Art. 7(5)(a)",
    follow_up=("cets-224-art8", "mutual legal assistance"),
    citation=f"{PROTOCOL}, Art. 7(1), (5)(a), (7)",
    confidence=U,
)
ART8_SUBSCRIBER_ROUTE = Route(
    "cets-224-art8",
    Channel.REQUESTED_PARTY,
    (ART8_SERVICE, ART8_SUBSCRIBER),
    notify=None,
    follow_up=("mutual legal assistance",),
    citation=f"{PROTOCOL}, Art. 8",
    confidence=U,
    when="subscriber information only",
    source=PROTOCOL_SEARCHED,
    refusal=ART8_REFUSAL,
)
ART8_TRAFFIC_ROUTE = Route(
    "cets-224-art8",
    Channel.REQUESTED_PARTY,
    (ART8_SERVICE, ART8_TRAFFIC),
    notify=None,
    follow_up=("mutual legal assistance",),
    citation=f"{PROTOCOL}, Art. 8",
    confidence=U,
    when="with traffic data",
    source=PROTOCOL_SEARCHED,
    refusal=ART8_REFUSAL,
)
ART9 = Route(
    "cets-224-art9",
    Channel.POINT_OF_CONTACT,
    (ART9_DISCLOSURE,),
    notify=None,
    follow_up=("cets-224-art8", "mutual legal assistance"),
    citation=f"{PROTOCOL}, Art. 9(1)(a)",
    confidence=U,
    source=PROTOCOL_SEARCHED,
)
ART29 = Route(
    "cets-185-art29",
    Channel.REQUESTED_PARTY,
    (ART29_PRESERVATION,),
    notify=None,
    follow_up=("mutual legal assistance",),
    citation=f"{BUDAPEST}, Art. 29(1), (3), (7)",
    confidence=V2,
    source="legal-rules.md §3.1; Art. 29(1)-(3) read 2026-12-07 in a copy of the Convention's text "
    "(study-me.ru): (2) lists what the request specifies, (3) the requested Party preserves expeditiously "
    "under its domestic law, so the broker carries the request to the requested Party's authority, which "
    "has it preserved by the provider (receive, serve)",
    refusal=ART29_REFUSAL,
)
OVERSEAS = Route(
    "uk-copo-2019",
    Channel.DESIGNATED_AUTHORITY,
    (COPO_SERVICE, COPO_COMPLIANCE),
    notify=None,
    follow_up=("mutual legal assistance",),
    citation=f"{COPO}, ss.5, 9",
    confidence=V2,
    source="ss.1, 3 and 9 read 2026-12-07 at legislation.gov.uk (ukpga/2019/5, enacted and revised); s.5's "
    "default period of 7 days from a secondary source (legal-rules.md §5, U6), s.5 not read",
)

TREATY_ROUTES: Mapping[Instrument, Route] = {
    Instrument.CETS_185_ART29: ART29,
    Instrument.CETS_224_ART7: ART7,
    Instrument.CETS_224_ART8: ART8_TRAFFIC_ROUTE,
    Instrument.CETS_224_ART9: ART9,
}


def route(facts: Facts, reference: ReferenceData) -> Route | None:
    """The route of a treaty order, or None for the Regulation's (broker.lifecycle)."""
    chosen = TREATY_ROUTES.get(facts.instrument)
    if chosen is ART8_TRAFFIC_ROUTE and DataCategory.TRAFFIC not in facts.categories:
        return ART8_SUBSCRIBER_ROUTE
    if chosen is ART7:
        party = reference.protocol_parties.get(facts.enforcing_state)
        declared = party is not None and party.art7_simultaneous_notification
        told = f"the competent authority of {facts.enforcing_state} (its declaration under Art. 7(5)(a))"
        return replace(ART7, notify=told if declared else None)
    return chosen


ALL_ROUTES: tuple[Route, ...] = (ART29, ART7, ART8_SUBSCRIBER_ROUTE, ART8_TRAFFIC_ROUTE, ART9, OVERSEAS)

# The instruments whose orders the broker carries through the authority of their route's Channel, which
# takes delivery and then serves the order on the provider (broker.lifecycle, Via.AUTHORITY): every route
# whose first recipient is not the provider itself. The routes' data decide, so Budapest Art. 29's request
# goes to the requested Party (ART29.channel), which has it preserved under its own law (Art. 29(3)).
SERVED_BY_AUTHORITY: frozenset[str] = frozenset(
    chosen.name for chosen in ALL_ROUTES if chosen.channel is not Channel.ADDRESSEE
)
# The order clock each route clock runs as: the provider's period is the production (or preservation)
# clock whatever the route calls it, so the worker, the inbox and the reports read one clock.
CLOCK_OF_TIMER: Mapping[str, Clock] = {
    "service": Clock.SERVICE,
    "production": Clock.PRODUCTION,
    "disclosure": Clock.PRODUCTION,
    "compliance": Clock.PRODUCTION,
    "preservation": Clock.PRESERVATION,
}


def timers_from(chosen: Route, event: Event) -> tuple[tuple[Clock, Timer], ...]:
    """The route's clocks that run from this event, each with the order clock it runs as."""
    return tuple((CLOCK_OF_TIMER[timer.name], timer) for timer in chosen.timers if timer.runs_from is event)
