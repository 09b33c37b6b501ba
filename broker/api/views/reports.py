"""Reports API: Art. 28 statistics for oversight bodies and issuing authorities, transparency for providers.

Art. 28 statistics are a Member State's: an issuing authority reads its own State's, an oversight
body any State's or all. A provider reads its own transparency report, an oversight body any
provider's. Each read is logged (who, which report, period, scope; never the figures).
"""

from typing import Any

from flask import Blueprint
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.schemas import reports as schemas
from broker.reports import operations
from broker.reports.period import Period
from broker.reports.period import make_period

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


@bp.get("/art28")
@endpoint(
    summary="Art. 28 statistics of Regulation (EU) 2023/1543 for a year or period (oversight, issuing authority)",
    tag="reports",
    expensive=True,
    query=schemas.Art28QuerySchema,
    response=schemas.Art28ReportSchema,
    problems=(problems.Forbidden,),
)
def art28_report(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    return operations.read_art28(session, services().clock, actor, _period(query), query.get("country"))


@bp.get("/transparency")
@endpoint(
    summary="A provider's transparency report: requests per requesting country and instrument (provider, oversight)",
    tag="reports",
    expensive=True,
    query=schemas.TransparencyQuerySchema,
    response=schemas.TransparencyReportSchema,
    problems=(problems.Forbidden, problems.InvalidReference),
)
def transparency_report(session: orm.Session, actor: Actor, query: dict[str, Any]) -> dict[str, Any]:
    return operations.read_transparency(
        session, services().clock, actor, _period(query), query.get("provider")
    )


def _period(query: dict[str, Any]) -> Period:
    return make_period(query.get("year"), query.get("start"), query.get("end"))
