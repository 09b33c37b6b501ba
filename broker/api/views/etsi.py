"""The ETSI door: providers speak HI-1 (TS 103 120, e-Evidence profile TS 104 144); authorities hand in RI forms.

POST /etsi/hi1 takes an HI-1 message (application/xml) and answers one: GET, LIST and GETCSPCONFIG
read orders through the same visibility rule and audit entries as the JSON API; a provider's signed
answer (broker.etsi.claims) goes through `steps.send_message`, the operation behind
POST /orders/{id}/messages, and is kept only if its HI-1 objects say what its JWS says. Each answer
and each read runs in a short transaction of its own, so a refused answer is an ErrorInformation for
its actions and changes nothing, while the others stand. Only the door's own errors (token, rate
limit, media type, size) are problem+json; everything after them is an HI-1 message. A retry needs no
Idempotency-Key: an answer already applied is refused by its JWS id (replayed-message), nothing twice.
Any party's token is accepted, as on the JSON API: it reads only what that party may see, and an
answer is refused unless the lifecycle lets that party send it (tests/api/test_access.py).
"""

import functools
import re
import uuid
from collections.abc import Callable

from flask import Blueprint
from flask import Response
from flask import current_app
from lxml import etree
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import Call
from broker.api.endpoint import endpoint
from broker.api.endpoint import read_body
from broker.api.endpoint import services
from broker.api.schemas import etsi as presented
from broker.api.schemas import orders as schemas
from broker.etsi import capabilities
from broker.etsi import certificate
from broker.etsi import claims
from broker.etsi import forms
from broker.etsi import hi1
from broker.etsi import ids
from broker.etsi import names
from broker.etsi import xmlsafe
from broker.etsi.errors import EtsiError
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import el
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import Order
from broker.vocabulary import OrderType
from broker.wire import envelope
from broker.workflow.operations import steps

bp = Blueprint("etsi", __name__, url_prefix="/api/v1")

XML = "application/xml"
HI1_LIMIT = 1_048_576
PROBLEM_CODE = 4100  # ErrorCode of a refusal by the broker's own checks; the description starts with its type
Reply = etree._Element
Query = Callable[[orm.Session, Actor, hi1.Action], Reply]
TRANSACTION = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")


@bp.post("/etsi/hi1")
@endpoint(
    summary="HI-1 (ETSI TS 103 120, e-Evidence profile TS 104 144): GET, LIST, GETCSPCONFIG and signed answers",
    tag="etsi",
    stream=True,
    raw_body=XML,
    response_media=XML,
    expensive=True,
    # No Idempotency-Key: the signed message's id already is one. A retried answer changes nothing and is
    # answered ErrorInformation "…replayed-message: message … was already received; nothing was changed";
    # GET, LIST and GETCSPCONFIG only read. The key's stored answer could not replay this XML anyway.
    idempotent=False,
    problems=(problems.UnsupportedMediaType, problems.PayloadTooLarge),
)
def hi1_message(call: Call) -> Response:
    raw = read_body(XML, HI1_LIMIT)
    broker = services()
    now = broker.clock()
    me = presented.broker_endpoint(current_app.config["LOG_ORIGIN"])
    with call.transaction() as session:
        caller = presented.caller_endpoint(session, call.actor)
    try:
        message = hi1.read(raw)
        if message.header.sender != caller:
            raise Unmappable(
                "/HI1Message/Header/SenderIdentifier",
                f"must be your organisation: {caller.country} {caller.identifier}",
            )
        if message.header.receiver != me:
            raise Unmappable(
                "/HI1Message/Header/ReceiverIdentifier", f"must be the broker: {me.country} {me.identifier}"
            )
        if message.is_response:
            raise Unmappable(
                "/HI1Message/Payload/ResponsePayload", "the broker takes requests; it answers them"
            )
        found, unsigned = claims.group(list(message.actions))
    except EtsiError as error:
        header = hi1.Header(me, caller, _transaction(raw), now)
        return _xml(hi1.build(header, hi1.top_level_error(error.code, _describe(error))))
    replies: dict[int, Reply] = {a.number: _error(err) for a, err in unsigned}
    for action in message.actions:
        query = QUERIES.get(action.verb)
        if query is not None:
            replies[action.number] = _run(call, functools.partial(_ask, query, call.actor, action))
    for answer in found:
        replies.update(_apply(call, answer))
    body = hi1.responses(sorted(replies.items()))
    return _xml(hi1.build(message.header.reply(now), body))


def _ask(query: Query, actor: Actor, action: hi1.Action, session: orm.Session) -> Reply:
    return query(session, actor, action)


def _run(call: Call, work: Callable[[orm.Session], Reply]) -> Reply:
    try:
        with call.transaction() as session:
            return work(session)
    except (problems.Problem, EtsiError) as error:
        return _error(error)


def _apply(call: Call, answer: claims.Answer) -> dict[int, Reply]:
    """One signed answer through send_message, kept only if its objects agree with its JWS."""
    broker = call.services
    try:
        with call.transaction() as session:
            order = _order(session, call.actor, answer.references)
            steps.send_message(session, broker.clock, broker.window, call.actor, order.id, answer.jws)
            claims.check(answer, envelope.read_unverified(answer.jws))  # verified by send_message above
    except (problems.Problem, EtsiError) as error:
        return {action.number: _error(error) for action in answer.actions}
    replies: dict[int, Reply] = {}
    for action in answer.actions:
        identifier = action.object.identifier if action.object else ""
        replies[action.number] = el(f"{action.verb}Response", el("Identifier", identifier))
    return replies


def _order(session: orm.Session, actor: Actor, references: tuple[str, ...]) -> Order:
    for reference in references:
        for _, order_id in _candidates(reference):
            try:
                return queries.get_order(session, actor, order_id)
            except problems.NotFound:
                continue
    raise Unmappable(
        "/HI1Message/Payload", "the answer names no order you may see (AssociatedObjects, Reference)"
    )


def _candidates(identifier: str) -> list[tuple[str, uuid.UUID]]:
    try:
        return ids.candidates(identifier)
    except ValueError:
        return []


def _get(session: orm.Session, actor: Actor, action: hi1.Action) -> Reply:
    for _kind, order_id in _candidates(action.target or ""):
        try:
            order = operations.read_order(session, services().clock, actor, order_id)
        except problems.NotFound:
            continue
        for element in certificate.objects_for(presented.order_view(session, order)):
            if hi1.bind(element).identifier == action.target:
                return el("GETResponse", element)
    return _error(Unmappable(f"{action.path}/GET/Identifier", f"no object {action.target} that you may see"))


def _list(session: orm.Session, actor: Actor, action: hi1.Action) -> Reply:
    wanted = hi1.value(action.element, "LIST/ObjectType/common:Value")
    limit = _count(hi1.value(action.element, "LIST/MaximumObjectCount"))
    orders = [o for o in session.scalars(queries.listing(actor, {}).limit(limit)) if o.state.value != "draft"]
    operations.record_listing(session, services().clock, actor, "etsi", orders)
    records = []
    for order in orders:
        for element in certificate.objects_for(presented.order_view(session, order)):
            obj = hi1.bind(element)
            local = obj.object_type.split(":")[1]
            if wanted is None or wanted == local:
                records.append(_record(obj, local, len(order.messages), order))
    return el("LISTResponse", records)


def _count(text: str | None, page: int = 100) -> int:
    """MaximumObjectCount, at most a page: an xs:positiveInteger has no length limit, and `int`
    refuses more than 4,300 digits, so a long one is read as "more than a page" without it."""
    digits = (text or str(page)).strip().lstrip("+").lstrip("0")
    return min(int(digits or "0"), page) if len(digits) <= len(str(page)) else page


def _record(obj: hi1.Hi1Object, local: str, generation: int, order: Order) -> etree._Element:
    return el(
        "ListResponseRecord",
        hi1.dictionary("ObjectType", names.ETSI, "HI1ObjectType", local),
        el("Identifier", obj.identifier),
        el("CountryCode", obj.country) if obj.country else None,
        el("OwnerIdentifier", obj.owner) if obj.owner else None,
        el("Generation", str(generation)),
        el("LastChanged", hi1.qualified_time(order.updated_at)),
    )


def _config(session: orm.Session, actor: Actor, action: hi1.Action) -> Reply:
    return capabilities.csp_config()


QUERIES: dict[str, Query] = {
    "GET": _get,
    "LIST": _list,
    "GETCSPCONFIG": _config,
}


def _error(error: Exception) -> Reply:
    if isinstance(error, EtsiError):
        return hi1.error_information(error.code, _describe(error))
    assert isinstance(error, problems.Problem)
    return hi1.error_information(PROBLEM_CODE, f"{error.type}: {error}")


def _describe(error: EtsiError) -> str:
    return f"{error.element}: {error.detail}" if error.element else error.detail


def _transaction(raw: bytes) -> str:
    """The request's TransactionIdentifier when it can be read at all, so the refusal answers it."""
    try:
        found = hi1.value(xmlsafe.parse(raw, max_bytes=HI1_LIMIT), "Header/TransactionIdentifier")
    except EtsiError:
        found = None
    return found if found and TRANSACTION.match(found) else str(uuid.uuid4())


def _xml(document: bytes) -> Response:
    return Response(document, status=200, mimetype=XML)


@bp.get("/orders/<uuid:order_id>/form")
@endpoint(
    summary="The order's certificate as the EU reference implementation's form XML (EPOC Form 1 / EPOC-PR Form 2)",
    tag="etsi",
    response_media=XML,
    problems=(problems.NotFound, problems.ValidationFailed),
)
def export_form(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> Response:
    order = operations.read_order(session, services().clock, actor, order_id)
    try:
        document = forms.export_form(
            order.order_type.value, order.certificate, notified=order.enforcing_authority_id is not None
        )
    except EtsiError as error:
        raise problems.ValidationFailed(
            f"the certificate has no RI form: {_describe(error)}", errors={"certificate": [_describe(error)]}
        ) from error
    return _xml(document)


@bp.post("/orders/form")
@endpoint(
    summary="Draft an order from an RI form (EPOC Form 1 / EPOC-PR Form 2 XML), completed from the registry",
    tag="etsi",
    raw_body=XML,
    response=schemas.OrderSchema,
    status=201,
    expensive=True,  # parses and validates up to 1 MiB of untrusted XML against the RI form's XSD
    idempotent=True,
    problems=(
        problems.UnsupportedMediaType,
        problems.PayloadTooLarge,
        problems.ValidationFailed,
        problems.InvalidReference,
        problems.Forbidden,
    ),
)
def import_form(session: orm.Session, actor: Actor, raw: bytes) -> Order:
    try:
        order_type, imported = forms.import_form(raw)
    except EtsiError as error:
        raise problems.ValidationFailed(
            f"the form cannot be read: {_describe(error)}", errors={"form": [_describe(error)]}
        ) from error
    draft = forms.draft_from(imported)
    if not isinstance(draft.get("addressee"), str):
        raise problems.ValidationFailed(
            "the form names no addressee the broker knows (Section B, AuthorityTechnicalIdentifier/NationalId)",
            errors={"form": ["SectionB/Addressee/Authority/AuthorityTechnicalIdentifier: missing"]},
        )
    return operations.create_draft(session, services().clock, actor, OrderType(order_type), draft)
