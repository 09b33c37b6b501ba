"""The removal order's hour (Regulation (EU) 2021/784, Art. 3(3), (7), (8)), to the second.

Each scenario walks the lifecycle table (broker.lifecycle.REMOVAL_RULES) with instants of an injected
clock and reckons the hour with broker.orders.deadlines, as the workflow will.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from broker.lifecycle import RECEIVE
from broker.lifecycle import Effect
from broker.lifecycle import Side
from broker.lifecycle import removal_transition
from broker.orders.deadlines import REMOVAL_HOUR
from broker.orders.deadlines import removal_breached
from broker.orders.deadlines import removal_due
from broker.vocabulary import RemovalMessageType as RM
from broker.vocabulary import RemovalState

RECEIVED = datetime(2026, 12, 6, 21, 17, 42, 123456, tzinfo=UTC)
SECOND = timedelta(seconds=1)


class RemovalOrder:
    """A removal order's state and the clock effects its steps had, each with its instant."""

    def __init__(self) -> None:
        self.state = RemovalState.ISSUED
        self.steps: list[tuple[Effect | None, datetime]] = []

    def step(self, event: str, side: Side, at: datetime) -> "RemovalOrder":
        answer = removal_transition(self.state, event, side)
        self.state = answer.target
        self.steps.append((answer.clock, at))
        return self

    @property
    def due_at(self) -> datetime | None:
        return removal_due(self.steps)


def _received() -> RemovalOrder:
    return RemovalOrder().step(RECEIVE, Side.ADDRESSEE, RECEIVED)


def test_the_hour_is_one_hour() -> None:
    assert timedelta(hours=1) == REMOVAL_HOUR


@pytest.mark.parametrize(
    ("elapsed", "breached"),
    [
        pytest.param(REMOVAL_HOUR - SECOND, False, id="one hour minus one second: in time"),
        pytest.param(REMOVAL_HOUR, False, id="exactly one hour: the hour's last instant, still in time"),
        pytest.param(REMOVAL_HOUR + timedelta(microseconds=1), True, id="one microsecond past: breached"),
        pytest.param(REMOVAL_HOUR + SECOND, True, id="one hour plus one second: breached"),
    ],
)
def test_art_3_3_one_hour_from_receipt(elapsed: timedelta, breached: bool) -> None:
    order = _received()
    assert order.due_at == RECEIVED + REMOVAL_HOUR
    assert removal_breached(order.due_at, RECEIVED + elapsed) is breached


def test_art_3_6_a_confirmation_within_the_hour_stops_the_clock() -> None:
    order = _received().step(RM.REMOVAL_CONFIRMATION, Side.ADDRESSEE, RECEIVED + REMOVAL_HOUR - SECOND)
    assert order.state is RemovalState.REMOVED
    assert order.due_at is None
    assert not removal_breached(order.due_at, RECEIVED + timedelta(days=30))


@pytest.mark.parametrize(
    ("hold", "hold_by", "end", "end_by", "held_state"),
    [
        pytest.param(
            RM.REMOVAL_IMPOSSIBILITY,
            Side.ADDRESSEE,
            RM.IMPOSSIBILITY_CEASED,
            Side.ADDRESSEE,
            RemovalState.IMPOSSIBLE,
            id="Art. 3(7) impossibility",
        ),
        pytest.param(
            RM.REMOVAL_CLARIFICATION_REQUEST,
            Side.ADDRESSEE,
            RM.REMOVAL_CLARIFICATION,
            Side.ISSUER,
            RemovalState.CLARIFICATION_REQUESTED,
            id="Art. 3(8) clarification",
        ),
    ],
)
def test_a_hold_stops_the_hour_and_its_end_gives_a_full_hour(
    hold: RM, hold_by: Side, end: RM, end_by: Side, held_state: RemovalState
) -> None:
    order = _received().step(hold, hold_by, RECEIVED + timedelta(minutes=50))
    assert order.state is held_state
    assert order.due_at is None
    assert not removal_breached(order.due_at, RECEIVED + timedelta(hours=5))  # no breach while held
    ended = RECEIVED + timedelta(hours=6)  # the reasons cease, or the clarification is received
    order.step(end, end_by, ended)
    assert order.state is RemovalState.RECEIVED
    assert order.due_at == ended + REMOVAL_HOUR  # a full hour, not the ten minutes that were left
    assert not removal_breached(order.due_at, ended + REMOVAL_HOUR - SECOND)
    assert not removal_breached(order.due_at, ended + REMOVAL_HOUR)
    assert removal_breached(order.due_at, ended + REMOVAL_HOUR + SECOND)


def test_the_provider_may_remove_while_the_hour_is_held() -> None:
    order = _received().step(RM.REMOVAL_IMPOSSIBILITY, Side.ADDRESSEE, RECEIVED + SECOND)
    order.step(RM.REMOVAL_CONFIRMATION, Side.ADDRESSEE, RECEIVED + timedelta(hours=2))
    assert order.state is RemovalState.REMOVED
    assert order.due_at is None


def test_nothing_runs_before_receipt() -> None:
    assert removal_due([]) is None
    assert not removal_breached(None, RECEIVED)


def test_an_instant_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        removal_due([(Effect.START, RECEIVED.replace(tzinfo=None))])


def test_the_hour_is_reckoned_on_instants_not_wall_clocks() -> None:
    """A receipt stated in Paris time falls due at the same instant as in UTC."""
    paris = RECEIVED.astimezone(datetime.fromisoformat("2026-12-06T22:17:42+01:00").tzinfo)
    assert removal_due([(Effect.START, paris)]) == RECEIVED + REMOVAL_HOUR
