"""The checks a signed message must pass before its step is applied: addressing, windows, holds, rules.

Each guard only reads and raises the problem that says why the step cannot happen now; the step
itself and its after-effects are in broker.workflow.operations.steps.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.clock import to_rfc3339
from broker.clocks import queries as clocks
from broker.evidence import manifest
from broker.lifecycle import Clock
from broker.orders.deadlines import COMPLAINT_OUTCOME
from broker.orders.deadlines import SCRUTINY_REQUEST_WINDOW
from broker.orders.deadlines import WITHHOLDING_PERIOD
from broker.orders.deadlines import WITHHOLDING_RENEWALS
from broker.orders.deadlines import transfer_held_until
from broker.orders.inbound import VerifiedMessage
from broker.orders.models import Message
from broker.orders.models import Order
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import ScrutinyFinding
from broker.vocabulary import ScrutinyRequester
from broker.vocabulary import WithholdingDecision
from broker.workflow import routing

# Annex IV offences punishable by at least 3 years cannot be refused for lack of double criminality.
DOUBLE_CRIMINALITY_THRESHOLD_MONTHS = 36

Guard = Callable[[orm.Session, datetime, Order, VerifiedMessage], None]


def expect(envelope: dict[str, Any], message_type: str, recipient: str, in_reply_to: str | None) -> None:
    """The envelope is of this type, to this recipient, in reply to this message."""
    if envelope["type"] != message_type:
        raise problems.UnexpectedMessageType(
            f"expected a {message_type!r} message here, got {envelope['type']!r}"
        )
    if envelope["recipient"]["organisation"] != recipient:
        raise problems.WrongRecipient(
            f"the message is addressed to {envelope['recipient']['organisation']}, but must go to {recipient}"
        )
    if envelope["in_reply_to"] != in_reply_to:
        expected = in_reply_to or "nothing (null)"
        raise problems.ValidationFailed(
            f"in_reply_to must be {expected}", errors={"in_reply_to": [f"must be {expected}"]}
        )


def check(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Run the guard of this message type, if it has one."""
    guard = GUARDS.get(MessageType(message.envelope["type"]))
    if guard is not None:
        guard(session, now, order, message)


def _transfer_hold(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 8(4), 10(2): a notified, non-emergency EPOC's data wait for the enforcing authority."""
    if message.body["outcome"] not in ("produced", "partially_produced"):
        return
    held_until = transfer_held_until(session, order, now)
    if held_until is not None:
        raise problems.TransferHeld(
            f"the enforcing authority may object until {to_rfc3339(held_until)} (Art. 12(1)); transfer the "
            "data after that, or once it confirms it will not object (Art. 10(2))",
            held_until=to_rfc3339(held_until),
        )


def _objection_in_time(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 17: a reasoned objection only within 10 days of receipt."""
    if not clocks.is_open(session, order.id, Clock.OBJECTION_WINDOW, now):
        raise problems.TransitionNotAllowed(
            "a third-country objection must be raised within 10 days of receipt (Art. 17); that window has closed"
        )


def _review_in_time(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 12: only while the review window runs; no double-criminality refusal for Annex IV offences."""
    if not clocks.is_open(session, order.id, Clock.ENFORCING_REVIEW, now):
        raise problems.TransitionNotAllowed("the enforcing authority's review window has closed (Art. 12(1))")
    offence = order.certificate.get("offence", {})
    penalty = offence.get("maximum_penalty_months")
    if (
        message.body.get("ground") == "no_double_criminality"
        and offence.get("annex_iv_category")
        and penalty is not None
        and penalty >= DOUBLE_CRIMINALITY_THRESHOLD_MONTHS
    ):
        raise problems.ValidationFailed(
            "EE-17 (Regulation (EU) 2023/1543, Art. 12(1)(d)): double criminality cannot be invoked for an "
            "Annex IV offence punishable by at least 3 years in the issuing State",
            errors={"body": {"ground": ["not available for this offence (Art. 12(1)(d))"]}},
        )


def _ex_post_expected(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    if not clocks.is_open(session, order.id, Clock.EX_POST_VALIDATION, now):
        raise problems.TransitionNotAllowed(
            "this order is not waiting for ex-post validation (Art. 4(5)): it was validated before issuing, "
            "or the 48 hours have passed"
        )


def _deadline_ahead(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    if datetime.fromisoformat(message.body["deadline"]) <= now:
        raise problems.ValidationFailed(
            "a new deadline must lie in the future", errors={"body": {"deadline": ["in the past"]}}
        )


def _after_non_compliance(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage
) -> None:
    """Art. 16(1): enforcement follows non-compliance: an Annex III refusal or a missed deadline."""
    production = clocks.get(session, order.id, Clock.PRODUCTION)
    missed = production is not None and production.breached
    if order.state is not OrderState.NOT_EXECUTED and not missed:
        raise problems.TransitionNotAllowed(
            "enforcement may be requested only after the addressee did not comply: an Annex III refusal or a "
            "missed deadline (Art. 16(1))"
        )


def _nothing_pending(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Closing stops every clock, so it must not cut short a window that protects someone else."""
    if clocks.is_open(session, order.id, Clock.EX_POST_VALIDATION, now):
        raise problems.TransitionNotAllowed(
            "the order awaits ex-post validation (Art. 4(5)); it can be closed once validated, or withdrawn",
            state=order.state.value,
        )
    if clocks.is_open(session, order.id, Clock.ENFORCING_REVIEW, now):
        review = clocks.get(session, order.id, Clock.ENFORCING_REVIEW)
        assert review is not None
        raise problems.TransitionNotAllowed(
            f"the enforcing authority may still object until {to_rfc3339(review.due_at)} (Art. 10(4), 12(1)); "
            "close the order after that, or once it confirms it will not object",
            state=order.state.value,
        )


def _not_ahead(member: str) -> Guard:
    """The instant a provider reports (removal done, reasons ceased) has happened: it is not after now."""

    def guard(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
        if datetime.fromisoformat(message.body[member]) > now:
            raise problems.ValidationFailed(
                f"{member} lies in the future; report what has happened, when it happened",
                errors={"body": {member: ["after the broker's clock"]}},
            )

    return guard


def _ceased_after_impossibility(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage
) -> None:
    """Art. 3(7) of Regulation (EU) 2021/784: the reasons cease after they were reported, and not later
    than now; the hour then runs from that instant."""
    _not_ahead("ceased_at")(session, now, order, message)
    removal = clocks.get(session, order.id, Clock.REMOVAL)
    reported = removal.paused_at if removal is not None else None
    if reported is not None and datetime.fromisoformat(message.body["ceased_at"]) < reported:
        raise problems.ValidationFailed(
            f"ceased_at is before the impossibility was reported ({to_rfc3339(reported)})",
            errors={"body": {"ceased_at": ["before the impossibility"]}},
        )


def _scrutiny_requested_in_time(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage
) -> None:
    """Regulation (EU) 2021/784, Art. 4(4): within 48 hours (UNCONFIRMED) of the provider's receipt of the
    order, or of the content provider's receipt of the Art. 11(2) information; one request by each."""
    body = message.body
    if body["requested_by"] == ScrutinyRequester.CONTENT_PROVIDER:
        _not_ahead("information_received_at")(session, now, order, message)
        informed = datetime.fromisoformat(body["information_received_at"])
        if order.received_at is not None and informed < order.received_at:
            raise problems.ValidationFailed(
                f"information_received_at is before the provider received the order ({to_rfc3339(order.received_at)})",
                errors={"body": {"information_received_at": ["before the order's receipt"]}},
            )
        since, what = informed, "the content provider received the information of Art. 11(2)"
    else:
        assert order.received_at is not None  # the lifecycle table allows the request only after receipt
        since, what = order.received_at, "the provider received the order"
    if now > since + SCRUTINY_REQUEST_WINDOW:
        raise problems.TransitionNotAllowed(
            f"a request for scrutiny comes within 48 hours of when {what} ({to_rfc3339(since)}; Regulation (EU) "
            "2021/784, Art. 4(4)); that time has passed",
            state=order.state.value,
        )
    if any(_body(earlier).get("requested_by") == body["requested_by"] for earlier in _sent(order, message)):
        raise problems.TransitionNotAllowed(
            f"the {body['requested_by'].replace('_', ' ')} has already asked for scrutiny of this order",
            state=order.state.value,
        )


def _scrutiny_open(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Regulation (EU) 2021/784, Art. 4(3)-(5): the host State's authority acts within its 72 hours, or,
    having let a request's 72 hours pass, still owes the decision it missed."""
    window = clocks.get(session, order.id, Clock.SCRUTINY)
    owed = (
        window is not None
        and window.breached
        and not _since(order, MessageType.REMOVAL_SCRUTINY_DECISION, window.started_at)
    )
    if not clocks.is_open(session, order.id, Clock.SCRUTINY, now) and not owed:
        ended = f" ended at {to_rfc3339(window.due_at)}" if window is not None else " is not open"
        raise problems.TransitionNotAllowed(
            f"the host State's scrutiny window{ended} (Regulation (EU) 2021/784, Art. 4(3)-(4))",
            state=order.state.value,
        )


def _scrutiny_decided(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 4(5): an infringement is found only after the issuer was told of the intention and its reasons,
    within the present window."""
    _scrutiny_open(session, now, order, message)
    if message.body["finding"] != ScrutinyFinding.INFRINGEMENT:
        return
    window = clocks.get(session, order.id, Clock.SCRUTINY)
    assert window is not None
    if not _since(order, MessageType.REMOVAL_SCRUTINY_INTENTION, window.started_at):
        raise problems.TransitionNotAllowed(
            "before adopting a decision finding an infringement, inform the issuing authority of the intention "
            "and its reasons with a removal-scrutiny-intention (Regulation (EU) 2021/784, Art. 4(5))",
            state=order.state.value,
        )


def _reinstated(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 4(7): only content that was removed under the order can be reinstated, and it has been."""
    _not_ahead("done_at")(session, now, order, message)
    if not any(m.message_type is MessageType.REMOVAL_CONFIRMATION for m in order.messages):
        raise problems.TransitionNotAllowed(
            "nothing was removed under this order, so there is nothing to reinstate (Regulation (EU) 2021/784, "
            "Art. 4(7)); its legal effects ceased before removal",
            state=order.state.value,
        )


def _preservation_extended(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage
) -> None:
    """Art. 6(2): a further specified period, asked for while the preservation lasts, ending after it."""
    preservation = clocks.get(session, order.id, Clock.CONTENT_PRESERVATION)
    if preservation is None or not clocks.is_open(session, order.id, Clock.CONTENT_PRESERVATION, now):
        raise problems.TransitionNotAllowed(
            "the removed content is no longer preserved (Regulation (EU) 2021/784, Art. 6(2)); an extension "
            "must come before the preservation ends",
            state=order.state.value,
        )
    if datetime.fromisoformat(message.body["until"]) <= preservation.due_at:
        raise problems.ValidationFailed(
            f"until must lie after the current end of the preservation, {to_rfc3339(preservation.due_at)}",
            errors={"body": {"until": ["not after the current end"]}},
        )


# The content provider's rights, Regulation (EU) 2021/784, Arts. 10-11 (tco-dsa.md TCO-16 to TCO-18).
WITHHELD = "Regulation (EU) 2021/784, Art. 11(3); TCO-17"


def _content_provider_informed(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage
) -> None:
    """Art. 11(1)-(2): the provider informs the content provider of what has happened, and not while, or
    at an instant when, the issuing authority's decision not to disclose runs (Art. 11(3))."""
    _not_ahead("informed_at")(session, now, order, message)
    if "requested_at" in message.body:
        _not_ahead("requested_at")(session, now, order, message)
    withholding = clocks.get(session, order.id, Clock.WITHHOLDING)
    if withholding is None:
        return
    if clocks.is_open(session, order.id, Clock.WITHHOLDING, now):
        raise problems.TransitionNotAllowed(
            "the issuing authority decided that the content provider must not be told of the removal until "
            f"{to_rfc3339(withholding.due_at)} ({WITHHELD}); inform it from then on, unless the decision is renewed",
            state=order.state.value,
        )
    informed = datetime.fromisoformat(message.body["informed_at"])
    if withholding.started_at <= informed < withholding.due_at:
        raise problems.ValidationFailed(
            f"informed_at lies within the decision not to disclose ({to_rfc3339(withholding.started_at)} to "
            f"{to_rfc3339(withholding.due_at)}, {WITHHELD})",
            errors={"body": {"informed_at": ["while disclosure was withheld"]}},
        )


def _withholding_decided(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 11(3): a decision not to disclose lasts at most 6 weeks from the decision; while it runs it may be
    renewed by at most 6 weeks, WITHHOLDING_RENEWALS times (UNCONFIRMED). A decision in Annex I (g) counts
    as the first; nothing is withheld once the content provider was told."""
    body = message.body
    current = clocks.get(session, order.id, Clock.WITHHOLDING)
    if body["decision"] == WithholdingDecision.WITHHOLD:
        if current is not None:
            raise problems.TransitionNotAllowed(
                f"a decision not to disclose was taken on this order already (from {to_rfc3339(current.started_at)}"
                f" to {to_rfc3339(current.due_at)}); while it runs, renew it with decision renew ({WITHHELD})",
                state=order.state.value,
            )
        told = [m for m in order.messages if m.message_type is MessageType.CONTENT_PROVIDER_INFORMATION]
        if told:
            raise problems.TransitionNotAllowed(
                "the provider has informed the content provider already "
                f"({to_rfc3339(told[0].received_at)}); there is nothing left to withhold ({WITHHELD})",
                state=order.state.value,
            )
        start = now
    else:
        if current is None or not clocks.is_open(session, order.id, Clock.WITHHOLDING, now):
            ended = f" ended at {to_rfc3339(current.due_at)}" if current is not None else " was never taken"
            raise problems.TransitionNotAllowed(
                f"only a running decision not to disclose can be renewed; this order's{ended} ({WITHHELD})",
                state=order.state.value,
            )
        renewed = [m for m in _sent(order, message) if _body(m).get("decision") == WithholdingDecision.RENEW]
        if len(renewed) >= WITHHOLDING_RENEWALS:
            raise problems.TransitionNotAllowed(
                f"the decision not to disclose was renewed already; Art. 11(3) allows a further 6 weeks "
                f"{WITHHOLDING_RENEWALS} time(s) (UNCONFIRMED; {WITHHELD})",
                state=order.state.value,
            )
        start = current.due_at
    latest = start + WITHHOLDING_PERIOD
    until = datetime.fromisoformat(body["until"])
    if not start < until <= latest:
        raise problems.ValidationFailed(
            f"until must lie after {to_rfc3339(start)} and at most 6 weeks after it, by {to_rfc3339(latest)} "
            f"({WITHHELD})",
            errors={"body": {"until": ["outside the 6 weeks of Art. 11(3)"]}},
        )


def _complaint_owed(session: orm.Session, order: Order) -> datetime | None:
    """When the complaint that still awaits its outcome was received (Art. 10(2)); None: none does."""
    complaint = clocks.get(session, order.id, Clock.COMPLAINT)
    if complaint is None or _since(order, MessageType.REMOVAL_COMPLAINT_OUTCOME, complaint.started_at):
        return None
    return complaint.due_at - COMPLAINT_OUTCOME


def _complaint_received(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 10(1): a complaint the provider has received, after it received the order; one awaits its
    outcome at a time, so that each has its two weeks."""
    _not_ahead("received_at")(session, now, order, message)
    received = datetime.fromisoformat(message.body["received_at"])
    if order.received_at is not None and received < order.received_at:
        raise problems.ValidationFailed(
            f"received_at is before the provider received the order ({to_rfc3339(order.received_at)})",
            errors={"body": {"received_at": ["before the order's receipt"]}},
        )
    pending = _complaint_owed(session, order)
    if pending is not None:
        raise problems.TransitionNotAllowed(
            f"the complaint received {to_rfc3339(pending)} still awaits its outcome; report it first with a "
            "removal-complaint-outcome (Regulation (EU) 2021/784, Art. 10(2); TCO-18)",
            state=order.state.value,
        )


def _complaint_decided(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 10(2): the outcome of the complaint that awaits one, decided after it was received; late, it is
    still accepted, and the two weeks are recorded as missed (steps)."""
    _not_ahead("decided_at")(session, now, order, message)
    pending = _complaint_owed(session, order)
    if pending is None:
        raise problems.TransitionNotAllowed(
            "no complaint on this order awaits its outcome; record the complaint first with a removal-complaint "
            "(Regulation (EU) 2021/784, Art. 10; TCO-18)",
            state=order.state.value,
        )
    if datetime.fromisoformat(message.body["decided_at"]) < pending:
        raise problems.ValidationFailed(
            f"decided_at is before the complaint was received ({to_rfc3339(pending)})",
            errors={"body": {"decided_at": ["before the complaint's receipt"]}},
        )


def _sent(order: Order, message: VerifiedMessage) -> list[Message]:
    """The messages of this order of the same type as this one, sent before it."""
    kind = MessageType(message.envelope["type"])
    return [m for m in order.messages if m.message_type is kind]


def _since(order: Order, kind: MessageType, start: datetime) -> list[Message]:
    """The messages of this type the order received from `start` on."""
    return [m for m in order.messages if m.message_type is kind and m.received_at >= start]


def _body(stored: Message) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(crypto.jws_payload_unverified(stored.jws))["body"]
    return body


GUARDS: dict[MessageType, Guard] = {
    MessageType.REMOVAL_SCRUTINY_REQUEST: _scrutiny_requested_in_time,
    MessageType.REMOVAL_SCRUTINY_INTENTION: _scrutiny_open,
    MessageType.REMOVAL_SCRUTINY_DECISION: _scrutiny_decided,
    MessageType.REMOVAL_REINSTATEMENT: _reinstated,
    MessageType.REMOVAL_PRESERVATION_EXTENSION: _preservation_extended,
    MessageType.CONTENT_PROVIDER_INFORMATION: _content_provider_informed,
    MessageType.REMOVAL_WITHHOLDING: _withholding_decided,
    MessageType.REMOVAL_COMPLAINT: _complaint_received,
    MessageType.REMOVAL_COMPLAINT_OUTCOME: _complaint_decided,
    MessageType.REMOVAL_CONFIRMATION: _not_ahead("done_at"),
    MessageType.IMPOSSIBILITY_CEASED: _ceased_after_impossibility,
    MessageType.RESPONSE: _transfer_hold,
    MessageType.THIRD_COUNTRY_OBJECTION: _objection_in_time,
    MessageType.ENFORCING_REVIEW: _review_in_time,
    MessageType.EX_POST_VALIDATION: _ex_post_expected,
    MessageType.NEW_DEADLINE: _deadline_ahead,
    MessageType.ENFORCEMENT_REQUEST: _after_non_compliance,
    MessageType.CLOSURE: _nothing_pending,
    MessageType.EVIDENCE_MANIFEST: manifest.check,
    MessageType.REQUESTED_PARTY_REFUSAL: routing.refusal_on_route,  # CETS 224 Art. 8(7), CETS 185 Art. 29(5)
}
