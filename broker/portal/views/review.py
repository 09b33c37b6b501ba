"""The enforcing authority's review queue (Art. 12): what awaits its review, and what it has reviewed.

Two lists on one page, each paged by keyset (broker/orders/reviews.py):

- awaiting review (the default): every EPOC notified to the authority under Art. 8 whose review
  window runs, the soonest end first, with the time left, emergencies (96 hours, Art. 10(4)) and
  orders with a missed deadline marked, and a link straight to the review form (views/actions.py);
  a window that has ended but not yet been fired is shown as ended, without the link;
- reviewed (?show=reviewed): the reviews the authority recorded, newest first, with each decision
  as its signed message says it.

Only enforcing authorities have a queue: anyone else is refused (403), as the query refuses them.
Each page shown is one `orders.listed` entry in the audit trail, as every list is.
"""

import uuid
from datetime import datetime
from typing import Any

from flask import Response
from flask import current_app
from flask import request

from broker.lifecycle import Side
from broker.lifecycle import allowed
from broker.orders import operations
from broker.orders import reviews
from broker.orders.models import Order
from broker.portal import bp
from broker.portal import paging
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import MessageType
from broker.vocabulary import RefusalGround


@bp.get("/review")
@page()
def review_queue(visit: Visit) -> Response:
    """The orders awaiting the authority's review, or (?show=reviewed) those it reviewed."""
    size: int = current_app.config["PORTAL_PAGE_SIZE"]
    after = paging.decode(request.args.get("cursor"), (datetime, uuid.UUID))
    position = None if after is None else (after[0], after[1])
    if request.args.get("show") == "reviewed":
        return _reviewed(visit, position, size)
    rows = [
        (order, due_at, bool(late))
        for order, due_at, late in visit.session.execute(
            reviews.awaiting_review(visit.actor, position).limit(size + 1)
        )
    ]
    page_of = paging.cut(rows, size, lambda row: (row[1], row[0].id))
    now = visit.clock()
    open_now = {order.id for order, due_at, _ in page_of.rows if now < due_at and _reviewable(order)}
    return _render(visit, "portal-review-queue", page_of, shown=None, open_now=open_now)


def _reviewable(order: Order) -> bool:
    """Whether the lifecycle lets the enforcing authority review the order in its state (Art. 12)."""
    return MessageType.ENFORCING_REVIEW in allowed(order.order_type, order.state, Side.ENFORCER)


def _reviewed(visit: Visit, position: reviews.ReviewedPosition | None, size: int) -> Response:
    rows = [
        (order, message, reviews.review_of(message))
        for order, message in visit.session.execute(reviews.reviewed(visit.actor, position).limit(size + 1))
    ]
    page_of = paging.cut(rows, size, lambda row: (row[1].received_at, row[1].id))
    return _render(visit, "portal-reviewed", page_of, shown="reviewed")


def _render(visit: Visit, listing: str, page_of: paging.Page[Any], **context: Any) -> Response:
    operations.record_listing(
        visit.session, visit.clock, visit.actor, listing, [row[0] for row in page_of.rows]
    )
    return visit.render(
        "review/queue.html",
        rows=page_of.rows,
        next_cursor=page_of.next_cursor,
        first_page=not request.args.get("cursor"),
        ground_enum=RefusalGround,
        **context,
    )
