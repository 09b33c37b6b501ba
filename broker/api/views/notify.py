"""Webhook API: each organisation manages its own endpoints and sees what was delivered to them."""

import uuid
from typing import Any

from flask import Blueprint
from flask import current_app
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import paginate
from broker.api.schemas import notify as schemas
from broker.api.schemas.common import PageQuerySchema
from broker.notify import operations
from broker.notify import queries
from broker.notify.delivery import broker_jwk
from broker.notify.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks")


@bp.post("")
@endpoint(
    summary="Register a webhook endpoint for your organisation (at most 10 active)",
    tag="webhooks",
    body=schemas.WebhookBodySchema,
    response=schemas.WebhookEndpointSchema,
    status=201,
    idempotent=True,
    problems=(problems.Forbidden, problems.Conflict),
)
def register(session: orm.Session, actor: Actor, body: dict[str, Any]) -> WebhookEndpoint:
    allow_loopback = current_app.config["WEBHOOK_ALLOW_LOOPBACK"]  # a test deployment's switch
    return operations.register_endpoint(
        session, services().clock, actor, body["url"], allow_loopback=allow_loopback
    )


@bp.get("")
@endpoint(
    summary="Your organisation's webhook endpoints, removed ones included",
    tag="webhooks",
    query=PageQuerySchema,
    response=schemas.WebhookEndpointPageSchema,
)
def list_endpoints(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    return paginate(session, services(), queries.endpoints_of(actor.organisation_id), query)


@bp.delete("/<uuid:webhook_id>")
@endpoint(
    summary="Remove one of your webhook endpoints; its undelivered messages fail",
    tag="webhooks",
    response=schemas.WebhookEndpointSchema,
    problems=(problems.Forbidden, problems.NotFound),
)
def remove(session: orm.Session, actor: Actor, webhook_id: uuid.UUID) -> WebhookEndpoint:
    return operations.disable_endpoint(session, services().clock, actor, webhook_id)


@bp.get("/deliveries")
@endpoint(
    summary="Messages for your organisation's endpoints with every delivery attempt, newest first",
    tag="webhooks",
    query=schemas.DeliveryQuerySchema,
    response=schemas.DeliveryPageSchema,
)
def list_deliveries(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    statement = queries.deliveries_of(actor.organisation_id, query.get("status"))
    return paginate(session, services(), statement, query)


@bp.get("/signing-key")
@endpoint(
    summary="The broker's public key that signs every webhook delivery",
    tag="webhooks",
    response=schemas.BrokerKeySchema,
    problems=(problems.SigningUnavailable,),
)
def signing_key(session: orm.Session, actor: Actor) -> dict[str, Any]:
    signer = services().log_signer
    if signer is None:
        raise problems.SigningUnavailable("this broker has no signing key configured (BROKER_KEY_FILE)")
    jwk = broker_jwk(signer)
    return {"kid": jwk["kid"], "jwk": jwk}
