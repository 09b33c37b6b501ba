"""The PDF door: an order's signed messages as sealed official forms, and the check of such a PDF.

A PDF is a read of the order like GET /orders/{id}: the same visibility rule, logged as the same
`order.viewed` entry (broker.orders.operations.read_order). The door adds only rendering
(broker.certificates): it holds no rule of its own. The seal comes from BROKER_SEAL_KEY_FILE and
BROKER_SEAL_CERT_FILE, or in development from the instance folder (`broker_seal`), read once per app.
"""

import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from flask import Blueprint
from flask import Response
from flask import current_app
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.schemas import certificates as schemas
from broker.api.schemas.parties import KeySetSchema
from broker.certificates import Seal
from broker.certificates import SealUnusable
from broker.certificates import certificate_pdf
from broker.certificates import choose_language
from broker.certificates import verify_pdf
from broker.certificates.verify import attachments
from broker.client.verify import TrustList
from broker.orders import operations
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties import queries as parties
from broker.vocabulary import OrderType
from broker.wire import envelope
from broker.wire.registry import shared

bp = Blueprint("certificates", __name__, url_prefix="/api/v1")

PDF = "application/pdf"
PEM = "application/pem-certificate-chain"
PDF_LIMIT = 10 * 1024 * 1024  # a sealed form is well under 1 MB; ten leave room for long manifests
SEAL_PROBLEMS = (problems.SigningUnavailable,)
SEAL_EXTENSION = "broker.certificates.seal"
DEVELOPMENT_SEAL_FOLDER = "seal"


def broker_seal() -> Seal:
    """The broker's seal, loaded once per app; SigningUnavailable when it cannot be had.

    BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE name it. Without them a development broker seals
    with a pair of its own kept in the instance folder (`seal/`, made on first use), so that PDFs
    work on a bare machine; a production broker (BROKER_ENV=production) refuses, because readers
    must be able to check its seal against a certificate the deployment published.
    """
    cached = current_app.extensions.get(SEAL_EXTENSION)
    if isinstance(cached, Seal):
        return cached
    key_file, certificate_file = (
        current_app.config.get("SEAL_KEY_FILE"),
        current_app.config.get("SEAL_CERT_FILE"),
    )
    try:
        if key_file and certificate_file:
            seal = Seal.from_files(key_file, certificate_file)
        elif key_file or certificate_file:
            raise SealUnusable("set both BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE, or neither")
        elif current_app.config.get("ENV") == "production":
            raise problems.SigningUnavailable(
                "this broker has no seal for PDF certificates: set BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE"
            )
        else:
            name = f"e-evidence broker {current_app.config['LOG_ORIGIN']} (development seal)"
            seal = Seal.kept_in(Path(current_app.instance_path) / DEVELOPMENT_SEAL_FOLDER, name)
        seal.check_valid()
    except SealUnusable as error:
        raise problems.SigningUnavailable(f"the broker's seal cannot be used: {error}") from error
    current_app.extensions[SEAL_EXTENSION] = seal
    return seal


@bp.get("/orders/<uuid:order_id>/pdf")
@endpoint(
    summary="The order's certificate (EPOC, Annex I; EPOC-PR, Annex II) as a sealed PDF in a language",
    tag="certificates",
    query=schemas.PdfQuerySchema,
    response_media=PDF,
    expensive=True,
    problems=(problems.NotFound, *SEAL_PROBLEMS),
)
def certificate(session: orm.Session, actor: Actor, order_id: uuid.UUID, query: dict[str, Any]) -> Response:
    order = operations.read_order(session, services().clock, actor, order_id)
    return order_pdf(order, certificate_message(order), query.get("language"))


@bp.get("/orders/<uuid:order_id>/messages/<uuid:message_id>/pdf")
@endpoint(
    summary="Any signed message of the order as its form (Annex III, V, VI, answer, manifest, …) in a sealed PDF",
    tag="certificates",
    query=schemas.PdfQuerySchema,
    response_media=PDF,
    expensive=True,
    problems=(problems.NotFound, *SEAL_PROBLEMS),
)
def message(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, message_id: uuid.UUID, query: dict[str, Any]
) -> Response:
    order = operations.read_order(session, services().clock, actor, order_id)
    found = next((each for each in order.messages if each.id == message_id), None)
    if found is None:
        raise problems.NotFound(f"order {order_id} has no message {message_id}")
    return order_pdf(order, found, query.get("language"))


@bp.get("/certificates/seal-certificate")
@endpoint(
    summary="The X.509 certificate of the broker's seal, to verify its PDFs (PEM)",
    tag="certificates",
    response_media=PEM,
    problems=SEAL_PROBLEMS,
)
def seal_certificate(session: orm.Session, actor: Actor) -> Response:
    return Response(broker_seal().certificate_pem, mimetype=PEM)


@bp.post("/certificates/verify")
@endpoint(
    summary="Check a certificate PDF: the broker's seal, the attached signed message, its sender's key and schema",
    tag="certificates",
    raw_body=PDF,
    raw_body_limit=PDF_LIMIT,
    response=schemas.VerdictSchema,
    expensive=True,
    idempotent=True,
    problems=(problems.UnsupportedMediaType, problems.PayloadTooLarge, *SEAL_PROBLEMS),
)
def verify(session: orm.Session, actor: Actor, raw: bytes) -> dict[str, Any]:
    seals: list[x509.Certificate] = [broker_seal().certificate]
    verdict = verify_pdf(raw, seals, _registered_keys(session, raw))
    document = verdict.as_json()
    document["line"] = verdict.line()
    return document


def certificate_message(order: Order) -> Message:
    """The order's signed certificate (EPOC or EPOC-PR); NotFound for a draft, which has none yet."""
    if order.order_type is OrderType.REMOVAL_ORDER:
        raise problems.NotFound(f"order {order.id} is a removal order: it has no EPOC or EPOC-PR form")
    if order.order_type is OrderType.OVERSEAS_PRODUCTION_ORDER:
        raise problems.NotFound(
            f"order {order.id} is a UK overseas production order: it has no EPOC or EPOC-PR form"
        )
    wanted = {OrderType.EPOC: "epoc", OrderType.EPOC_PR: "epoc-pr"}[order.order_type]
    found = next((each for each in order.messages if each.message_type == wanted), None)
    if found is None:
        raise problems.NotFound(f"order {order.id} is a draft: it has no signed certificate yet")
    return found


def order_pdf(order: Order, shown: Message, language: str | None) -> Response:
    """`shown` as its form, sealed, in `language` or else the one the addressee is likeliest to read.

    The portal serves the same PDFs through this function (broker/portal/views/orders.py).
    """
    certificate = certificate_message(order) if order.messages else None
    pdf = certificate_pdf(
        shown.jws,
        broker_seal(),
        language=language
        or choose_language(list(order.addressee.languages or []), order.certificate.get("language")),
        order_reference=str(order.id),
        certificate=certificate.jws if certificate is not None else None,
    )
    return Response(pdf, mimetype=PDF)


def _registered_keys(session: orm.Session, pdf: bytes) -> TrustList:
    """The registered keys of the organisations the attached messages claim as senders (unknown: none).

    The claim only picks whose keys to load; verification then decides whether the key signed.
    """
    documents = []
    for data in attachments(pdf).values():
        try:
            sender = envelope.read_unverified(data.decode("ascii"))["sender"]["organisation"]
            organisation = parties.organisation(session, uuid.UUID(sender))
        except (UnicodeDecodeError, ValueError, problems.NotFound):
            continue
        documents.append(
            shared(KeySetSchema).dump({"organisation": organisation.id, "keys": organisation.keys})
        )
    keys = [key for document in documents for key in TrustList.from_document(document)]
    return TrustList(keys)
