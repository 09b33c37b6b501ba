"""The enforcing authority's review (Art. 12): the notified orders awaiting it, and the reviews it recorded.

An EPOC notified under Art. 8 starts the enforcing review clock (10 days, 96 hours in an emergency,
Art. 12(1), 10(4)); the authority's review stops it, and so does the end of execution (withdrawal,
refusal). So "awaiting review" is exactly "its review clock runs": the lifecycle never pauses that
clock. A window whose end has passed but which no worker has fired yet still runs: it stays in the
queue, marked as ended, since the broker refuses a review from that instant on (`clocks.is_open`).

Both lists are paged by keyset and each page is one walk down an index in the list's own order:
the queue down `ix_order_clocks_review` (running review clocks by due time, every authority's; there
are only as many as orders notified in the last 10 days), the reviews down `ix_messages_sent`
(the authority's own enforcing-review messages, newest first).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker.access import Actor
from broker.access import require_kind
from broker.clocks.models import RUNNING
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Message
from broker.orders.models import Order
from broker.orders.queries import SUMMARY_LOADS
from broker.orders.queries import overdue
from broker.orders.queries import visible_orders
from broker.vocabulary import MessageType
from broker.vocabulary import OrganisationKind

# The review window's clock, aliased apart from the order's other clocks that `overdue()` looks at.
WINDOW = orm.aliased(OrderClock, name="review_window")
# Where a page of the queue stops: (review window's end, order id) of its last order.
QueuePosition = tuple[datetime, uuid.UUID]
# Where a page of the reviews stops: (received_at, message id) of its last review, newest first.
ReviewedPosition = tuple[datetime, uuid.UUID]


def _reviewer(actor: Actor) -> None:
    require_kind(actor, [OrganisationKind.ENFORCING_AUTHORITY], "read a review queue", writes=False)


def awaiting_review(actor: Actor, after: QueuePosition | None = None) -> sa.Select[Order, datetime, bool]:
    """The orders notified to this enforcing authority whose review window runs, the soonest end first.

    Rows are (order, the window's end, whether the order has a missed deadline). Ties on the end
    are broken by order id, so a page never repeats or skips an order.
    """
    _reviewer(actor)
    statement = (
        sa.select(Order, WINDOW.due_at, overdue().label("overdue"))
        .join(WINDOW, WINDOW.order_id == Order.id)
        .options(*SUMMARY_LOADS)
        .where(WINDOW.kind == Clock.ENFORCING_REVIEW, WINDOW.status == RUNNING, visible_orders(actor))
        .order_by(WINDOW.due_at, WINDOW.order_id)
    )
    if after is not None:
        due_at, order_id = after
        statement = statement.where(
            sa.tuple_(WINDOW.due_at, WINDOW.order_id)
            > sa.tuple_(sa.literal(due_at, WINDOW.due_at.type), sa.literal(order_id, WINDOW.order_id.type))
        )
    return statement


def reviewed(actor: Actor, after: ReviewedPosition | None = None) -> sa.Select[Order, Message]:
    """The reviews this enforcing authority recorded, newest first, each with its order."""
    _reviewer(actor)
    statement = (
        sa.select(Order, Message)
        .join(Message, Message.order_id == Order.id)
        .options(*SUMMARY_LOADS)
        .where(
            Message.sender_id == actor.organisation_id,
            Message.message_type == MessageType.ENFORCING_REVIEW,
            visible_orders(actor),
        )
        .order_by(Message.received_at.desc(), Message.id.desc())
    )
    if after is not None:
        received_at, message_id = after
        statement = statement.where(
            sa.tuple_(Message.received_at, Message.id)
            < sa.tuple_(
                sa.literal(received_at, Message.received_at.type), sa.literal(message_id, Message.id.type)
            )
        )
    return statement


@dataclass(frozen=True)
class Review:
    """What a recorded review decided (Art. 12), read from the signed message kept byte for byte."""

    decision: str
    ground: str | None
    explanation: str | None
    conditions: str | None


def review_of(message: Message) -> Review:
    """The decision a stored enforcing-review message carries (its signature was verified on receipt)."""
    body: dict[str, Any] = json.loads(crypto.jws_payload_unverified(message.jws))["body"]
    return Review(body["decision"], body.get("ground"), body.get("explanation"), body.get("conditions"))
