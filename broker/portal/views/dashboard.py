"""The first page after signing in: the organisation's orders, most urgent first, a page at a time.

One page per kind of organisation, each built on the query the API's lists use, so it shows
exactly what the party may see (`visible_orders`), and each page shown is one `orders.listed`
entry in the audit trail naming every order on it, as an API list is:

- an issuing authority's caseworkers: their orders by state (a count per state, each a filter),
  overdue first, then by the soonest running deadline (`queries.dashboard`);
- a provider's legal team and an enforcing authority: the inbox of the open orders they must act
  on, emergencies first (their rows marked), each part in the same order, with "unread" and
  "overdue" filters (`queries.unread_by`, `queries.overdue`, as the API's GET /inbox);
- an oversight body: every order, newest first, by state (`queries.listing`, GET /orders);
- Europol, which takes no part in orders: the threat notifications addressed to it (Regulation (EU)
  2022/2065, Art. 18(2)), newest first (`threats.received`, as GET /threat-notifications).

Every list is paged by keyset ("Next page" carries where the page stopped): no offset, no count
of the whole list, and the deadlines of a page's orders come in one query (no query per row).
Each deadline shows the time left, counted against the broker's clock.
"""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask import current_app
from flask import request

from broker.lifecycle import FINAL
from broker.orders import operations
from broker.orders import queries
from broker.orders import threats
from broker.orders.models import Order
from broker.portal import bp
from broker.portal import paging
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind

INBOX_FILTERS = ("unread", "overdue")
THREATS_SHOWN = 20  # the newest unanswered threat notifications above an authority's orders


@bp.get("/")
@page()
def dashboard(visit: Visit) -> Response:
    """The dashboard of the person's kind of organisation."""
    kind = visit.actor.kind
    if kind is OrganisationKind.ISSUING_AUTHORITY:
        return _caseworker(visit)
    if kind is OrganisationKind.OVERSIGHT_BODY:
        return _oversight(visit)
    if kind is OrganisationKind.EUROPOL:
        return _europol(visit)
    return _inbox(visit)


def _caseworker(visit: Visit) -> Response:
    state = _state()
    statement = queries.dashboard(visit.actor, states=None if state is None else [state], after=_after())
    return _by_deadline(visit, statement, "dashboard/caseworker.html", "portal-dashboard", state=state)


def _inbox(visit: Visit) -> Response:
    """Emergencies first, then the others, each part overdue first then by deadline.

    An emergency comes first even before its clock runs (it starts when the provider takes the
    order): the legal team on call must not find it below a month of ten-day orders. The cursor
    carries which part the page stopped in, so each part is paged by its own keyset.
    """
    shown = request.args.get("show")
    shown = shown if shown in INBOX_FILTERS else None
    after = paging.decode(request.args.get("cursor"), (bool, int, datetime, uuid.UUID))
    in_emergencies = after is None or after[0]
    position = None if after is None else (after[1], after[2], after[3])
    size = _size()
    rows = _inbox_part(visit, shown, True, position, size + 1) if in_emergencies else []
    if len(rows) <= size:
        rows += _inbox_part(visit, shown, False, None if in_emergencies else position, size + 1 - len(rows))
    page_of = paging.cut(rows, size, lambda row: (row[0].emergency, *_dashboard_position(row)))
    orders = [order for order, _, _ in page_of.rows]
    return _render(visit, "dashboard/inbox.html", "portal-inbox", orders, page_of, shown=shown)


def _inbox_part(
    visit: Visit, shown: str | None, emergency: bool, after: queries.DashboardPosition | None, limit: int
) -> list[tuple[Order, int, datetime]]:
    """Up to `limit` rows of the emergencies' or the others' part of the inbox, after `after`."""
    statement = queries.dashboard(visit.actor, after=after).where(Order.emergency.is_(emergency))
    if shown == "unread":
        statement = statement.where(queries.unread_by(visit.actor.organisation_id))
    elif shown == "overdue":
        statement = statement.where(queries.overdue())
    return [(order, rank, due) for order, rank, due in visit.session.execute(statement.limit(limit))]


def _by_deadline(
    visit: Visit,
    statement: sa.Select[Order, int, datetime],
    template: str,
    listing: str,
    **context: Any,
) -> Response:
    """A page of a list in `queries.dashboard`'s order: overdue first, then the soonest deadline."""
    rows = [(order, rank, due) for order, rank, due in visit.session.execute(statement.limit(_size() + 1))]
    page_of = paging.cut(rows, _size(), _dashboard_position)
    orders = [order for order, _, _ in page_of.rows]
    return _render(visit, template, listing, orders, page_of, **context)


def _oversight(visit: Visit) -> Response:
    state = _state()
    after = paging.decode(request.args.get("cursor"), (datetime, uuid.UUID))
    statement = queries.listing(visit.actor, {"state": state})
    if after is not None:
        statement = queries.listing_after(statement, after)
    orders = list(visit.session.scalars(statement.limit(_size() + 1)))
    page_of = paging.cut(orders, _size(), lambda order: (order.created_at, order.id))
    return _render(visit, "dashboard/oversight.html", "portal-orders", page_of.rows, page_of, state=state)


def _europol(visit: Visit) -> Response:
    """Europol's notifications, a page at a time; it reads them as an authority does (no audit entry, as
    the API's list), and no order is listed: it sees none."""
    after = paging.decode(request.args.get("cursor"), (datetime, uuid.UUID))
    position = None if after is None else (after[0], after[1])
    rows = threats.received(visit.session, visit.actor, position, _size() + 1)
    page_of = paging.cut(rows, _size(), lambda row: (row[0].received_at, row[0].id))
    return visit.render(
        "dashboard/europol.html",
        threats=page_of.rows,
        next_cursor=page_of.next_cursor,
        first_page=not request.args.get("cursor"),
    )


def _render(
    visit: Visit, template: str, listing: str, orders: list[Order], page_of: paging.Page[Any], **context: Any
) -> Response:
    operations.record_listing(visit.session, visit.clock, visit.actor, listing, orders)
    counts = (
        queries.state_counts(visit.session, visit.actor)
        if visit.actor.kind is not OrganisationKind.PROVIDER
        and visit.actor.kind is not OrganisationKind.ENFORCING_AUTHORITY
        else {}
    )
    return visit.render(
        template,
        # Regulation (EU) 2022/2065, Art. 18: threats to life or safety notified to the authority, unanswered.
        threats=threats.unanswered(visit.session, visit.actor, THREATS_SHOWN),
        orders=orders,
        deadlines=queries.deadlines(visit.session, [order.id for order in orders]),
        next_cursor=page_of.next_cursor,
        first_page=not request.args.get("cursor"),
        counts=counts,
        states=[state for state in OrderState if state in counts],
        final=FINAL,
        **context,
    )


def _after() -> queries.DashboardPosition | None:
    """Where the previous page stopped (?cursor=…), if the cursor is one of these lists'."""
    after = paging.decode(request.args.get("cursor"), (int, datetime, uuid.UUID))
    return None if after is None else (after[0], after[1], after[2])


def _dashboard_position(row: tuple[Order, int, datetime]) -> queries.DashboardPosition:
    order, rank, due = row
    return rank, due, order.id


def _state() -> OrderState | None:
    """The state the list is narrowed to (?state=…), if it names one."""
    try:
        return OrderState(request.args.get("state", ""))
    except ValueError:
        return None


def _size() -> int:
    size: int = current_app.config["PORTAL_PAGE_SIZE"]
    return size
