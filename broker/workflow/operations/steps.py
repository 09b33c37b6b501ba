"""Every step after issuing: taking delivery and each signed lifecycle message, per broker.lifecycle.

Each step checks the lifecycle table and the message's guards (broker.workflow.guards), then applies
state, clocks, audit entry, after-effects and notifications in the caller's transaction.
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.clocks import operations as clocks
from broker.evidence import operations as evidence
from broker.legal import routes
from broker.legal.routes import Event
from broker.lifecycle import KEEP
from broker.lifecycle import PAUSED
from broker.lifecycle import RECEIVE
from broker.lifecycle import RESUME
from broker.lifecycle import Clock as ClockKind
from broker.lifecycle import Effect
from broker.lifecycle import NotAllowed
from broker.lifecycle import Side
from broker.lifecycle import Step
from broker.lifecycle import Via
from broker.lifecycle import transition
from broker.orders import deadlines
from broker.orders.inbound import MessageWindow
from broker.orders.inbound import VerifiedMessage
from broker.orders.inbound import verify_inbound
from broker.orders.models import Order
from broker.orders.operations import mark_read
from broker.orders.operations import record_transition
from broker.orders.operations import store_message
from broker.orders.operations import tell
from broker.orders.queries import get_order
from broker.orders.sides import enforcing_authority_for
from broker.orders.sides import organisation_of
from broker.orders.sides import side_of
from broker.reports.operations import recount
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.workflow import guards
from broker.workflow import routing

AfterEffect = Callable[[orm.Session, datetime, Order, VerifiedMessage, OrderState], None]
# The orders themselves: each leaves by its issue step, never as a message on an order.
ISSUED_BY_ITSELF = frozenset(
    {MessageType.EPOC, MessageType.EPOC_PR, MessageType.REMOVAL_ORDER, MessageType.OVERSEAS_PRODUCTION_ORDER}
)


def receive_order(session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID) -> Order:
    """The addressee takes delivery of an issued certificate: issued -> received, once; deadlines start.

    An order that an authority serves (broker.legal.routes) is taken delivery of twice: by that authority
    when issued (issued -> awaiting_service), then by the provider once served (served -> received).
    """
    require_kind(actor, [OrganisationKind.PROVIDER, OrganisationKind.ENFORCING_AUTHORITY], "receive orders")
    order = get_order(session, actor, order_id)
    side = side_of(actor, order)
    through = routing.via(order) is Via.AUTHORITY
    if side is Side.ENFORCER and through:
        return _received_for_service(session, clock, actor, order)
    first = OrderState.SERVED if through else OrderState.ISSUED
    if order.state is not first and side is Side.ADDRESSEE:
        return order  # taking delivery again changes nothing: the first receipt time stands
    step = _step(order, RECEIVE, side, {})
    now = clock()
    record_transition(session, clock, actor, order, OrderState.RECEIVED, "order.received")
    order.received_at = order.updated_at = now
    apply_clocks(session, now, order, step, "receipt of the certificate", {})
    _withhold_from_receipt(session, now, order)
    recount(session, order)
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
    if event in ISSUED_BY_ITSELF or (only is not None and event is not only):
        where = "POST /api/v1/orders/{id}/issue" if event in ISSUED_BY_ITSELF else "here"
        raise problems.UnexpectedMessageType(f"a {event.value!r} message does not belong {where}")
    side = side_of(actor, order)
    if actor.role.value == "auditor":
        raise problems.Forbidden("auditors read but may not send messages")
    step = _step(order, event, side, message.body)
    routing.refuse_off_route(order, event)
    now = clock()
    recipient = _check_addressing(session, order, message, side)
    guards.check(session, now, order, message)
    store_message(session, clock, message, order, recipient)
    mark_read(session, now, actor.organisation_id, order)  # the sender has seen what it sent
    before = order.state
    record_transition(session, clock, actor, order, _target(order, step), f"order.{event.value}", message)
    order.updated_at = now
    apply_clocks(session, now, order, step, event.value, message.body)
    after = AFTER.get(event)
    if after is not None:
        after(session, now, order, message, before)
    recount(session, order)
    tell(
        session,
        clock,
        order,
        f"order.{event.value}",
        {"state": order.state.value, "message": str(message.id)},
    )
    return order


def apply_clocks(
    session: orm.Session, now: datetime, order: Order, step: Step, cause: str, body: dict[str, Any]
) -> None:
    """The clock effects of a lifecycle step; a new deadline sets the production clock's due time."""
    for kind, effect in step.clocks:
        if kind is ClockKind.OBJECTION_WINDOW and order.instrument != "reg-2023-1543":
            continue  # Art. 17 is the Regulation's
        if effect is Effect.START:
            given = body.get("deadline") if kind is ClockKind.PRODUCTION else None
            if kind is ClockKind.WITHHOLDING:  # Art. 11(3): until the instant the authority decided
                given = body["until"]
            # Art. 3(7) of Regulation (EU) 2021/784: the hour runs again from when the reasons ceased.
            begins = datetime.fromisoformat(body["ceased_at"]) if "ceased_at" in body else now
            if kind is ClockKind.CONTENT_PRESERVATION:  # Art. 6(2): six months from the removal itself
                begins = datetime.fromisoformat(body["done_at"])
            if kind is ClockKind.COMPLAINT:  # Art. 10(2): two weeks from the complaint's receipt
                begins = datetime.fromisoformat(body["received_at"])
            due = datetime.fromisoformat(given) if given else deadlines.due_time(kind, order, begins)
            clocks.start(session, now, order.id, kind, due, cause)
        elif effect is Effect.EXTEND and kind in (ClockKind.CONTENT_PRESERVATION, ClockKind.WITHHOLDING):
            # Art. 6(2), 11(3): a further specified period (the guard checked it lies after the current end).
            clocks.extend_to(session, now, order.id, kind, datetime.fromisoformat(body["until"]), cause)
        else:
            clocks.apply(session, now, order.id, kind, effect, cause)
    if step.route_event:
        start_route_clocks(session, now, order, Event(step.route_event), cause)


def _withhold_from_receipt(session: orm.Session, now: datetime, order: Order) -> None:
    """Regulation (EU) 2021/784, Art. 11(3), Annex I (g): a withholding the removal order itself decided binds
    the provider from receipt, until its day (TCO-17 checked it at issue); one already over starts nothing."""
    if order.order_type is not OrderType.REMOVAL_ORDER:
        return
    until = deadlines.annex_withholding_end(order)
    if until is not None and until > now:
        clocks.start(session, now, order.id, ClockKind.WITHHOLDING, until, "Annex I (g) of the removal order")


def _received_for_service(session: orm.Session, clock: Clock, actor: Actor, order: Order) -> Order:
    """The route's authority takes delivery: the clocks its route runs from receipt start (CETS 224 Art. 8:
    the time to serve; Art. 9: the provider's disclosure)."""
    if order.state is not OrderState.ISSUED:
        return order  # taken delivery of already: the first receipt time stands
    if actor.role.value == "auditor":
        raise problems.Forbidden("auditors read but may not take delivery of orders")
    step = _step(order, RECEIVE, Side.ENFORCER, {})
    now = clock()
    record_transition(session, clock, actor, order, OrderState.AWAITING_SERVICE, "order.received_for_service")
    order.updated_at = now
    apply_clocks(session, now, order, step, "receipt by the authority that serves the order", {})
    recount(session, order)
    tell(session, clock, order, "order.received_for_service", {"received_at": to_rfc3339(now)})
    return order


def start_route_clocks(
    session: orm.Session, now: datetime, order: Order, event: Event, cause: str, start: datetime | None = None
) -> None:
    """The clocks of the order's route that run from this event (broker.legal.routes), each as long as the
    route's data say (a judge-set compliance period under COPO s.5 replaces the default)."""
    route = deadlines.order_route(order)
    if route is None:
        return
    for kind, timer in routes.timers_from(route, event):
        due = timer.due(start or now, deadlines.route_length(order, timer))
        clocks.start(session, now, order.id, kind, due, f"{cause} ({timer.citation})"[:200])


def _step(order: Order, event: str, side: Side, body: dict[str, Any]) -> Step:
    try:
        return transition(order.order_type, order.state, event, side, body, routing.via(order))
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


def recipient_of(session: orm.Session, order: Order, side: Side, event: MessageType) -> uuid.UUID:
    """Issuers write to the addressee (to the enforcing authority when asking it to enforce); the
    addressee and the enforcing authority write to the issuer."""
    recipient: uuid.UUID | None
    if event is MessageType.REMOVAL_SCRUTINY_REQUEST:
        # Regulation (EU) 2021/784, Art. 4(4): to the host State's authority, which got the copy (Art. 4(1)).
        recipient = order.enforcing_authority_id
        if recipient is None:
            raise problems.TransitionNotAllowed(
                "a removal order to a provider established in the issuing State has no host State scrutiny "
                "(Regulation (EU) 2021/784, Art. 4(1), (4))",
                state=order.state.value,
            )
    elif event is MessageType.ENFORCEMENT_REQUEST:
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
    recipient_id = recipient_of(session, order, side, MessageType(message.envelope["type"]))
    recipient = str(recipient_id)
    in_reply_to = message.envelope["in_reply_to"]
    known = {str(m.id) for m in order.messages}
    if in_reply_to not in known:
        raise problems.ValidationFailed(
            "in_reply_to must name a message of this order (e.g. the certificate)",
            errors={"in_reply_to": ["must be the id of a message of this order"]},
        )
    guards.expect(message.envelope, message.envelope["type"], recipient, in_reply_to)
    return recipient_id


def _answered(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    order.answered_at = now


def _reviewed(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    """No objection releases the transfer (Art. 10(2)); a refusal after data were produced (an emergency,
    Art. 10(4)) leaves a duty to delete or restrict them."""
    if message.body["decision"] == "no_objection":
        order.transfer_released_at = now
    elif before in (OrderState.PRODUCED, OrderState.PARTIALLY_PRODUCED):
        order.deletion_required = True


def _deletion_duty(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    """Data received under an order that ends this way must be deleted or restricted (Art. 4(5))."""
    if message.body.get("delete_received_data") or message.body.get("outcome") == "refused":
        order.deletion_required = True


def _enforcing_authority_named(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    """Art. 16(1): the enforcing authority of the addressee's State now acts on the order."""
    if order.enforcing_authority_id is None:
        order.enforcing_authority_id = enforcing_authority_for(session, order.addressee.country).id


def _seal_evidence(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    evidence.seal_packages(session, now, order, message)


def _removal_confirmed(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    """Art. 3(3), (6) of Regulation (EU) 2021/784: the hour is judged on when the content went, which a
    confirmation may report after the hour ran out and before a worker recorded it."""
    order.answered_at = now
    done_at = datetime.fromisoformat(message.body["done_at"])
    if before is OrderState.RECEIVED:  # the hour ran (no impossibility or clarification held it)
        clocks.record_late(session, order.id, ClockKind.REMOVAL, done_at)


def _complaint_decided(
    session: orm.Session, now: datetime, order: Order, message: VerifiedMessage, before: OrderState
) -> None:
    """Art. 10(2) of Regulation (EU) 2021/784: an outcome the complainant learnt after the two weeks is late,
    even when reported before a worker recorded it."""
    clocks.record_late(
        session, order.id, ClockKind.COMPLAINT, datetime.fromisoformat(message.body["decided_at"])
    )


AFTER: dict[MessageType, AfterEffect] = {
    MessageType.REMOVAL_CONFIRMATION: _removal_confirmed,
    MessageType.REMOVAL_COMPLAINT_OUTCOME: _complaint_decided,
    MessageType.RESPONSE: _answered,
    MessageType.ENFORCING_REVIEW: _reviewed,
    MessageType.WITHDRAWAL: _deletion_duty,
    MessageType.EX_POST_VALIDATION: _deletion_duty,
    MessageType.ENFORCEMENT_REQUEST: _enforcing_authority_named,
    MessageType.EVIDENCE_MANIFEST: _seal_evidence,
}
