"""Reports API: Art. 28 statistics for oversight bodies and issuing authorities, transparency for providers.

Art. 28 statistics are a Member State's: an issuing authority reads its own State's, an oversight
body any State's or all. A provider reads its own transparency report, an oversight body any
provider's. Each read is logged (who, which report, period, scope; never the figures).
"""

import uuid
from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.audit.log import record
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import schemas
from broker.reports import transparency
from broker.reports.period import Period
from broker.reports.period import make_period
from broker.vocabulary import OrganisationKind

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


@bp.get("/art28")
@endpoint(
    summary="Art. 28 statistics of Regulation (EU) 2023/1543 for a year or period (oversight, issuing authority)",
    tag="reports",
    query=schemas.Art28QuerySchema,
    response=schemas.Art28ReportSchema,
    problems=(problems.Forbidden,),
)
def art28_report(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    kinds = [OrganisationKind.OVERSIGHT_BODY, OrganisationKind.ISSUING_AUTHORITY]
    require_kind(actor, kinds, "read Art. 28 statistics", writes=False)
    country = query.get("country")
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        own = session.get_one(Organisation, actor.organisation_id).country
        if country not in (None, own):
            raise problems.Forbidden(
                f"an issuing authority reads its own State's statistics ({own}), not {country}'s"
            )
        country = own
    period = _period(query)
    _log(session, actor, "art28", period, {"country": country})
    return art28.build(session, services().clock, period, country)


@bp.get("/transparency")
@endpoint(
    summary="A provider's transparency report: requests per requesting country and instrument (provider, oversight)",
    tag="reports",
    query=schemas.TransparencyQuerySchema,
    response=schemas.TransparencyReportSchema,
    problems=(problems.Forbidden, problems.InvalidReference),
)
def transparency_report(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    kinds = [OrganisationKind.PROVIDER, OrganisationKind.OVERSIGHT_BODY]
    require_kind(actor, kinds, "read transparency reports", writes=False)
    provider = _provider(session, actor, query.get("provider"))
    period = _period(query)
    _log(session, actor, "transparency", period, {"provider": str(provider.id)})
    return transparency.build(session, services().clock, period, provider)


def _provider(session: orm.Session, actor: Actor, wanted: uuid.UUID | None) -> Organisation:
    if actor.kind is OrganisationKind.PROVIDER:
        if wanted not in (None, actor.organisation_id):
            raise problems.Forbidden("a provider reads its own transparency report only")
        return session.get_one(Organisation, actor.organisation_id)
    if wanted is None:
        raise problems.ValidationFailed(
            "the request query is invalid",
            errors={"provider": ["required: the provider whose report to read"]},
        )
    provider = session.get(Organisation, wanted)
    if provider is None or provider.kind is not OrganisationKind.PROVIDER:
        raise problems.InvalidReference(f"no provider {wanted} is registered")
    return provider


def _period(query: dict[str, Any]) -> Period:
    return make_period(query.get("year"), query.get("start"), query.get("end"))


def _log(session: orm.Session, actor: Actor, kind: str, period: Period, scope: dict[str, Any]) -> None:
    """Reading statistics is a use of the token like any other: who read which report, never the figures."""
    window = period.to_dict()
    details = {"period": {"start": window["start"], "end": window["end"]}, **scope}
    record(
        session,
        services().clock,
        action="report.read",
        object_type="report",
        object_id=kind,
        actor=actor,
        details=details,
    )
