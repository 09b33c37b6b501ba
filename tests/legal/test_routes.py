"""The routes and clocks of the treaties and of UK overseas production orders (broker.legal.routes).

Each clock is tested at the instant before, at and after its end, citing the article it encodes.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from situations import Change
from situations import declare
from situations import put
from situations import situation

from broker.legal.facts import Facts
from broker.legal.routes import ALL_ROUTES
from broker.legal.routes import ART7
from broker.legal.routes import ART8_SUBSCRIBER_ROUTE
from broker.legal.routes import ART8_TRAFFIC_ROUTE
from broker.legal.routes import ART9
from broker.legal.routes import ART29
from broker.legal.routes import OVERSEAS
from broker.legal.routes import Channel
from broker.legal.routes import Route
from broker.legal.routes import Timer
from broker.legal.routes import breached
from broker.legal.routes import route
from broker.orders.deadlines import TREATY_TIMERS

TICK = timedelta(microseconds=1)
RECEIVED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _route(kind: str, *changes: Change) -> Route | None:
    order = situation(kind, *changes)
    return route(Facts.of(order.input()), order.reference)


@pytest.mark.parametrize(
    ("kind", "changes", "expected", "channel"),
    [
        ("art7", (), ART7, Channel.ADDRESSEE),  # Art. 7(1): directly to the provider
        ("art8", (), ART8_TRAFFIC_ROUTE, Channel.REQUESTED_PARTY),  # Art. 8: through the requested Party
        ("art8", (put("data_categories", ["subscriber"]),), ART8_SUBSCRIBER_ROUTE, Channel.REQUESTED_PARTY),
        ("art9", (), ART9, Channel.POINT_OF_CONTACT),  # Art. 9(1)(a): the 24/7 point of contact
        ("art29", (), ART29, Channel.REQUESTED_PARTY),  # Budapest Art. 29(1): Party to Party
    ],
    ids=["art7", "art8 traffic", "art8 subscriber", "art9", "art29"],
)
def test_each_treaty_order_takes_its_own_route(
    kind: str, changes: tuple[Change, ...], expected: Route, channel: Channel
) -> None:
    chosen = _route(kind, *changes)
    assert chosen is not None
    assert (chosen.name, chosen.timers, chosen.channel) == (expected.name, expected.timers, channel)


def test_the_regulation_has_no_treaty_route() -> None:
    assert _route("epoc") is None


def test_art7_notifies_only_a_party_that_declared_it() -> None:
    """Art. 7(5)(a): simultaneous notification only where the requested Party so declared."""
    plain = _route("art7")
    assert plain is not None and plain.notify is None
    declared = _route("art7", declare("RS", art7_simultaneous_notification=True))
    assert declared is not None and "RS" in (declared.notify or "")


def test_art7_refusal_or_silence_leaves_only_art8_or_mutual_assistance() -> None:
    """Art. 7(7): after 30 days without disclosure, only Art. 8 or mutual legal assistance."""
    assert ART7.follow_up == ("cets-224-art8", "mutual legal assistance")
    assert "cets-224-art7" not in ART7.follow_up


@pytest.mark.parametrize(
    ("kind", "changes", "clock"),
    [
        ("art7", (), "disclosure"),
        ("art8", (), "production"),
        ("art8", (put("data_categories", ["subscriber"]),), "production"),
        ("art9", (), "disclosure"),
        ("art29", (), "preservation"),
    ],
)
def test_the_workflow_clock_is_the_routes(kind: str, changes: tuple[Change, ...], clock: str) -> None:
    """The clock the order workflow runs on receipt (derived deadline) is the route's own."""
    order = situation(kind, *changes)
    chosen = route(Facts.of(order.input()), order.reference)
    assert chosen is not None
    assert TREATY_TIMERS[order.report().derived["deadline"]] is chosen.timer(clock)


ELAPSED = [
    (ART7.timer("disclosure"), timedelta(days=30)),  # CETS 224 Art. 7(7)
    (ART8_SUBSCRIBER_ROUTE.timer("service"), timedelta(days=45)),  # Art. 8: service
    (ART8_SUBSCRIBER_ROUTE.timer("production"), timedelta(days=20)),  # Art. 8: subscriber information
    (ART8_TRAFFIC_ROUTE.timer("production"), timedelta(days=45)),  # Art. 8: traffic data
    (ART9.timer("disclosure"), timedelta(hours=8)),  # Art. 9: the broker's reading of expedited
    (ART29.timer("preservation"), timedelta(days=60)),  # Budapest Art. 29(7): at least 60 days
]


@pytest.mark.parametrize(("timer", "length"), ELAPSED, ids=lambda t: getattr(t, "citation", str(t)))
def test_treaty_clocks_before_at_and_after_their_end(timer: Timer, length: timedelta) -> None:
    due = timer.due(RECEIVED)
    assert due == RECEIVED + length
    assert not breached(due, due - TICK)
    assert not breached(due, due)  # the last instant is still in time
    assert breached(due, due + TICK)


def test_budapest_preservation_is_a_minimum() -> None:
    assert ART29.timer("preservation").at_least
    assert ART29.timer("preservation").describe() == "at least 60 days"


@pytest.mark.parametrize(
    ("served", "due"),
    [
        # COPO s.5: 7 days beginning with the day of service, whatever its hour, in UK time.
        (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), datetime(2026, 12, 8, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 23, 59, tzinfo=UTC), datetime(2026, 12, 8, 0, 0, tzinfo=UTC)),
        # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST): the first day is 1 June.
        (datetime(2026, 5, 31, 23, 30, tzinfo=UTC), datetime(2026, 6, 7, 23, 0, tzinfo=UTC)),
    ],
)
def test_copo_compliance_counts_uk_days(served: datetime, due: datetime) -> None:
    timer = OVERSEAS.timer("compliance")
    assert timer.due(served) == due
    assert not breached(timer.due(served), due)
    assert breached(timer.due(served), due + TICK)


def test_copo_compliance_period_set_by_the_judge() -> None:
    served = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert OVERSEAS.timer("compliance").due(served, 14) == datetime(2026, 12, 15, tzinfo=UTC)


def test_clocks_refuse_naive_instants_and_empty_periods() -> None:
    with pytest.raises(ValueError, match="aware"):
        ART7.timer("disclosure").due(datetime(2026, 12, 1, 9, 30))
    with pytest.raises(ValueError, match="cannot be reckoned"):
        OVERSEAS.timer("compliance").due(RECEIVED, 0)


def test_every_route_cites_each_clock() -> None:
    for each in ALL_ROUTES:
        assert each.citation and each.timers
        assert all(timer.citation and timer.then for timer in each.timers)
