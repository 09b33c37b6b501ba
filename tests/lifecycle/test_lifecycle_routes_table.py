"""The lifecycle table on a route through an authority (CETS 224 Art. 8, 9; COPO s.9), exhaustively.

Such an order differs from one the provider receives directly only in how it is delivered: its route's
authority takes delivery of the issued order, serves it (or, as the requested Party, refuses to give effect
to it: CETS 224 Art. 8(7), Budapest Art. 29(4)-(5)), and the provider takes delivery of the served order.
Every other step is the same. So: for every order type x state x event x side, `transition()` on
this route agrees with the direct route, except for taking delivery and serving, which follow the
expectation below, written from the Protocol and the Act rather than copied from broker.lifecycle.
"""

from itertools import product
from typing import Any

import pytest

from broker.legal import routes
from broker.lifecycle import RECEIVE
from broker.lifecycle import SERVE
from broker.lifecycle import STOP_ALL
from broker.lifecycle import Clock
from broker.lifecycle import Effect
from broker.lifecycle import NotAllowed
from broker.lifecycle import Side
from broker.lifecycle import Via
from broker.lifecycle import allowed
from broker.lifecycle import transition
from broker.vocabulary import MessageType as M
from broker.vocabulary import OrderState as S
from broker.vocabulary import OrderType

BOTH = (OrderType.EPOC, OrderType.EPOC_PR)
ISSUER, ADDRESSEE, ENFORCER = Side.ISSUER, Side.ADDRESSEE, Side.ENFORCER
DELIVERY = (RECEIVE, SERVE, M.REQUESTED_PARTY_REFUSAL)
# A refusal ends execution: every clock of a certificate stops, as after an Art. 12 refusal (STOP_ALL).
EVERY_CLOCK_STOPS = dict(STOP_ALL)
BODY = {"outcome": "produced", "decision": "maintain"}

# (state, event, side) -> (target, clock effects, the route event whose clocks start)
EXPECTED: dict[tuple[S, str, Side], tuple[S, dict[Clock, Effect], str]] = {
    # CETS 224 Art. 8: the requested Party's authority receives the order (the 45 days to serve run from
    # here); Art. 9(1): its 24/7 point of contact does (the provider's time runs from here).
    (S.ISSUED, RECEIVE, ENFORCER): (S.AWAITING_SERVICE, {}, "receipt"),
    # It gives effect to the order and serves it: the time to serve stops, the provider's time starts.
    (S.AWAITING_SERVICE, SERVE, ENFORCER): (S.SERVED, {Clock.SERVICE: Effect.STOP}, "service"),
    # Or, as the requested Party, it refuses to give effect to the order (CETS 224 Art. 8(7), UNCONFIRMED;
    # Budapest Art. 29(4)-(5)): refused, never served, every clock stops (which grounds: the route's data).
    (S.AWAITING_SERVICE, M.REQUESTED_PARTY_REFUSAL, ENFORCER): (S.REFUSED, EVERY_CLOCK_STOPS, ""),
    # The provider takes delivery of what was served: nothing starts, it runs from service already.
    (S.SERVED, RECEIVE, ADDRESSEE): (S.RECEIVED, {}, ""),
}


def label(value: Any) -> str:
    return value.value if hasattr(value, "value") else str(value)


def agrees_on_a_route_through_an_authority(order_type, state, event, side):
    if event in DELIVERY:
        expected = EXPECTED.get((state, event, side))
        if expected is None:
            with pytest.raises(NotAllowed):
                transition(order_type, state, event, side, BODY, Via.AUTHORITY)
            return
        step = transition(order_type, state, event, side, BODY, Via.AUTHORITY)
        assert (step.target, dict(step.clocks), step.route_event) == expected
        return
    try:
        direct = transition(order_type, state, event, side, BODY)
    except NotAllowed as refusal:
        with pytest.raises(NotAllowed) as through:
            transition(order_type, state, event, side, BODY, Via.AUTHORITY)
        assert through.value.wrong_side is refusal.wrong_side
        return
    except KeyError:  # an answer this order type cannot take, on either route
        with pytest.raises(KeyError):
            transition(order_type, state, event, side, BODY, Via.AUTHORITY)
        return
    assert transition(order_type, state, event, side, BODY, Via.AUTHORITY) == direct


ORDER_STATES = list(product(BOTH, S))


@pytest.mark.parametrize(
    ("order_type", "state"), ORDER_STATES, ids=[f"{t.value}-{s.value}" for t, s in ORDER_STATES]
)
def test_every_combination_on_a_route_through_an_authority(order_type, state):
    """Every event from every side, in this state, listing each mismatch (one test per type and state)."""
    failures = []
    for event, side in product([*M, *DELIVERY], Side):
        try:
            agrees_on_a_route_through_an_authority(order_type, state, event, side)
        except (Exception, pytest.fail.Exception) as failure:
            failures.append(f"{label(event)} by the {side.value}: {type(failure).__name__}: {failure}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("order_type", "state", "side"), list(product(BOTH, S, Side)))
def test_allowed_differs_from_the_direct_route_only_in_delivery(order_type, state, side):
    direct = set(allowed(order_type, state, side)) - set(DELIVERY)
    through = set(allowed(order_type, state, side, Via.AUTHORITY))
    delivery = {event for (s, event, d) in EXPECTED if (s, d) == (state, side)}
    assert through == direct | delivery


def test_on_the_direct_route_nobody_serves_and_no_authority_takes_delivery():
    for order_type, state in product(BOTH, S):
        for side in Side:
            with pytest.raises(NotAllowed):
                transition(order_type, state, SERVE, side, {})
        with pytest.raises(NotAllowed):
            transition(order_type, state, RECEIVE, ENFORCER, {})


def test_before_service_the_issuer_may_only_withdraw():
    """Nothing else of the issuer's concerns an order the provider does not have yet."""
    for order_type, state in product(BOTH, (S.AWAITING_SERVICE, S.SERVED)):
        assert allowed(order_type, state, ISSUER, Via.AUTHORITY) == [M.WITHDRAWAL], (order_type, state)
        step = transition(order_type, state, M.WITHDRAWAL, ISSUER, {}, Via.AUTHORITY)
        assert step.target == S.WITHDRAWN and (Clock.SERVICE, Effect.STOP) in step.clocks


@pytest.mark.parametrize("chosen", routes.ALL_ROUTES, ids=lambda r: f"{r.name} {r.when}".strip())
def test_each_route_clock_starts_at_a_step_of_the_table(chosen):
    """Each clock of a route runs from receipt or service (steps of the table above) or from the making of
    the order (COPO s.9(1), started at issue), as the order clock broker.legal.routes names."""
    for timer in chosen.timers:
        assert timer.runs_from in set(routes.Event)
        assert timer.name in routes.CLOCK_OF_TIMER, timer
    served = chosen.name in routes.SERVED_BY_AUTHORITY
    if served:
        events = {step_event for (_target, _clocks, step_event) in EXPECTED.values() if step_event}
        assert {t.runs_from.value for t in chosen.timers} <= events | {routes.Event.ORDER_MADE.value}
