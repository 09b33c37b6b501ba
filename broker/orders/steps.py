"""Every step after issuing: taking delivery and each signed lifecycle message, per broker.lifecycle.

One function per kind of step; each checks the lifecycle table, the message's guards (windows,
holds, one-time rules), then applies state, clocks, audit entry and notifications in the caller's
transaction.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.clocks import operations as clocks
from broker.evidence import packages as evidence
from broker.inbound import MessageWindow
from broker.inbound import VerifiedMessage
from broker.inbound import store_message
from broker.inbound import verify_inbound
from broker.lifecycle import KEEP
from broker.lifecycle import PAUSED
from broker.lifecycle import RECEIVE
from broker.lifecycle import RESUME
from broker.lifecycle import Clock as ClockKind
from broker.lifecycle import Effect
from broker.lifecycle import NotAllowed
from broker.lifecycle import Side
from broker.lifecycle import Step
from broker.lifecycle import transition
from broker.orders import reads
from broker.orders.models import Order
from broker.orders.operations import expect
from broker.orders.operations import get_order
from broker.orders.operations import record_transition
from broker.orders.parties import enforcing_authority_for
from broker.orders.parties import organisation_of
from broker.orders.parties import side_of
from broker.orders.parties import tell
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind

# Annex IV offences punishable by at least 3 years cannot be refused for lack of double criminality.
DOUBLE_CRIMINALITY_THRESHOLD_MONTHS = 36


def receive_order(session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID) -> Order:
    """The addressee takes delivery of an issued certificate: issued -> received, once; deadlines start."""
    require_kind(actor, [OrganisationKind.PROVIDER], "receive orders")
    order = get_order(session, actor, order_id)
    if order.state is not OrderState.ISSUED:
        return order  # taking delivery again changes nothing: the first receipt time stands
    step = _step(order, RECEIVE, Side.ADDRESSEE, {})
    now = clock()
    record_transition(session, clock, actor, order, OrderState.RECEIVED, "order.received")
    order.received_at = order.updated_at = now
    _apply_clocks(session, now, order, step, "receipt of the certificate", {})
    tell(session, clock, order, "order.received", {"received_at": to_rfc3339(now)})
    return order


def send_message(
    session: orm.Session,
    clock: Clock,
    window: MessageWindow,
    actor: Actor,
    order_id: uuid.UUID,
    jws: str,
    *,
    only: MessageType | None = None,
) -> Order:
    """A signed lifecycle message from one party of the order to the others."""
    order = get_order(session, actor, order_id)
    message = verify_inbound(session, clock, window, actor, jws)
    event = MessageType(message.envelope["type"])
    if event in (MessageType.EPOC, MessageType.EPOC_PR) or (only is not None and event is not only):
        where = (
            "POST /api/v1/orders/{id}/issue" if event in (MessageType.EPOC, MessageType.EPOC_PR) else "here"
        )
        raise problems.UnexpectedMessageType(f"a {event.value!r} message does not belong {where}")
    side = side_of(actor, order)
    if actor.role.value == "auditor":
        raise problems.Forbidden("auditors read but may not send messages")
    step = _step(order, event, side, message.body)
    now = clock()
    recipient = _check_addressing(session, order, message, side)
    GUARDS.get(event, _no_guard)(session, now, order, message)
    store_message(session, clock, message, order, recipient)
    reads.mark_read(session, now, actor.organisation_id, order)  # the sender has seen what it sent
    target = _target(order, step)
    record_transition(session, clock, actor, order, target, f"order.{event.value}", message)
    order.updated_at = now
    _apply_clocks(session, now, order, step, event.value, message.body)
    AFTER.get(event, _no_guard)(session, now, order, message)
    tell(
        session,
        clock,
        order,
        f"order.{event.value}",
        {"state": order.state.value, "message": str(message.id)},
    )
    return order


def _step(order: Order, event: str, side: Side, body: dict[str, Any]) -> Step:
    try:
        return transition(order.order_type, order.state, event, side, body)
    except NotAllowed as refusal:
        if refusal.wrong_side:
            raise problems.Forbidden(str(refusal)) from refusal
        raise problems.TransitionNotAllowed(str(refusal), state=order.state.value) from refusal
    except KeyError as error:
        raise problems.ValidationFailed(
            f"{error.args[0]!r} is not an answer this {order.order_type.value} can take",
            errors={"body": {"outcome": ["not allowed for this order type"]}},
        ) from error


def _target(order: Order, step: Step) -> OrderState:
    if step.target == KEEP:
        return order.state
    if step.target == RESUME:
        resumed = order.resume_state or OrderState.RECEIVED
        order.resume_state = None
        return resumed
    target = OrderState(step.target)
    if target in PAUSED:
        order.resume_state = order.state
    return target


def _recipient(session: orm.Session, order: Order, side: Side, event: MessageType) -> uuid.UUID:
    """Issuers write to the addressee (to the enforcing authority when asking it to enforce); the
    addressee and the enforcing authority write to the issuer."""
    if event is MessageType.ENFORCEMENT_REQUEST:
        # Art. 16(1): the enforcing authority of the addressee's State, notified before or not.
        recipient = (
            order.enforcing_authority_id or enforcing_authority_for(session, order.addressee.country).id
        )
    else:
        recipient = organisation_of(order, Side.ADDRESSEE if side is Side.ISSUER else Side.ISSUER)
    assert recipient is not None
    return recipient


def _check_addressing(session: orm.Session, order: Order, message: VerifiedMessage, side: Side) -> uuid.UUID:
    """Recipient per side, and in_reply_to naming a message of this very order; returns the recipient."""
    recipient_id = _recipient(session, order, side, MessageType(message.envelope["type"]))
    recipient = str(recipient_id)
    in_reply_to = message.envelope["in_reply_to"]
    known = {str(m.id) for m in order.messages}
    if in_reply_to not in known:
        raise problems.ValidationFailed(
            "in_reply_to must name a message of this order (e.g. the certificate)",
            errors={"in_reply_to": ["must be the id of a message of this order"]},
        )
    expect(message.envelope, message.envelope["type"], recipient, in_reply_to)
    return recipient_id


def _apply_clocks(
    session: orm.Session, now: datetime, order: Order, step: Step, cause: str, body: dict[str, Any]
) -> None:
    for kind, effect in step.clocks:
        if kind is ClockKind.OBJECTION_WINDOW and order.instrument != "reg-2023-1543":
            continue  # Art. 17 is the Regulation's
        if effect is Effect.START and kind is ClockKind.PRODUCTION and "deadline" in body:
            clocks.start(session, now, order, kind, cause, due_at=datetime.fromisoformat(body["deadline"]))
        else:
            clocks.apply(session, now, order, kind, effect, cause)


def _no_guard(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    return None


def _transfer_hold(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 8(4), 10(2): a notified, non-emergency EPOC's data wait for the enforcing authority."""
    if message.body["outcome"] not in ("produced", "partially_produced"):
        return
    held_until = clocks.transfer_held_until(session, now=now, order=order)
    if held_until is not None:
        raise problems.TransferHeld(
            f"the enforcing authority may object until {to_rfc3339(held_until)} (Art. 12(1)); transfer the "
            "data after that, or once it confirms it will not object (Art. 10(2))",
            held_until=to_rfc3339(held_until),
        )


def _objection_in_time(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 17: a reasoned objection only within 10 days of receipt."""
    if not clocks.is_open(session, order, ClockKind.OBJECTION_WINDOW, now):
        raise problems.TransitionNotAllowed(
            "a third-country objection must be raised within 10 days of receipt (Art. 17); that window has closed"
        )


def _review_in_time(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Art. 12: only while the review window runs; no double-criminality refusal for Annex IV offences;
    a refusal after data were produced (an emergency, Art. 10(4)) leaves a duty to delete or restrict them."""
    if not clocks.is_open(session, order, ClockKind.ENFORCING_REVIEW, now):
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
    if message.body["decision"] == "refusal" and order.state in (
        OrderState.PRODUCED,
        OrderState.PARTIALLY_PRODUCED,
    ):
        # Art. 10(4): in an emergency the data may already be with the issuer; they are deleted or restricted.
        order.deletion_required = True


def _ex_post_expected(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    if not clocks.is_open(session, order, ClockKind.EX_POST_VALIDATION, now):
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
    production = clocks.get(session, order, ClockKind.PRODUCTION)
    missed = production is not None and production.breached
    if order.state is not OrderState.NOT_EXECUTED and not missed:
        raise problems.TransitionNotAllowed(
            "enforcement may be requested only after the addressee did not comply: an Annex III refusal or a "
            "missed deadline (Art. 16(1))"
        )
    if order.enforcing_authority_id is None:
        order.enforcing_authority_id = enforcing_authority_for(session, order.addressee.country).id


def _nothing_pending(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Closing stops every clock, so it must not cut short a window that protects someone else."""
    if clocks.is_open(session, order, ClockKind.EX_POST_VALIDATION, now):
        raise problems.TransitionNotAllowed(
            "the order awaits ex-post validation (Art. 4(5)); it can be closed once validated, or withdrawn",
            state=order.state.value,
        )
    if clocks.is_open(session, order, ClockKind.ENFORCING_REVIEW, now):
        review = clocks.get(session, order, ClockKind.ENFORCING_REVIEW)
        assert review is not None
        raise problems.TransitionNotAllowed(
            f"the enforcing authority may still object until {to_rfc3339(review.due_at)} (Art. 10(4), 12(1)); "
            "close the order after that, or once it confirms it will not object",
            state=order.state.value,
        )


def _answered(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    order.answered_at = now


def _release_transfer(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    if message.body["decision"] == "no_objection":
        order.transfer_released_at = now


def _deletion_duty(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Data received under an order that ends this way must be deleted or restricted (Art. 4(5))."""
    if message.body.get("delete_received_data") or message.body.get("outcome") == "refused":
        order.deletion_required = True


GUARDS = {
    MessageType.RESPONSE: _transfer_hold,
    MessageType.THIRD_COUNTRY_OBJECTION: _objection_in_time,
    MessageType.ENFORCING_REVIEW: _review_in_time,
    MessageType.EX_POST_VALIDATION: _ex_post_expected,
    MessageType.NEW_DEADLINE: _deadline_ahead,
    MessageType.ENFORCEMENT_REQUEST: _after_non_compliance,
    MessageType.CLOSURE: _nothing_pending,
    MessageType.EVIDENCE_MANIFEST: evidence.check_manifest,
}
AFTER = {
    MessageType.RESPONSE: _answered,
    MessageType.ENFORCING_REVIEW: _release_transfer,
    MessageType.WITHDRAWAL: _deletion_duty,
    MessageType.EX_POST_VALIDATION: _deletion_duty,
    MessageType.EVIDENCE_MANIFEST: evidence.seal_packages,
}
