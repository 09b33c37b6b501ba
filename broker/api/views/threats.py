"""Providers' notifications of suspected threats to life or safety (Regulation (EU) 2022/2065, Art. 18).

A provider POSTs its signed notification to the authority of a Member State concerned; the authority
reads it in its list, emergencies all, those no order answers yet first, and answers with an emergency
EPOC or EPOC-PR drafted with `threat_notification` (POST /api/v1/orders).
"""

import uuid
from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import paginate
from broker.api.schemas import threats as schemas
from broker.api.schemas.common import PageQuerySchema
from broker.orders import operations
from broker.orders import threats
from broker.orders.inbound import verify_inbound
from broker.orders.models import ThreatNotification

bp = Blueprint("threats", __name__, url_prefix="/api/v1")

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
)


def shown(notification: ThreatNotification, answered_by: list[uuid.UUID]) -> dict[str, Any]:
    """The notification as the API shows it, with the orders that answer it."""
    return {
        "id": notification.id,
        "provider": notification.provider,
        "recipient": notification.recipient,
        "issued_at": notification.issued_at,
        "received_at": notification.received_at,
        "published_at": notification.published_at,
        "fallback": notification.fallback,
        "answered_by": answered_by,
        "sender_kid": notification.sender_kid,
        "sha256": notification.sha256,
        "jws": notification.jws,
    }


@bp.post("/threat-notifications")
@endpoint(
    summary="Notify an authority of a suspected threat to life or safety (application/jose, provider; "
    "Regulation (EU) 2022/2065, Art. 18)",
    tag="orders",
    signed=True,
    response=schemas.ThreatNotificationSchema,
    status=201,
    idempotent=True,
    problems=(*SIGNED, problems.Forbidden),
)
def notify(session: orm.Session, actor: Actor, jws: str) -> dict[str, Any]:
    broker = services()
    message = verify_inbound(session, broker.clock, broker.window, actor, jws)
    return shown(operations.record_threat_notification(session, broker.clock, actor, message), [])  # none yet


@bp.get("/threat-notifications")
@endpoint(
    summary="Threat notifications: those sent to your authority (emergencies, unanswered first), a "
    "provider's own, all for oversight",
    tag="orders",
    query=PageQuerySchema,
    response=schemas.ThreatNotificationPageSchema,
)
def list_notifications(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    page = paginate(session, services(), threats.listing(actor), query)
    answered_by = threats.answers_to(session, [item.id for item in page["items"]])
    page["items"] = [shown(item, answered_by[item.id]) for item in page["items"]]
    return page


@bp.get("/threat-notifications/<uuid:notification_id>")
@endpoint(
    summary="One threat notification with its signed body",
    tag="orders",
    response=schemas.ThreatNotificationSchema,
    problems=(problems.NotFound,),
)
def get_notification(session: orm.Session, actor: Actor, notification_id: uuid.UUID) -> dict[str, Any]:
    found = threats.get(session, actor, notification_id)
    return shown(found, threats.answers(session, found.id))
