"""What a party has read, what is overdue, and an order's whole timeline."""

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.access import Actor
from broker.audit.queries import entries_about
from broker.clocks.models import OrderClock
from broker.orders.models import Order
from broker.orders.models import OrderRead
from broker.vocabulary import OrganisationKind


def mark_read(session: orm.Session, now: datetime, organisation_id: uuid.UUID, order: Order) -> None:
    """Remember that this organisation has seen the order as it is now."""
    read = session.get(OrderRead, (organisation_id, order.id))
    if read is None:
        session.add(OrderRead(organisation_id=organisation_id, order_id=order.id, read_at=now))
    else:
        read.read_at = now


def unread_by(organisation_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """Orders changed since this organisation last read them (or never read)."""
    seen = (
        sa.select(OrderRead.order_id)
        .where(
            OrderRead.organisation_id == organisation_id,
            OrderRead.order_id == Order.id,
            OrderRead.read_at >= Order.updated_at,
        )
        .exists()
    )
    return ~seen


def overdue() -> sa.ColumnElement[bool]:
    """Orders with a deadline the worker recorded as missed."""
    return (
        sa.select(OrderClock.id)
        .where(OrderClock.order_id == Order.id, OrderClock.breached.is_(True))
        .exists()
    )


READS = frozenset({"order.viewed", "order.listed", "order.case_file_exported"})


def timeline(session: orm.Session, order: Order, actor: Actor) -> dict[str, Any]:
    """Every message, every clock with its pauses, and every logged event of the order.

    Who read the order is for oversight bodies: a party sees its own reads, not other parties'.
    """
    events = [json.loads(entry.leaf) for entry in entries_about(session, "order", order.id)]
    clocks = session.scalars(
        sa.select(OrderClock).where(OrderClock.order_id == order.id).order_by(OrderClock.started_at)
    )
    return {
        "order": order,
        "messages": order.messages,
        "clocks": list(clocks),
        "events": [event for event in events if _shown(event, actor)],
    }


def _shown(event: dict[str, Any], actor: Actor) -> bool:
    if actor.kind is OrganisationKind.OVERSIGHT_BODY or event["action"] not in READS:
        return True
    return event["actor"].get("organisation") == str(actor.organisation_id)
