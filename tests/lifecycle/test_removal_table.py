"""The removal order's lifecycle table (Regulation (EU) 2021/784, Art. 3): every combination, as data.

Each expectation names its article; whatever is not listed is refused, with who may send what.
"""

import itertools

import pytest

from broker.lifecycle import RECEIVE
from broker.lifecycle import REMOVAL_RULES
from broker.lifecycle import Clock
from broker.lifecycle import Effect
from broker.lifecycle import NotAllowed
from broker.lifecycle import RemovalStep
from broker.lifecycle import Side
from broker.lifecycle import removal_allowed
from broker.lifecycle import removal_transition
from broker.vocabulary import RemovalMessageType as RM
from broker.vocabulary import RemovalState as RS

ADDRESSEE, ISSUER, ENFORCER = Side.ADDRESSEE, Side.ISSUER, Side.ENFORCER
EXPECTED = {
    (RS.ISSUED, RECEIVE, ADDRESSEE): RemovalStep(
        RS.RECEIVED, Effect.START
    ),  # Art. 3(3): one hour from receipt
    # Art. 3(6): removed or disabled, whenever the provider manages it, stops the hour.
    # Art. 6(2): removal starts the six months of preservation.
    **{
        (state, RM.REMOVAL_CONFIRMATION, ADDRESSEE): RemovalStep(
            RS.REMOVED, Effect.STOP, ((Clock.CONTENT_PRESERVATION, Effect.START),)
        )
        for state in (RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED)
    },
    # Art. 3(7): the hour waits for the end of the impossibility, then runs in full.
    (RS.RECEIVED, RM.REMOVAL_IMPOSSIBILITY, ADDRESSEE): RemovalStep(RS.IMPOSSIBLE, Effect.PAUSE),
    (RS.IMPOSSIBLE, RM.IMPOSSIBILITY_CEASED, ADDRESSEE): RemovalStep(RS.RECEIVED, Effect.START),
    # Art. 3(8): the hour waits for the clarification, then runs in full.
    (RS.RECEIVED, RM.REMOVAL_CLARIFICATION_REQUEST, ADDRESSEE): RemovalStep(
        RS.CLARIFICATION_REQUESTED, Effect.PAUSE
    ),
    (RS.CLARIFICATION_REQUESTED, RM.REMOVAL_CLARIFICATION, ISSUER): RemovalStep(RS.RECEIVED, Effect.START),
    # Art. 4(4): a reasoned request once the order is received; the state stays, the 72 hours start again.
    **{
        (state, RM.REMOVAL_SCRUTINY_REQUEST, ADDRESSEE): RemovalStep(
            None, None, ((Clock.SCRUTINY, Effect.START),)
        )
        for state in (RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED, RS.REMOVED)
    },
    # Art. 4(5): the host State's authority tells the issuer first; the state stays.
    **{
        (state, RM.REMOVAL_SCRUTINY_INTENTION, ENFORCER): RemovalStep(None, None)
        for state in (RS.ISSUED, RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED, RS.REMOVED)
    },
    # Art. 4(3)-(4), (6): the decision ends the window; an infringement ends the order's legal effects.
    **{
        (state, RM.REMOVAL_SCRUTINY_DECISION, ENFORCER): RemovalStep(
            RS.CEASED, Effect.STOP, ((Clock.SCRUTINY, Effect.STOP),)
        )
        for state in (RS.ISSUED, RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED, RS.REMOVED)
    },
    # Art. 4(7): the provider reinstates; nothing removed is left to preserve.
    (RS.CEASED, RM.REMOVAL_REINSTATEMENT, ADDRESSEE): RemovalStep(
        RS.REINSTATED, None, ((Clock.CONTENT_PRESERVATION, Effect.STOP),)
    ),
    # Art. 6(2): a further specified period of preservation, on the competent authority's request.
    (RS.REMOVED, RM.REMOVAL_PRESERVATION_EXTENSION, ISSUER): RemovalStep(
        None, None, ((Clock.CONTENT_PRESERVATION, Effect.EXTEND),)
    ),
    # Art. 11(1)-(2): once content was removed, the provider's information to the content provider.
    **{
        (state, RM.CONTENT_PROVIDER_INFORMATION, ADDRESSEE): RemovalStep(None, None)
        for state in (RS.REMOVED, RS.CEASED, RS.REINSTATED)
    },
    # Art. 11(3): the issuer's decision not to disclose, from receipt on; a clock of its own.
    **{
        (state, RM.REMOVAL_WITHHOLDING, ISSUER): RemovalStep(None, None, ((Clock.WITHHOLDING, Effect.START),))
        for state in (RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED, RS.REMOVED)
    },
    # Art. 10(1): a complaint about removed content starts the two weeks its outcome is due in.
    (RS.REMOVED, RM.REMOVAL_COMPLAINT, ADDRESSEE): RemovalStep(
        None, None, ((Clock.COMPLAINT, Effect.START),)
    ),
    # Art. 10(2): the outcome stops them, whatever became of the order since.
    **{
        (state, RM.REMOVAL_COMPLAINT_OUTCOME, ADDRESSEE): RemovalStep(
            None, None, ((Clock.COMPLAINT, Effect.STOP),)
        )
        for state in (RS.REMOVED, RS.CEASED, RS.REINSTATED)
    },
}
# The bodies `by` rules read: an infringement, a first withholding (the expectations above); the others are
# checked apart.
BODIES = {
    RM.REMOVAL_SCRUTINY_DECISION: {"finding": "infringement"},
    RM.REMOVAL_WITHHOLDING: {"decision": "withhold"},
}
EVENTS = [RECEIVE, *RM]


@pytest.mark.parametrize(
    ("state", "event", "side"),
    list(itertools.product(RS, EVENTS, [ADDRESSEE, ISSUER, Side.ENFORCER])),
    ids=lambda value: str(value),
)
def test_every_combination_agrees_with_the_expectation(state: RS, event: str, side: Side) -> None:
    expected = EXPECTED.get((state, event, side))
    if expected is not None:
        assert removal_transition(state, event, side, BODIES.get(event)) == expected
        return
    with pytest.raises(NotAllowed) as refusal:
        removal_transition(state, event, side, BODIES.get(event))
    senders = {rule.side for rule in REMOVAL_RULES if rule.event == event}
    assert refusal.value.wrong_side is (bool(senders) and side not in senders)


def test_a_refusal_names_who_may_send_what_now() -> None:
    with pytest.raises(NotAllowed, match="only the addressee may send 'removal-confirmation'"):
        removal_transition(RS.RECEIVED, RM.REMOVAL_CONFIRMATION, ISSUER)
    with pytest.raises(
        NotAllowed, match="the addressee may send: impossibility-ceased, removal-confirmation"
    ):
        removal_transition(RS.IMPOSSIBLE, RM.REMOVAL_IMPOSSIBILITY, ADDRESSEE)
    with pytest.raises(NotAllowed, match="a removal order has no 'epoc' step"):
        removal_transition(RS.RECEIVED, "epoc", ISSUER)


def test_a_reinstated_order_allows_only_the_content_providers_rights() -> None:
    """Art. 4(7) ends the order's steps; the content provider may still be told, and a complaint answered."""
    assert removal_allowed(RS.REINSTATED, ADDRESSEE) == [
        RM.CONTENT_PROVIDER_INFORMATION,
        RM.REMOVAL_COMPLAINT_OUTCOME,
    ]
    assert removal_allowed(RS.REINSTATED, ISSUER) == removal_allowed(RS.REINSTATED, ENFORCER) == []


def test_a_removed_order_still_allows_scrutiny_preservation_and_the_content_providers_rights() -> None:
    """Art. 4(4), 6(2), 10, 11: removal ends the hour, not the order's scrutiny, the preservation or the
    content provider's rights."""
    assert removal_allowed(RS.REMOVED, ADDRESSEE) == [
        RM.CONTENT_PROVIDER_INFORMATION,
        RM.REMOVAL_COMPLAINT,
        RM.REMOVAL_COMPLAINT_OUTCOME,
        RM.REMOVAL_SCRUTINY_REQUEST,
    ]
    assert removal_allowed(RS.REMOVED, ISSUER) == [RM.REMOVAL_PRESERVATION_EXTENSION, RM.REMOVAL_WITHHOLDING]
    assert removal_allowed(RS.REMOVED, ENFORCER) == [
        RM.REMOVAL_SCRUTINY_DECISION,
        RM.REMOVAL_SCRUTINY_INTENTION,
    ]


def test_a_decision_finding_no_infringement_keeps_the_order_in_force() -> None:
    """Art. 4(3)-(4): the window ends; the order, and the hour if it runs, go on."""
    for state in (RS.ISSUED, RS.RECEIVED, RS.REMOVED):
        step = removal_transition(
            state, RM.REMOVAL_SCRUTINY_DECISION, ENFORCER, {"finding": "no_infringement"}
        )
        assert step == RemovalStep(None, None, ((Clock.SCRUTINY, Effect.STOP),))


def test_a_renewal_of_the_withholding_extends_its_clock() -> None:
    """Art. 11(3): renewed by a further period while still justified (UNCONFIRMED)."""
    step = removal_transition(RS.REMOVED, RM.REMOVAL_WITHHOLDING, ISSUER, {"decision": "renew"})
    assert step == RemovalStep(None, None, ((Clock.WITHHOLDING, Effect.EXTEND),))


def test_a_decision_without_its_finding_is_not_a_step() -> None:
    with pytest.raises(KeyError):
        removal_transition(RS.RECEIVED, RM.REMOVAL_SCRUTINY_DECISION, ENFORCER, {})


def test_every_removal_message_but_the_order_itself_is_a_step() -> None:
    """The removal order is issued, not sent as a step; every answer to it is in the table."""
    assert {rule.event for rule in REMOVAL_RULES} == {RECEIVE, *RM} - {RM.REMOVAL_ORDER}


def test_every_open_state_has_a_way_to_removal() -> None:
    for state in (RS.RECEIVED, RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED):
        assert RM.REMOVAL_CONFIRMATION in removal_allowed(state, ADDRESSEE)


def test_a_hold_is_always_followed_by_a_full_hour() -> None:
    """Art. 3(7)-(8): the Regulation says the deadline starts to run again, so it never resumes."""
    assert all(rule.clock is not Effect.RESUME for rule in REMOVAL_RULES)
    leaving_holds = [r for r in REMOVAL_RULES if r.states & {RS.IMPOSSIBLE, RS.CLARIFICATION_REQUESTED}]
    assert {r.clock for r in leaving_holds if r.target is RS.RECEIVED} == {Effect.START}
