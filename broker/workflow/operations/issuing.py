"""Issuing: the signed certificate leaves the issuing authority, checked, notified and clocked."""

import uuid
from datetime import datetime

from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.clock import Clock
from broker.clocks import operations as clocks
from broker.legal.routes import OVERSEAS
from broker.legal.routes import Event
from broker.lifecycle import Clock as ClockKind
from broker.lifecycle import Via
from broker.orders import checks
from broker.orders import removal
from broker.orders.deadlines import due_time
from broker.orders.deadlines import order_route
from broker.orders.inbound import MessageWindow
from broker.orders.inbound import verify_inbound
from broker.orders.models import Order
from broker.orders.operations import record_transition
from broker.orders.operations import require_state
from broker.orders.operations import store_message
from broker.orders.operations import tell
from broker.orders.queries import get_order
from broker.orders.sides import enforcing_authority_for
from broker.orders.sides import route_authority_for
from broker.reports.operations import recount
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind
from broker.workflow import routing
from broker.workflow.guards import expect
from broker.workflow.operations.steps import start_route_clocks

OVERSEAS_SERVER_STATE = "GB"  # COPO s.9: the UK's own authority serves its overseas production orders


def issue_order(
    session: orm.Session, clock: Clock, window: MessageWindow, actor: Actor, order_id: uuid.UUID, jws: str
) -> Order:
    """Issue a draft with the issuing authority's signed certificate: draft -> issued.

    Where Art. 8 requires it, the enforcing authority of the addressee's State is notified at the
    same moment and its review window starts (a requested Party that declared so under CETS 224
    Art. 7(5)(a) is notified, with no review window); an emergency order issued without prior validation
    starts the 48-hour ex-post validation clock (Art. 4(5)).
    """
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "issue orders")
    order = get_order(session, actor, order_id)
    message = verify_inbound(session, clock, window, actor, jws)
    require_state(order, OrderState.DRAFT, "issue")
    expect(message.envelope, order.order_type.value, str(order.provider_id), None)
    if crypto.canonicalize(message.body) != crypto.canonicalize(order.certificate):
        raise problems.CertificateMismatch(
            "the signed body differs from the stored draft; sign the certificate returned by GET on the order"
        )
    # The same checks as for the draft, as of the day it leaves: nothing unlawful goes out.
    report = checks.run(order.order_type, order.certificate, order.addressee, clock)
    checks.refuse_if_blocking(report)
    if order.removal_order_id is not None:
        # Regulation (EU) 2021/784, Art. 6(2): the content must still be preserved when the order leaves.
        removal.preserved_reference(session, actor, order.removal_order_id, order.provider_id, clock())
    order.checks = checks.stored(report, clock)
    now = clock()
    if report.derived.get("notification_required"):
        order.enforcing_authority_id = enforcing_authority_for(session, report.derived["notify_state"]).id
    if report.derived.get("notification_required") and routing.treaty_route(order) is None:
        # Only the Regulation's notification (Art. 8) opens a review that holds the transfer (Art. 10(2),
        # 12(1)); a CETS 224 Art. 7(5)(a) notification informs the requested Party and holds nothing.
        review = ClockKind.ENFORCING_REVIEW
        clocks.start(
            session,
            now,
            order.id,
            review,
            due_time(review, order, now),
            "notification of the enforcing State (Art. 8)",
        )
    route = order_route(order)
    if routing.via(order) is Via.AUTHORITY and route is not None:
        # CETS 224 Art. 8, 9; COPO s.9: the order goes to the authority that serves it on the provider (the
        # requested Party's, its 24/7 point of contact, or the UK's designated authority), which becomes a
        # party of the order; the route's clocks that run from the order's making start (COPO s.9(1)).
        state = OVERSEAS_SERVER_STATE if route is OVERSEAS else order.addressee.country
        named = report.derived.get("served_by")  # COPO s.9(2)-(3): who alone may serve this order
        order.enforcing_authority_id = route_authority_for(session, route.channel, state, named).id
        made = report.derived.get("made_at")
        start_route_clocks(
            session,
            now,
            order,
            Event.ORDER_MADE,
            "the order was made",
            datetime.fromisoformat(made) if made else None,
        )
    if report.derived.get("scrutiny_state"):
        # Regulation (EU) 2021/784, Art. 4(1)-(2): the host State's competent authority gets a copy at once,
        # and may scrutinise the order within 72 hours of receiving it.
        order.enforcing_authority_id = enforcing_authority_for(session, report.derived["scrutiny_state"]).id
        scrutiny = ClockKind.SCRUTINY
        clocks.start(
            session,
            now,
            order.id,
            scrutiny,
            due_time(scrutiny, order, now),
            "copy to the host State's competent authority (Regulation (EU) 2021/784, Art. 4(1)-(2))",
        )
    if report.derived.get("ex_post_validation_required"):
        order.ex_post_validation_required = True
        validation = ClockKind.EX_POST_VALIDATION
        clocks.start(
            session,
            now,
            order.id,
            validation,
            due_time(validation, order, now),
            "issued without prior validation (Art. 4(5))",
        )
    store_message(session, clock, message, order, order.provider_id)
    record_transition(session, clock, actor, order, OrderState.ISSUED, "order.issued", message)
    order.issued_at = order.updated_at = now
    recount(session, order)
    tell(session, clock, order, "order.issued", {"notified": order.enforcing_authority_id is not None})
    return order
