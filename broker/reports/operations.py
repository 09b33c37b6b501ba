"""Reading a report: who may read which statistics, and the log entry that every reading leaves.

The figures are computed on request (broker.reports.art28, broker.reports.transparency) and never
stored; what is written is only the audit entry naming who read which report for which period.
"""

import uuid
from typing import Any

from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.operations import record
from broker.clock import Clock
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import transparency
from broker.reports.period import Period
from broker.vocabulary import OrganisationKind


def read_art28(
    session: orm.Session, clock: Clock, actor: Actor, period: Period, country: str | None
) -> dict[str, Any]:
    """Art. 28 statistics: oversight bodies for any State or all, an issuing authority for its own State."""
    kinds = [OrganisationKind.OVERSIGHT_BODY, OrganisationKind.ISSUING_AUTHORITY]
    require_kind(actor, kinds, "read Art. 28 statistics", writes=False)
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        own = session.get_one(Organisation, actor.organisation_id).country
        if country not in (None, own):
            raise problems.Forbidden(
                f"an issuing authority reads its own State's statistics ({own}), not {country}'s"
            )
        country = own
    _log(session, clock, actor, "art28", period, {"country": country})
    return art28.build(session, clock, period, country)


def read_transparency(
    session: orm.Session, clock: Clock, actor: Actor, period: Period, provider_id: uuid.UUID | None
) -> dict[str, Any]:
    """A provider's transparency report: the provider its own, oversight bodies any provider's."""
    kinds = [OrganisationKind.PROVIDER, OrganisationKind.OVERSIGHT_BODY]
    require_kind(actor, kinds, "read transparency reports", writes=False)
    provider = _provider(session, actor, provider_id)
    _log(session, clock, actor, "transparency", period, {"provider": str(provider.id)})
    return transparency.build(session, clock, period, provider)


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


def _log(
    session: orm.Session, clock: Clock, actor: Actor, kind: str, period: Period, scope: dict[str, Any]
) -> None:
    """Reading statistics is a use of the token like any other: who read which report, never the figures."""
    window = period.to_dict()
    details = {"period": {"start": window["start"], "end": window["end"]}, **scope}
    record(
        session,
        clock,
        action="report.read",
        object_type="report",
        object_id=kind,
        actor=actor,
        details=details,
    )
