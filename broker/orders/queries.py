"""Finding orders: the one visibility rule, one order, what a party has not read, what is overdue, timelines,
and the dashboards' lists (by deadline, by state)."""

import json
import uuid
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
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
from broker.clocks.models import RUNNING
from broker.clocks.models import OrderClock
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.lifecycle import FINAL
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.orders.models import OrderRead
from broker.orders.models import ProceduresNotice
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
    if (
        actor.kind is OrganisationKind.EUROPOL
    ):  # a recipient of DSA Art. 18(2) notifications, party to no order
        return sa.false()
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        return Order.issuing_authority_id == actor.organisation_id
    if actor.kind is OrganisationKind.PROVIDER:
        # A provider never sees a draft: until issued it exists only for its author (and oversight). An
        # order that an authority serves on it (broker.legal.routes) reaches it only once served.
        return sa.and_(
            Order.provider_id == actor.organisation_id,
            Order.state != OrderState.DRAFT,
            sa.or_(Order.instrument.notin_(sorted(SERVED_BY_AUTHORITY)), Order.served_at.is_not(None)),
        )
    # Enforcing authorities see the orders notified to them (Art. 8), sent to them for enforcement, or sent
    # to them to serve on a provider (CETS 224 Art. 8, 9; COPO s.9).
    return sa.and_(Order.enforcing_authority_id == actor.organisation_id, Order.state != OrderState.DRAFT)


def procedures_notices(actor: Actor) -> sa.Select[ProceduresNotice]:
    """Notices of procedures (Regulation (EU) 2021/784, Art. 3(2)) this party may read, newest first: an
    authority's own, those given to a provider, all for oversight, none for anyone else."""
    statement = sa.select(ProceduresNotice).order_by(
        ProceduresNotice.recorded_at.desc(), ProceduresNotice.id.desc()
    )
    if actor.kind is OrganisationKind.OVERSIGHT_BODY:
        return statement
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        return statement.where(ProceduresNotice.issuing_authority_id == actor.organisation_id)
    if actor.kind is OrganisationKind.PROVIDER:
        return statement.where(ProceduresNotice.provider_id == actor.organisation_id)
    return statement.where(sa.false())


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
        .order_by(Order.created_at.desc(), Order.id.desc())
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


# --- Dashboards (the portal's first pages; any door may use them) ---------------------------------

# Where an order without a running deadline sorts in a dashboard: after every dated one.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
# Where a page of a dashboard stops: (0 if overdue else 1, next deadline or NO_DEADLINE, id).
DashboardPosition = tuple[int, datetime, uuid.UUID]


def _next_due() -> sa.ScalarSelect[datetime]:
    """The soonest due time of the order's running clocks (NULL when none runs)."""
    return (
        sa.select(sa.func.min(OrderClock.due_at))
        .where(OrderClock.order_id == Order.id, OrderClock.status == RUNNING)
        .scalar_subquery()
    )


def dashboard(
    actor: Actor, *, states: Collection[OrderState] | None = None, after: DashboardPosition | None = None
) -> sa.Select[Order, int, datetime]:
    """The party's orders for its dashboard: overdue first, then by the soonest running deadline.

    Rows are (order, overdue rank, next deadline or NO_DEADLINE); `states` narrows (None: every
    order that is not withdrawn or closed, drafts included). Paged by keyset on the three sort
    values. The rank and deadline are computed per order from its clocks (two index probes each
    on order_clocks' (order_id, kind) key), so a page costs a walk over the party's matching orders:
    fine for one authority's open cases; a denormalised "next due" on orders, indexed with the
    party, would make it one index walk (noted in docs/portal.md, "Scale").
    """
    rank = sa.case((overdue(), 0), else_=1)
    due = sa.func.coalesce(_next_due(), sa.literal(NO_DEADLINE, Order.updated_at.type))
    statement = (
        sa.select(Order, rank.label("rank"), due.label("due"))
        .options(*SUMMARY_LOADS)
        .where(visible_orders(actor))
        .order_by(rank, due, Order.id)
    )
    if states is None:
        statement = statement.where(Order.state.not_in(FINAL))
    else:
        statement = statement.where(Order.state.in_(list(states)))
    if after is not None:
        last_rank, last_due, last_id = after
        statement = statement.where(
            sa.tuple_(rank, due, Order.id)
            > sa.tuple_(
                sa.literal(last_rank),
                sa.literal(last_due, Order.updated_at.type),
                sa.literal(last_id, Order.id.type),
            )
        )
    return statement


def state_counts(session: orm.Session, actor: Actor) -> dict[OrderState, int]:
    """How many of the orders this party may see are in each state (one grouped query)."""
    rows = session.execute(
        sa.select(Order.state, sa.func.count()).where(visible_orders(actor)).group_by(Order.state)
    ).all()
    return {state: count for state, count in rows}


@dataclass(frozen=True)
class Deadline:
    """An order's next deadline as a list shows it: which clock, when, and whether one was missed."""

    clock: str | None
    due_at: datetime | None
    overdue: bool


def deadlines(session: orm.Session, order_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Deadline]:
    """The next running deadline and the missed-deadline flag of each order, in one query for a page."""
    found: dict[uuid.UUID, Deadline] = {order_id: Deadline(None, None, False) for order_id in order_ids}
    if not order_ids:
        return found
    rows = session.execute(
        sa.select(
            OrderClock.order_id, OrderClock.kind, OrderClock.due_at, OrderClock.status, OrderClock.breached
        )
        .where(OrderClock.order_id.in_(list(order_ids)))
        # Clocks due at the same instant (a notified EPOC's deadline and its review window): the
        # production deadline is the one a party acts on, so it is the one shown.
        .order_by(OrderClock.due_at, sa.case((OrderClock.kind == Clock.PRODUCTION, 0), else_=1))
    ).all()
    for order_id, kind, due_at, status, breached in rows:
        current = found[order_id]
        overdue_now = current.overdue or bool(breached)
        if status == RUNNING and current.due_at is None:
            found[order_id] = Deadline(kind.value, due_at, overdue_now)
        else:
            found[order_id] = Deadline(current.clock, current.due_at, overdue_now)
    return found


# Where a page of the newest-first listing stops: (created_at, id) of its last order.
ListingPosition = tuple[datetime, uuid.UUID]


def listing_after(statement: sa.Select[Order], after: ListingPosition) -> sa.Select[Order]:
    """`listing(...)` narrowed to the orders after `after` in its order (newest first, ties by id descending).

    One direction throughout, so that the index on (created_at, id) read backwards yields a page unsorted.
    """
    created_at, order_id = after
    return statement.where(
        sa.tuple_(Order.created_at, Order.id)
        < sa.tuple_(sa.literal(created_at, Order.created_at.type), sa.literal(order_id, Order.id.type))
    )
