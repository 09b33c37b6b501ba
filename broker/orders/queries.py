"""Finding orders: the one visibility rule, one order, what a party has not read, what is overdue, timelines."""

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.queries import entries_about
from broker.audit.queries import pending_about
from broker.clocks import queries as clock_queries
from broker.clocks.models import OrderClock
from broker.lifecycle import FINAL
from broker.orders.models import Order
from broker.orders.models import OrderRead
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind

# An order's parties and addressee, joined into the query that loads the order.
PARTY_LOADS = (
    orm.joinedload(Order.issuing_authority),
    orm.joinedload(Order.provider),
    orm.joinedload(Order.enforcing_authority),
    orm.joinedload(Order.addressee),
)


def visible_orders(actor: Actor) -> sa.ColumnElement[bool]:
    """The orders this party may read: its own as issuer, those addressed to it as provider, all for oversight.

    Every door (API, portal, HI-1) and every feature reads orders through this one filter.
    """
    if actor.kind is OrganisationKind.OVERSIGHT_BODY:
        return sa.true()
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        return Order.issuing_authority_id == actor.organisation_id
    if actor.kind is OrganisationKind.PROVIDER:
        # A provider never sees a draft: until issued it exists only for its author (and oversight).
        return sa.and_(Order.provider_id == actor.organisation_id, Order.state != OrderState.DRAFT)
    # Enforcing authorities see the orders notified to them (Art. 8) or sent to them for enforcement.
    return sa.and_(Order.enforcing_authority_id == actor.organisation_id, Order.state != OrderState.DRAFT)


def get_order(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Order:
    """The order if this party may see it; another party's order is indistinguishable from none.

    Its parties and addressee come in the same query: every step and every answer names them.
    """
    order = session.scalar(
        sa.select(Order).options(*PARTY_LOADS).where(Order.id == order_id, visible_orders(actor))
    )
    if order is None:
        raise problems.NotFound(f"no order {order_id} that you may see")
    return order


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


# The parties a summary names, loaded with the page rather than once per order.
SUMMARY_LOADS = (
    orm.selectinload(Order.issuing_authority),
    orm.selectinload(Order.provider),
    orm.selectinload(Order.enforcing_authority),
)
LISTING_FILTERS = ("state", "order_type", "emergency", "file_number")


def listing(actor: Actor, filters: Mapping[str, Any]) -> sa.Select[Order]:
    """The orders this party may see, newest first, narrowed by the given column values (None: any)."""
    statement = (
        sa.select(Order)
        .options(*SUMMARY_LOADS)
        .where(visible_orders(actor))
        .order_by(Order.created_at.desc(), Order.id)
    )
    for name in LISTING_FILTERS:
        if filters.get(name) is not None:
            statement = statement.where(getattr(Order, name) == filters[name])
    return statement


# Where a page of the inbox stops: (emergency, updated_at, id) of its last order, in sort order.
InboxPosition = tuple[bool, datetime, uuid.UUID]


def inbox_position(order: Order) -> InboxPosition:
    """The keyset position of an order in the inbox, to continue after it."""
    return order.emergency, order.updated_at, order.id


def inbox(
    actor: Actor, *, unread: bool = False, overdue_only: bool = False, after: InboxPosition | None = None
) -> sa.Select[Order]:
    """A party's open orders, emergencies first, then most recently changed; not for oversight bodies.

    Paged by keyset (`after` the last order shown), never by offset and count: each page is one
    walk down the index on (party, emergency, updated_at, id), however many orders there are.
    """
    parties = [
        OrganisationKind.ISSUING_AUTHORITY,
        OrganisationKind.PROVIDER,
        OrganisationKind.ENFORCING_AUTHORITY,
    ]
    require_kind(actor, parties, "read an inbox", writes=False)
    statement = (
        sa.select(Order)
        .options(*SUMMARY_LOADS)
        .where(visible_orders(actor), Order.state.not_in([OrderState.DRAFT, *FINAL]))
        .order_by(Order.emergency.desc(), Order.updated_at.desc(), Order.id.desc())
    )
    if after is not None:
        emergency, updated_at, order_id = after
        statement = statement.where(
            sa.tuple_(Order.emergency, Order.updated_at, Order.id)
            < sa.tuple_(
                sa.literal(emergency, Order.emergency.type),
                sa.literal(updated_at, Order.updated_at.type),
                sa.literal(order_id, Order.id.type),
            )
        )
    if unread:
        statement = statement.where(unread_by(actor.organisation_id))
    if overdue_only:
        statement = statement.where(overdue())
    return statement


READS = frozenset({"order.viewed", "order.case_file_exported"})


def timeline(session: orm.Session, order: Order, actor: Actor) -> dict[str, Any]:
    """Every message, every clock with its pauses, and every logged event of the order.

    Who read the order is for oversight bodies: a party sees its own reads, not other parties'.
    Events recorded but not yet integrated into the log come last, with no index yet.
    """
    events = [json.loads(entry.leaf) for entry in entries_about(session, "order", order.id)]
    events += [
        {**json.loads(pending.document), "index": None, "previous": None}
        for pending in pending_about(session, "order", order.id)
    ]
    return {
        "order": order,
        "messages": order.messages,
        "clocks": clock_queries.of_order(session, order.id),
        "events": [event for event in events if _shown(event, actor)],
    }


def _shown(event: dict[str, Any], actor: Actor) -> bool:
    if actor.kind is OrganisationKind.OVERSIGHT_BODY or event["action"] not in READS:
        return True
    return bool(event["actor"].get("organisation") == str(actor.organisation_id))
