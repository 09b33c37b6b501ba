"""The lifecycle table, exhaustively: every order type x state x event x side, against an expectation.

The expectation below is written from the Regulation, not copied from broker.lifecycle: who sends what,
when, and where it leads. `transition()` must agree with it on every one of the combinations (a step
where the expectation allows one, NotAllowed everywhere else, `wrong_side` exactly when that side never
sends that event), with the clock effects each step has. No database, no clock.
"""

from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest

from broker.lifecycle import KEEP
from broker.lifecycle import RECEIVE
from broker.lifecycle import RESUME
from broker.lifecycle import RULES
from broker.lifecycle import SERVE
from broker.lifecycle import Clock
from broker.lifecycle import Effect
from broker.lifecycle import NotAllowed
from broker.lifecycle import Side
from broker.lifecycle import Step
from broker.lifecycle import Via
from broker.lifecycle import allowed
from broker.lifecycle import transition
from broker.vocabulary import CourtReviewOutcome
from broker.vocabulary import EnforcementOutcome
from broker.vocabulary import MessageType as M
from broker.vocabulary import OrderDecision
from broker.vocabulary import OrderState as S
from broker.vocabulary import OrderType
from broker.vocabulary import RemovalMessageType as RM
from broker.vocabulary import ReviewDecision
from broker.vocabulary import ValidationOutcome
from broker.wire.overseas import Withheld

EPOC, EPOC_PR = OrderType.EPOC, OrderType.EPOC_PR
BOTH = (EPOC, EPOC_PR)
# The certificates' table; the removal order's is test_removal_table.py, with its own states.
REMOVAL_ONLY = {S.REMOVED, S.IMPOSSIBLE, S.CEASED, S.REINSTATED}
ISSUER, ADDRESSEE, ENFORCER = Side.ISSUER, Side.ADDRESSEE, Side.ENFORCER
EVENTS = [*M, RECEIVE]

# The addressee has the certificate and neither answered nor paused it.
TAKEN = {S.RECEIVED, S.ACKNOWLEDGED, S.PRESERVED}
# The production clock stands still: clarification, an immunity concern, a third-country objection.
PAUSED = {S.CLARIFICATION_REQUESTED, S.UNDER_REVIEW, S.SUSPENDED}
ANSWERED = {S.PRODUCED, S.PARTIALLY_PRODUCED, S.NOT_EXECUTED}
ENDED = {S.DRAFT, S.WITHDRAWN, S.CLOSED}  # not yet sent, or nothing more to do
OPEN = set(S) - ENDED - REMOVAL_ONLY

# (order types, states, event, side, target); a target that depends on the body is {member: {value: target}}.
ALLOWED: list[tuple[tuple[OrderType, ...], set[S], str, Side, Any]] = [
    # Taking delivery: the deadlines run from receipt (Art. 10(2)-(4), 11(1)).
    (BOTH, {S.ISSUED}, RECEIVE, ADDRESSEE, S.RECEIVED),
    # The addressee's side.
    (BOTH, {S.RECEIVED}, M.ACKNOWLEDGEMENT, ADDRESSEE, S.ACKNOWLEDGED),
    ((EPOC,), {S.RECEIVED, S.ACKNOWLEDGED}, M.PRESERVATION_NOTICE, ADDRESSEE, S.PRESERVED),  # Art. 10(1)
    (
        (EPOC,),
        TAKEN,
        M.RESPONSE,
        ADDRESSEE,
        {
            "outcome": {
                "produced": S.PRODUCED,
                "partially_produced": S.PARTIALLY_PRODUCED,
                "not_executed": S.NOT_EXECUTED,
            }
        },
    ),
    (
        (EPOC_PR,),
        {S.RECEIVED, S.ACKNOWLEDGED},
        M.RESPONSE,
        ADDRESSEE,
        {"outcome": {"preserved": S.PRESERVED, "not_executed": S.NOT_EXECUTED}},
    ),
    # The produced data (encrypted packages) with the signed manifest, before or after the response.
    ((EPOC,), TAKEN | {S.PRODUCED, S.PARTIALLY_PRODUCED}, M.EVIDENCE_MANIFEST, ADDRESSEE, KEEP),
    (BOTH, TAKEN, M.CLARIFICATION_REQUEST, ADDRESSEE, S.CLARIFICATION_REQUESTED),  # Annex III, Art. 10(6)
    ((EPOC,), TAKEN, M.IMMUNITY_CONCERN, ADDRESSEE, S.UNDER_REVIEW),  # Art. 10(5)
    ((EPOC,), TAKEN, M.THIRD_COUNTRY_OBJECTION, ADDRESSEE, S.SUSPENDED),  # Art. 17
    # The issuing authority answers what paused the order, and the order goes back to where it was.
    (BOTH, {S.CLARIFICATION_REQUESTED}, M.CLARIFICATION_ANSWER, ISSUER, RESUME),
    (
        (EPOC,),
        {S.UNDER_REVIEW},
        M.ORDER_DECISION,
        ISSUER,
        {"decision": {"maintain": RESUME, "adapt": RESUME, "withdraw": S.WITHDRAWN}},
    ),
    (
        (EPOC,),
        {S.SUSPENDED},
        M.COURT_REVIEW_OUTCOME,
        ISSUER,
        {"outcome": {"upheld": RESUME, "lifted": S.WITHDRAWN}},
    ),
    # Art. 4(5): validation follows an emergency order wherever it stands, until it is refused or enforced.
    (
        BOTH,
        {S.ISSUED} | TAKEN | PAUSED | ANSWERED,
        M.EX_POST_VALIDATION,
        ISSUER,
        {"outcome": {"granted": KEEP, "refused": S.WITHDRAWN}},
    ),
    # Preservation (Art. 11): extended once, confirmed by a production request, or released.
    ((EPOC_PR,), TAKEN, M.PRESERVATION_EXTENSION, ISSUER, KEEP),
    ((EPOC_PR,), TAKEN, M.PRODUCTION_REQUEST_CONFIRMATION, ISSUER, KEEP),
    ((EPOC_PR,), TAKEN, M.PRESERVATION_RELEASE, ISSUER, S.PRESERVATION_ENDED),
    # Art. 10(8): a new deadline; after a shortfall the order is open again.
    ((EPOC,), TAKEN, M.NEW_DEADLINE, ISSUER, KEEP),
    ((EPOC,), {S.NOT_EXECUTED, S.PARTIALLY_PRODUCED}, M.NEW_DEADLINE, ISSUER, S.ACKNOWLEDGED),
    # Art. 16: enforcement after non-compliance (the missed deadline itself is a guard, not a state).
    (BOTH, TAKEN | {S.NOT_EXECUTED}, M.ENFORCEMENT_REQUEST, ISSUER, S.ENFORCEMENT_REQUESTED),
    (
        BOTH,
        {S.ENFORCEMENT_REQUESTED},
        M.ENFORCEMENT_DECISION,
        ENFORCER,
        {"outcome": {"recognised": S.ACKNOWLEDGED, "refused": S.ENFORCEMENT_REFUSED}},
    ),
    # Art. 12, 10(4): the notified enforcing authority reviews an EPOC from notification on; in an
    # emergency its 96 hours outlast the 8-hour deadline, so it may still object after the answer.
    (
        (EPOC,),
        {S.ISSUED} | TAKEN | PAUSED | ANSWERED,
        M.ENFORCING_REVIEW,
        ENFORCER,
        {"decision": {"no_objection": KEEP, "refusal": S.REFUSED}},
    ),
    # Ending: withdrawal while anything is open but an ended preservation; closure once answered or over.
    (BOTH, OPEN - {S.PRESERVATION_ENDED}, M.WITHDRAWAL, ISSUER, S.WITHDRAWN),
    (BOTH, ANSWERED | {S.PRESERVATION_ENDED, S.ENFORCEMENT_REFUSED}, M.CLOSURE, ISSUER, S.CLOSED),
]

EXPECTED: dict[tuple[OrderType, S, str, Side], Any] = {}
for _types, _states, _event, _side, _target in ALLOWED:
    for _type, _state in product(_types, _states):
        assert (_type, _state, _event, _side) not in EXPECTED, "the expectation lists a step twice"
        EXPECTED[_type, _state, _event, _side] = _target

# Who sends each event, whatever the state (an event's sender never depends on the order type).
SENDER = {
    RECEIVE: ADDRESSEE,
    **{e: ADDRESSEE for e in (M.ACKNOWLEDGEMENT, M.PRESERVATION_NOTICE, M.RESPONSE, M.EVIDENCE_MANIFEST)},
    **{e: ADDRESSEE for e in (M.CLARIFICATION_REQUEST, M.IMMUNITY_CONCERN, M.THIRD_COUNTRY_OBJECTION)},
    **{e: ENFORCER for e in (M.ENFORCING_REVIEW, M.ENFORCEMENT_DECISION)},
    **{
        e: ISSUER
        for e in (
            M.CLARIFICATION_ANSWER,
            M.ORDER_DECISION,
            M.COURT_REVIEW_OUTCOME,
            M.EX_POST_VALIDATION,
            M.PRESERVATION_EXTENSION,
            M.PRODUCTION_REQUEST_CONFIRMATION,
            M.PRESERVATION_RELEASE,
            M.NEW_DEADLINE,
            M.ENFORCEMENT_REQUEST,
            M.WITHDRAWAL,
            M.CLOSURE,
        )
    },
}
# Events that an order type has at all; the certificates themselves are issued, never "stepped".
EPOC_ONLY = {
    M.PRESERVATION_NOTICE,
    M.IMMUNITY_CONCERN,
    M.ORDER_DECISION,
    M.THIRD_COUNTRY_OBJECTION,
    M.COURT_REVIEW_OUTCOME,
    M.ENFORCING_REVIEW,
    M.NEW_DEADLINE,
    M.EVIDENCE_MANIFEST,
}
EPOC_PR_ONLY = {M.PRESERVATION_EXTENSION, M.PRODUCTION_REQUEST_CONFIRMATION, M.PRESERVATION_RELEASE}
HAS = {
    EPOC: set(SENDER) - EPOC_PR_ONLY,
    EPOC_PR: set(SENDER) - EPOC_ONLY,
}

P, C = Clock.PRODUCTION, Clock
START, PAUSE, RESUMES, STOP, EXTEND = Effect.START, Effect.PAUSE, Effect.RESUME, Effect.STOP, Effect.EXTEND
# A certificate's clocks: a removal order's own (its hour, the host State's scrutiny window, the preservation
# of removed content, the withholding from the content provider, a complaint's two weeks) never run on one.
REMOVAL_CLOCKS = {
    Clock.REMOVAL,
    Clock.SCRUTINY,
    Clock.CONTENT_PRESERVATION,
    Clock.WITHHOLDING,
    Clock.COMPLAINT,
}
EVERY_CLOCK_STOPS = {clock: STOP for clock in Clock if clock not in REMOVAL_CLOCKS}
# What each step does to the clocks; keyed by (type, event) or (type, event, body value).
CLOCKS: dict[tuple[Any, ...], dict[Clock, Effect]] = {
    (EPOC, RECEIVE): {P: START, C.OBJECTION_WINDOW: START},  # Art. 10(2)-(4), Art. 17: from receipt
    (EPOC_PR, RECEIVE): {C.PRESERVATION: START},  # Art. 11(1): 60 days from receipt
    (EPOC, M.RESPONSE): {P: STOP, C.OBJECTION_WINDOW: STOP},
    (EPOC_PR, M.RESPONSE, "preserved"): {},
    (EPOC_PR, M.RESPONSE, "not_executed"): {C.PRESERVATION: STOP},  # nothing preserved: the 60 days end
    (EPOC, M.CLARIFICATION_REQUEST): {P: PAUSE, C.CLARIFICATION: START},  # Art. 10(6)
    (EPOC_PR, M.CLARIFICATION_REQUEST): {C.CLARIFICATION: START},  # preservation never waits
    (M.CLARIFICATION_ANSWER,): {P: RESUMES, C.CLARIFICATION: STOP},
    (M.IMMUNITY_CONCERN,): {P: PAUSE},
    (M.THIRD_COUNTRY_OBJECTION,): {P: PAUSE},
    (M.ORDER_DECISION, "maintain"): {P: RESUMES},
    (M.ORDER_DECISION, "adapt"): {P: RESUMES},
    (M.COURT_REVIEW_OUTCOME, "upheld"): {P: RESUMES},
    (M.ENFORCING_REVIEW, "no_objection"): {C.ENFORCING_REVIEW: STOP},
    (M.EX_POST_VALIDATION, "granted"): {C.EX_POST_VALIDATION: STOP},
    (M.PRESERVATION_EXTENSION,): {C.PRESERVATION: EXTEND},
    (M.PRODUCTION_REQUEST_CONFIRMATION,): {C.PRESERVATION: STOP},
    (M.PRESERVATION_RELEASE,): {C.PRESERVATION: STOP},
    (M.NEW_DEADLINE,): {P: START},  # Art. 10(8)
    (M.ENFORCEMENT_REQUEST,): {P: STOP, C.ENFORCEMENT_DECISION: START},  # Art. 16(2): 5 working days
    (EPOC, M.ENFORCEMENT_DECISION, "recognised"): {C.ENFORCEMENT_DECISION: STOP, P: START},
    (EPOC_PR, M.ENFORCEMENT_DECISION, "recognised"): {C.ENFORCEMENT_DECISION: STOP, C.PRESERVATION: START},
    (M.ENFORCEMENT_DECISION, "refused"): {C.ENFORCEMENT_DECISION: STOP},
    (M.ACKNOWLEDGEMENT,): {},
    (M.PRESERVATION_NOTICE,): {},
    (M.EVIDENCE_MANIFEST,): {},
}
# Whatever ends the order's execution stops every clock: withdrawal (by any route) and an Art. 12 refusal.
ENDS_EXECUTION = {S.WITHDRAWN, S.REFUSED, S.CLOSED}


def expected_clocks(order_type: OrderType, event: str, value: str | None, target: Any) -> dict[Clock, Effect]:
    if target in ENDS_EXECUTION:
        return EVERY_CLOCK_STOPS
    for key in ((order_type, event, value), (order_type, event), (event, value), (event,)):
        if key in CLOCKS:
            return CLOCKS[key]
    raise AssertionError(f"the expectation has no clock effects for {order_type} {event} {value}")


def bodies(target: Any) -> Iterator[tuple[dict[str, str], str | None, Any]]:
    """(body, the value that decides, expected target) for each answer the step can take."""
    if isinstance(target, dict):
        ((member, targets),) = target.items()
        for value, chosen in targets.items():
            yield {member: value}, value, chosen
    else:
        yield {}, None, target


def label(value: Any) -> str:
    return value.value if hasattr(value, "value") else str(value)


def expected_events(order_type: OrderType, state: S, side: Side) -> list[str]:
    return sorted(e for (t, s, e, d) in EXPECTED if (t, s, d) == (order_type, state, side))


COMBINATIONS = list(product(BOTH, S, EVENTS, Side))


def agrees_with_the_expectation(order_type, state, event, side):
    expected = EXPECTED.get((order_type, state, event, side))
    if expected is None:
        with pytest.raises(NotAllowed) as refusal:
            transition(order_type, state, event, side, {"outcome": "produced", "decision": "maintain"})
        reason = str(refusal.value)
        assert f"{label(event)!r}" in reason, "the refusal names the event"
        sends = event in HAS[order_type]
        assert refusal.value.wrong_side is (sends and SENDER[event] is not side)
        if not sends:
            assert reason == f"an {order_type.value} has no {label(event)!r} step"
        elif refusal.value.wrong_side:
            sender = SENDER[event].value.replace("_", " ")
            assert (
                reason
                == f"only the {sender} may send {label(event)!r}, not the {side.value.replace('_', ' ')}"
            )
        else:
            options = ", ".join(expected_events(order_type, state, side)) or "nothing"
            assert f"while the {order_type.value} is {state.value}" in reason, "the refusal names the state"
            assert reason.endswith(f"the {side.value.replace('_', ' ')} may send: {options}"), reason
        return
    for body, value, target in bodies(expected):
        step = transition(order_type, state, event, side, body)
        assert isinstance(step, Step)
        assert step.target == target, (body, step)
        assert dict(step.clocks) == expected_clocks(order_type, event, value, target), (body, step.clocks)
        assert len(dict(step.clocks)) == len(step.clocks), "one effect per clock and step"


ORDER_STATES = list(product(BOTH, S))


@pytest.mark.parametrize(
    ("order_type", "state"), ORDER_STATES, ids=[f"{t.value}-{s.value}" for t, s in ORDER_STATES]
)
def test_every_combination_agrees_with_the_expectation(order_type, state):
    """Every event from every side, in this state: each mismatch is listed, not only the first.

    One test per order type and state rather than per event and side: the table's thousands of cases
    take milliseconds to check, and a test item each cost more than the checks.
    """
    failures = []
    for event, side in product(EVENTS, Side):
        try:
            agrees_with_the_expectation(order_type, state, event, side)
        except (Exception, pytest.fail.Exception) as failure:
            failures.append(f"{label(event)} by the {side.value}: {type(failure).__name__}: {failure}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("order_type", "state", "side"), list(product(BOTH, S, Side)))
def test_allowed_lists_exactly_the_expected_events(order_type, state, side):
    assert allowed(order_type, state, side) == expected_events(order_type, state, side)


@pytest.mark.parametrize("state", [S.DRAFT, S.WITHDRAWN, S.CLOSED])
def test_drafts_and_final_states_allow_nothing(state):
    for order_type, side in product(BOTH, Side):
        assert allowed(order_type, state, side) == []
        for event in EVENTS:
            with pytest.raises(NotAllowed):
                transition(order_type, state, event, side, {})


def test_resume_only_leads_out_of_a_paused_state():
    resuming = [
        rule
        for rule in RULES
        if rule.target == RESUME or (rule.by is not None and RESUME in rule.by[1].values())
    ]
    assert {rule.event for rule in resuming} == {
        M.CLARIFICATION_ANSWER,
        M.ORDER_DECISION,
        M.COURT_REVIEW_OUTCOME,
    }
    for rule in resuming:
        assert set(rule.states) <= PAUSED, rule
    # ... and every paused state has a way back.
    for state in PAUSED:
        assert any(EXPECTED.get((EPOC, state, event, ISSUER)) is not None for event in EVENTS), (
            f"nothing resumes {state}"
        )


def test_every_message_type_but_the_certificates_is_a_step_somewhere():
    events = {rule.event for rule in RULES}
    removal = {M(kind.value) for kind in RM}  # the removal order's: broker.lifecycle.REMOVAL_RULES
    removal.add(M.THREAT_NOTIFICATION)  # DSA Art. 18: belongs to no order (broker.orders.threats)
    # SERVE: an authority serves an order on its route (test_lifecycle_routes_table.py has its table); an
    # overseas production order is issued like the certificates, and its refusal of excepted data is its own
    # (test_lifecycle_overseas.py); the requested Party's refusal is a step of a route through an authority
    # only (test_lifecycle_routes_table.py, test_lifecycle_refusal.py).
    overseas = {M.OVERSEAS_PRODUCTION_ORDER}
    assert events == (set(M) - {M.EPOC, M.EPOC_PR} - removal - overseas) | {RECEIVE, SERVE}
    route_only = {SERVE, M.EXCEPTED_DATA_REFUSAL, M.REQUESTED_PARTY_REFUSAL}
    assert set(SENDER) == events - route_only, "the expectation knows every event"


def test_no_two_rules_claim_the_same_combination():
    for order_type, state, event, side in COMBINATIONS:
        matching = [
            rule
            for rule in RULES
            if order_type in rule.order_types
            and state in rule.states
            and rule.event == event
            and rule.side is side
            and rule.via & {Via.DIRECT}
        ]
        assert len(matching) <= 1, (order_type, state, event, side, matching)


def test_every_answer_on_the_wire_has_a_target():
    """A `by` rule covers every value its message's schema accepts (else a valid message is a 422)."""
    vocabularies = {
        M.ORDER_DECISION: OrderDecision,
        M.COURT_REVIEW_OUTCOME: CourtReviewOutcome,
        M.ENFORCING_REVIEW: ReviewDecision,
        M.EX_POST_VALIDATION: ValidationOutcome,
        M.ENFORCEMENT_DECISION: EnforcementOutcome,
        M.EXCEPTED_DATA_REFUSAL: Withheld,
    }
    for rule in RULES:
        if rule.by is None:
            continue
        values = set(rule.by[1])
        if rule.event == M.RESPONSE:
            expected = {"preserved", "not_executed"} if EPOC_PR in rule.order_types else ANSWERED
            assert values == {label(v) for v in expected}
        else:
            assert values == {v.value for v in vocabularies[rule.event]}, rule


def test_an_answer_that_does_not_fit_the_order_type_is_a_key_error():
    """The API turns this into a 422 naming the member (steps._step)."""
    with pytest.raises(KeyError):
        transition(EPOC, S.RECEIVED, M.RESPONSE, ADDRESSEE, {"outcome": "preserved"})
    with pytest.raises(KeyError):
        transition(EPOC_PR, S.RECEIVED, M.RESPONSE, ADDRESSEE, {"outcome": "produced"})


@pytest.mark.parametrize("order_type", BOTH)
def test_every_reachable_open_state_has_a_way_out(order_type):
    """Walk the expectation from `issued` (plus what the worker does: end of preservation, expiry of
    ex-post validation): each state reached that is not final lets some party act."""
    reached, frontier = {S.ISSUED}, [S.ISSUED]
    worker = {S.PRESERVATION_ENDED} if order_type is EPOC_PR else set()
    reached |= worker
    frontier += list(worker)
    while frontier:
        state = frontier.pop()
        for (t, s, _event, _side), target in EXPECTED.items():
            if (t, s) != (order_type, state):
                continue
            for _body, _value, chosen in bodies(target):
                nxt = state if chosen in (KEEP, RESUME) else S(chosen)
                if chosen == RESUME:
                    continue  # back to an earlier state, already reached
                if nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
    for state in reached - {S.WITHDRAWN, S.CLOSED}:
        assert any(allowed(order_type, state, side) for side in Side), f"{order_type} stuck in {state}"
    assert S.CLOSED in reached and S.WITHDRAWN in reached
    # Reached only on a route through an authority (test_lifecycle_routes_table.py).
    unreachable = set(S) - reached - {S.DRAFT} - REMOVAL_ONLY - {S.AWAITING_SERVICE, S.SERVED}
    if order_type is EPOC:
        assert unreachable == {S.PRESERVATION_ENDED}
    else:
        assert unreachable == {
            S.UNDER_REVIEW,
            S.SUSPENDED,
            S.PRODUCED,
            S.PARTIALLY_PRODUCED,
            S.REFUSED,
        }
