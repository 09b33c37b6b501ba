"""What each order came to, read from its signed messages and its clocks: the input of every report.

Reports count from the stored messages (each verified on arrival) rather than from the current
state, because an order moves on: a produced EPOC is later closed, an unanswered one is withdrawn,
and the statistics must still see that the data were produced, or that a deadline was missed.

These facts are worked out once per change to an order, when the operation that changes it calls
broker.reports.operations.recount, and kept in `report_orders`; a report only adds them up.
"""

import json
import uuid
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker.clocks.models import FIRED
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Message
from broker.orders.models import Order
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType

COMPLIED, NOT_COMPLIED, PENDING, ENDED = "complied", "not_complied", "pending", "ended_without_answer"
# Why an order was not complied with, most specific first; `enforcement` only if nothing else says why.
REASONS = ("refused", "not_executed", "deadline_missed", "enforcement")
PRODUCING = ("produced", "partially_produced")
# An order in one of these states without an answer will not get one.
ENDED_STATES = frozenset({OrderState.WITHDRAWN, OrderState.CLOSED, OrderState.PRESERVATION_ENDED})
ENFORCEMENT_STATES = frozenset({OrderState.ENFORCEMENT_REQUESTED, OrderState.ENFORCEMENT_REFUSED})
# The requesting State of a UK overseas production order: the Crime (Overseas Production Orders) Act 2019 is
# the United Kingdom's, and its orders are made by UK judges (s.1).
OVERSEAS_REQUESTING_STATE = "GB"
# Only these messages say anything the reports count.
COUNTED_MESSAGES = (
    MessageType.RESPONSE,
    MessageType.ENFORCING_REVIEW,
    MessageType.ENFORCEMENT_REQUEST,
    MessageType.ENFORCEMENT_DECISION,
    MessageType.EX_POST_VALIDATION,
    MessageType.PRODUCTION_REQUEST_CONFIRMATION,
)


@dataclass(frozen=True)
class OrderFacts:
    """One issued order as the reports see it; the columns of `report_orders`, one for one."""

    order_id: uuid.UUID
    instrument: str
    order_type: OrderType
    country: str  # the issuing authority's State, as the signed certificate names it
    provider_id: uuid.UUID
    addressee: str  # "provider name (addressee country)", as the signed certificate names them
    categories: list[str]
    emergency: bool
    targets: int
    issued_at: datetime
    received_at: datetime | None
    status: str  # COMPLIED, NOT_COMPLIED, PENDING or ENDED
    compliance: str | None  # produced, partially_produced or preserved
    reason: str | None  # one of REASONS when not complied
    notified: bool
    refusal_ground: str | None
    enforcement: str | None  # awaiting_decision, recognised or refused
    ex_post: str | None  # granted, refused, not_obtained_in_time or awaiting; None: not Art. 4(5)
    data_after_us: int | None  # issue -> first response that produced data, in microseconds
    confirmation_after_us: int | None  # issue -> Annex V confirmation (EPOC-PR), in microseconds


def facts_of(session: orm.Session, orders: Sequence[Order]) -> list[OrderFacts]:
    """The facts of these issued orders, with their counted messages and their clocks in two queries.

    Messages and clocks are read afresh rather than from the orders' loaded relationships, so that a
    step that waited for another on the same order counts what that one committed.
    """
    ids = [order.id for order in orders]
    messages: dict[uuid.UUID, list[Message]] = {}
    statement = (
        sa.select(Message)
        .where(Message.order_id.in_(ids), Message.message_type.in_(COUNTED_MESSAGES))
        .order_by(Message.received_at, Message.id)
    )
    for message in session.scalars(statement):
        messages.setdefault(message.order_id, []).append(message)
    clocks: dict[uuid.UUID, dict[Clock, OrderClock]] = {}
    statement_clocks = (
        sa.select(OrderClock).where(OrderClock.order_id.in_(ids)).execution_options(populate_existing=True)
    )
    for row in session.scalars(statement_clocks):
        clocks.setdefault(row.order_id, {})[row.kind] = row
    return [facts(order, messages.get(order.id, []), clocks.get(order.id, {})) for order in orders]


def facts(order: Order, messages: Sequence[Message], clocks: dict[Clock, OrderClock]) -> OrderFacts:
    """What one issued order came to; `messages` in the order received (ties: by id)."""
    assert order.issued_at is not None
    bodies = [(message, _body(message)) for message in messages]
    responses = [(m, b) for m, b in bodies if m.message_type is MessageType.RESPONSE]
    outcomes = {body["outcome"] for _, body in responses}
    compliance = next((o for o in ("produced", "partially_produced", "preserved") if o in outcomes), None)
    refusals = [
        b for m, b in bodies if m.message_type is MessageType.ENFORCING_REVIEW and b["decision"] == "refusal"
    ]
    production = clocks.get(Clock.PRODUCTION)
    signals = {
        "refused": bool(refusals) or order.state is OrderState.REFUSED,
        "not_executed": "not_executed" in outcomes or order.state is OrderState.NOT_EXECUTED,
        "deadline_missed": production is not None and production.breached,
        "enforcement": order.state in ENFORCEMENT_STATES
        or _first(bodies, MessageType.ENFORCEMENT_REQUEST) is not None,
    }
    reason = None if compliance else next((r for r in REASONS if signals[r]), None)
    first_data = next((m.received_at for m, b in responses if b["outcome"] in PRODUCING), None)
    confirmation = _first(bodies, MessageType.PRODUCTION_REQUEST_CONFIRMATION)
    certificate = order.certificate  # the signed wire document: these members are required there
    if order.order_type is OrderType.OVERSEAS_PRODUCTION_ORDER:
        # A UK overseas production order is the UK's (COPO 2019): it names the respondent, not an addressee,
        # and describes the data rather than the Regulation's categories (which only Art. 28 counts).
        respondent = certificate["respondent"]
        country, addressee_name, categories = OVERSEAS_REQUESTING_STATE, respondent, []
    else:
        addressee = certificate["addressee"]
        country = certificate["issuing_authority"]["country"]
        addressee_name = {"name": addressee["provider"]["name"], "country": addressee["country"]}
        categories = list(certificate["data_categories"])
    return OrderFacts(
        order_id=order.id,
        instrument=order.instrument,
        order_type=order.order_type,
        country=country,
        provider_id=order.provider_id,
        addressee=f"{addressee_name['name']} ({addressee_name['country']})",
        categories=categories,
        emergency=order.emergency,
        targets=len(certificate["targets"]),
        issued_at=order.issued_at,
        received_at=order.received_at,
        status=_status(order, compliance, reason),
        compliance=compliance,
        reason=reason,
        notified=order.enforcing_authority_id is not None and Clock.ENFORCING_REVIEW in clocks,
        refusal_ground=refusals[-1]["ground"] if refusals else None,
        enforcement=_enforcement(bodies),
        ex_post=_ex_post(order, bodies, clocks.get(Clock.EX_POST_VALIDATION)),
        data_after_us=_microseconds(first_data - order.issued_at) if first_data else None,
        confirmation_after_us=_microseconds(confirmation.received_at - order.issued_at)
        if compliance and confirmation
        else None,
    )


def _status(order: Order, compliance: str | None, reason: str | None) -> str:
    if compliance:
        return COMPLIED
    if reason:
        return NOT_COMPLIED
    return ENDED if order.state in ENDED_STATES else PENDING


def _enforcement(bodies: list[tuple[Message, dict[str, Any]]]) -> str | None:
    if not _first(bodies, MessageType.ENFORCEMENT_REQUEST):
        return None
    decisions = [b["outcome"] for m, b in bodies if m.message_type is MessageType.ENFORCEMENT_DECISION]
    return str(decisions[-1]) if decisions else "awaiting_decision"


def _ex_post(
    order: Order, bodies: list[tuple[Message, dict[str, Any]]], clock: OrderClock | None
) -> str | None:
    """Art. 4(5): the validation decision, or none within 48 hours (the clock fired)."""
    if not order.ex_post_validation_required:
        return None
    decisions = [str(b["outcome"]) for m, b in bodies if m.message_type is MessageType.EX_POST_VALIDATION]
    if decisions:
        return decisions[-1]
    if clock is not None and clock.status == FIRED and order.deletion_required:
        return "not_obtained_in_time"
    return "awaiting"


def _first(bodies: Iterable[tuple[Message, dict[str, Any]]], kind: MessageType) -> Message | None:
    return next((message for message, _ in bodies if message.message_type is kind), None)


def _microseconds(duration: timedelta) -> int:
    """Exact, so that averages come out as they would from the durations themselves."""
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def _body(message: Message) -> dict[str, Any]:
    """The message body; stored messages were verified on arrival, so they are read, not verified again."""
    return dict(json.loads(crypto.jws_payload_unverified(message.jws))["body"])
