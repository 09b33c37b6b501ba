"""Removal-order records outside any order: the notice of procedures of Regulation (EU) 2021/784, Art. 3(2)."""

from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.pagination import paginate
from broker.api.schemas import removal as schemas
from broker.api.schemas.common import PageQuerySchema
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import ProceduresNotice

bp = Blueprint("removal", __name__, url_prefix="/api/v1")


@bp.post("/removal-notices")
@endpoint(
    summary="Record that the authority gave a hosting service provider its procedures and deadlines "
    "(Regulation (EU) 2021/784, Art. 3(2); issuing authority)",
    tag="orders",
    body=schemas.ProceduresNoticeSchema,
    response=schemas.ProceduresNoticeSchema,
    status=201,
    idempotent=True,
    problems=(problems.ValidationFailed, problems.InvalidReference, problems.Forbidden),
)
def record_notice(session: orm.Session, actor: Actor, body: dict[str, Any]) -> ProceduresNotice:
    return operations.record_procedures_notice(
        session, services().clock, actor, body["provider_id"], body["given_at"], body["means"]
    )


@bp.get("/removal-notices")
@endpoint(
    summary="Notices of procedures: an authority's own, those given to a provider, all for oversight",
    tag="orders",
    query=PageQuerySchema,
    response=schemas.ProceduresNoticePageSchema,
)
def list_notices(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    return paginate(session, services(), queries.procedures_notices(actor), query)
