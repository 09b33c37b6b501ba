"""Serving: the authority of an order's route serves it on the provider, and the provider's clocks start.

Under CETS 224 Art. 8 the requested Party gives effect to the order and serves it on the provider; under
Art. 9 its 24/7 point of contact passes the emergency request on; under COPO s.9 the Secretary of State or
the Lord Advocate serves an overseas production order. The service is that authority's own act under its
law, not a message between the order's parties, so it is an action here (POST /orders/{id}/serve), with
its audit entry and notifications like every step; the clocks that the route runs from service start
now (broker.legal.routes), and the provider sees the order from this moment on.
"""

import uuid

from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.lifecycle import SERVE
from broker.lifecycle import Side
from broker.lifecycle import Via
from broker.orders.models import Order
from broker.orders.operations import record_transition
from broker.orders.operations import tell
from broker.orders.queries import get_order
from broker.orders.sides import side_of
from broker.reports.operations import recount
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.workflow import routing
from broker.workflow.operations.steps import _step
from broker.workflow.operations.steps import apply_clocks


def serve_order(session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID) -> Order:
    """The route's authority serves the order it took delivery of: awaiting_service -> served."""
    require_kind(actor, [OrganisationKind.ENFORCING_AUTHORITY], "serve orders")
    order = get_order(session, actor, order_id)
    if actor.role is Role.AUDITOR:
        raise problems.Forbidden("auditors read but may not serve orders")
    if routing.via(order) is Via.DIRECT:
        raise problems.TransitionNotAllowed(
            f"an order under {order.instrument} goes to the provider directly: no authority serves it",
            state=order.state.value,
        )
    side = side_of(actor, order)
    step = _step(order, SERVE, side, {})
    assert side is Side.ENFORCER
    now = clock()
    record_transition(session, clock, actor, order, OrderState.SERVED, "order.served")
    order.served_at = order.updated_at = now
    apply_clocks(session, now, order, step, "service on the provider", {})
    recount(session, order)
    tell(session, clock, order, "order.served", {"served_at": to_rfc3339(now)})
    return order
