"""Orders API: issuing authorities draft and issue, providers receive and respond, oversight reads."""

import uuid
from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import decode_inbox_cursor
from broker.api.pagination import keyset_page
from broker.api.pagination import paginate
from broker.api.schemas import orders as schemas
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import Order
from broker.vocabulary import MessageType
from broker.workflow.operations import issuing
from broker.workflow.operations import serving
from broker.workflow.operations import steps

bp = Blueprint("orders", __name__, url_prefix="/api/v1")

SIGNED = (
    problems.MalformedMessage,
    problems.UnsupportedMediaType,
    problems.WrongSender,
    problems.UnknownKey,
    problems.KeyRevoked,
    problems.KeyNotValid,
    problems.InvalidSignature,
    problems.StaleMessage,
    problems.ReplayedMessage,
    problems.UnexpectedMessageType,
    problems.WrongRecipient,
    problems.ValidationFailed,
    problems.TransitionNotAllowed,
    problems.NotFound,
)


@bp.post("/orders")
@endpoint(
    summary="Draft an EPOC or EPOC-PR (issuing authority)",
    tag="orders",
    body=schemas.DraftOrderSchema,
    response=schemas.OrderSchema,
    status=201,
    idempotent=True,
    problems=(problems.ValidationFailed, problems.InvalidReference, problems.Forbidden),
)
def create_order(session: orm.Session, actor: Actor, body: dict[str, Any]) -> Order:
    return operations.create_draft(
        session,
        services().clock,
        actor,
        body["order_type"],
        body["certificate"],
        body["removal_order"],
        body["threat_notification"],
    )


@bp.post("/orders/check")
@endpoint(
    summary="Check a draft against its legal instrument without creating anything (live checking)",
    tag="orders",
    expensive=True,
    body=schemas.DraftOrderSchema,
    response=schemas.CheckReportSchema,
    idempotent=True,
    problems=(problems.ValidationFailed, problems.InvalidReference, problems.Forbidden),
)
def check_draft(session: orm.Session, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    return operations.check_draft(session, services().clock, actor, body["order_type"], body["certificate"])


@bp.post("/orders/<uuid:order_id>/check")
@endpoint(
    summary="Run the legal-basis checks on a draft again and keep the result (issuing authority)",
    tag="orders",
    response=schemas.OrderSchema,
    idempotent=True,
    problems=(problems.NotFound, problems.Forbidden, problems.TransitionNotAllowed),
)
def check_order(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Order:
    return operations.check_order(session, services().clock, actor, order_id)


@bp.get("/orders")
@endpoint(
    summary="List the orders you may see, newest first",
    tag="orders",
    query=schemas.OrderQuerySchema,
    response=schemas.OrderPageSchema,
)
def list_orders(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    filters = {name: query.get(name) for name in ("state", "order_type", "emergency", "file_number")}
    statement = queries.listing(actor, filters)
    page = paginate(session, services(), statement, query)
    operations.record_listing(session, services().clock, actor, "orders", page["items"])
    return page


@bp.get("/orders/<uuid:order_id>")
@endpoint(
    summary="One order with its certificate and every signed message",
    tag="orders",
    response=schemas.OrderSchema,
    problems=(problems.NotFound,),
)
def get_order(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Order:
    return operations.read_order(session, services().clock, actor, order_id)


@bp.post("/orders/<uuid:order_id>/issue")
@endpoint(
    summary="Issue a draft: send the certificate signed by the issuing authority (application/jose)",
    tag="orders",
    signed=True,
    response=schemas.OrderSchema,
    idempotent=True,
    problems=(
        *SIGNED,
        problems.CertificateMismatch,
        problems.LegalCheckFailed,
        problems.Forbidden,
        problems.InvalidReference,  # no enforcing authority registered for the State to notify (Art. 8)
    ),
)
def issue_order(session: orm.Session, actor: Actor, order_id: uuid.UUID, jws: str) -> Order:
    broker = services()
    return issuing.issue_order(session, broker.clock, broker.window, actor, order_id, jws)


@bp.get("/inbox")
@endpoint(
    summary="Your open orders, emergencies first; filter unread or overdue (every party but oversight)",
    tag="orders",
    query=schemas.InboxQuerySchema,
    response=schemas.InboxPageSchema,
    problems=(problems.Forbidden,),
)
def inbox(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    after = decode_inbox_cursor(query["cursor"]) if query.get("cursor") else None
    statement = queries.inbox(
        actor, unread=bool(query.get("unread")), overdue_only=bool(query.get("overdue")), after=after
    )
    page = keyset_page(session, services(), statement, query, queries.inbox_position)
    operations.record_listing(session, services().clock, actor, "inbox", page["items"])
    return page


@bp.post("/orders/<uuid:order_id>/receive")
@endpoint(
    summary="Take delivery of an issued order; the receipt time starts the legal deadlines (provider, or the "
    "authority that serves an order on its route)",
    tag="orders",
    response=schemas.OrderSchema,
    idempotent=True,
    problems=(problems.NotFound, problems.Forbidden),
)
def receive_order(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Order:
    return steps.receive_order(session, services().clock, actor, order_id)


@bp.post("/orders/<uuid:order_id>/serve")
@endpoint(
    summary="Serve an order on its provider (the authority of its route: CETS 224 Art. 8, 9; COPO s.9)",
    tag="orders",
    response=schemas.OrderSchema,
    idempotent=True,
    problems=(problems.NotFound, problems.Forbidden, problems.TransitionNotAllowed),
)
def serve_order(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Order:
    return serving.serve_order(session, services().clock, actor, order_id)


@bp.post("/orders/<uuid:order_id>/responses")
@endpoint(
    summary="Answer a received order with a signed response (application/jose, provider)",
    tag="orders",
    signed=True,
    response=schemas.OrderSchema,
    status=201,
    idempotent=True,
    problems=(*SIGNED, problems.Forbidden, problems.TransferHeld),
)
def respond(session: orm.Session, actor: Actor, order_id: uuid.UUID, jws: str) -> Order:
    broker = services()
    return steps.send_message(
        session, broker.clock, broker.window, actor, order_id, jws, only=MessageType.RESPONSE
    )


@bp.post("/orders/<uuid:order_id>/messages")
@endpoint(
    summary="Send any lifecycle message about an order (application/jose): the envelope type says which",
    tag="orders",
    signed=True,
    response=schemas.OrderSchema,
    status=201,
    idempotent=True,
    problems=(*SIGNED, problems.Forbidden, problems.TransferHeld, problems.InvalidReference),
)
def send_message(session: orm.Session, actor: Actor, order_id: uuid.UUID, jws: str) -> Order:
    broker = services()
    return steps.send_message(session, broker.clock, broker.window, actor, order_id, jws)


@bp.get("/orders/<uuid:order_id>/timeline")
@endpoint(
    summary="An order's full timeline: every message, every clock with its pauses, every logged event",
    tag="orders",
    response=schemas.TimelineSchema,
    problems=(problems.NotFound,),
)
def timeline(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> dict[str, Any]:
    order = operations.read_order(session, services().clock, actor, order_id)
    return queries.timeline(session, order, actor)
