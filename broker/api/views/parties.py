"""Read-only registry API: who is who, where providers receive orders, and every party's public keys."""

import uuid
from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import paginate
from broker.api.schemas import parties as schemas
from broker.parties import queries
from broker.parties.models import Organisation

bp = Blueprint("parties", __name__, url_prefix="/api/v1")


@bp.get("/me")
@endpoint(summary="Who the bearer token belongs to", tag="registry", response=schemas.WhoAmISchema)
def whoami(session: orm.Session, actor: Actor) -> dict[str, Any]:
    user = queries.user(session, actor.user_id)
    return {"user": user, "organisation": user.organisation}


@bp.get("/organisations")
@endpoint(
    summary="List registered organisations",
    tag="registry",
    query=schemas.OrganisationQuerySchema,
    response=schemas.OrganisationPageSchema,
)
def list_organisations(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    statement = queries.organisations(query.get("kind"), query.get("country"))
    return paginate(session, services(), statement, query)


@bp.get("/organisations/<uuid:organisation_id>")
@endpoint(
    summary="One organisation with its addressees",
    tag="registry",
    response=schemas.OrganisationSchema,
    problems=(problems.NotFound,),
)
def get_organisation(session: orm.Session, actor: Actor, organisation_id: uuid.UUID) -> Organisation:
    return queries.organisation(session, organisation_id)


@bp.get("/organisations/<uuid:organisation_id>/keys")
@endpoint(
    summary="An organisation's public signing keys, to verify its messages without trusting the broker",
    tag="registry",
    response=schemas.KeySetSchema,
    problems=(problems.NotFound,),
)
def list_keys(session: orm.Session, actor: Actor, organisation_id: uuid.UUID) -> dict[str, Any]:
    organisation = queries.organisation(session, organisation_id)
    return {"organisation": organisation.id, "keys": organisation.keys}


@bp.get("/organisations/<uuid:organisation_id>/recipients")
@endpoint(
    summary="An issuing authority's age recipients: encrypt evidence to an unrevoked one",
    tag="registry",
    response=schemas.RecipientSetSchema,
    problems=(problems.NotFound,),
)
def list_recipients(session: orm.Session, actor: Actor, organisation_id: uuid.UUID) -> dict[str, Any]:
    organisation = queries.organisation(session, organisation_id)
    return {"organisation": organisation.id, "recipients": organisation.recipients}


@bp.get("/addressees")
@endpoint(
    summary="Where providers receive orders (designated establishments and legal representatives)",
    tag="registry",
    query=schemas.AddresseeQuerySchema,
    response=schemas.AddresseePageSchema,
)
def list_addressees(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    statement = queries.addressees(query.get("country"), query.get("provider"))
    return paginate(session, services(), statement, query)
