"""Check a UK overseas production order against its issuing-stage rules, before it is sent for service.

An overseas production order is not a certificate of Regulation (EU) 2023/1543, so broker.legal.check
does not run on it; this does, with the same Report and Finding. The clocks it derives are those of
broker.legal.routes.OVERSEAS: who serves it, by when it must be served, and the compliance period.
"""

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from marshmallow import ValidationError

from broker.legal.engine import finding
from broker.legal.facts import blank
from broker.legal.model import Issue
from broker.legal.model import Report
from broker.legal.model import Rule
from broker.legal.routes import OVERSEAS
from broker.legal.routes import UK_TIME
from broker.legal.rules import copo
from broker.legal.validation import InvalidCheckInput
from broker.wire.overseas import UkJurisdiction
from broker.wire.overseas import validate_overseas_order

Order = Mapping[str, Any]
Check = Callable[[Order], Iterator[Issue]]
SERVERS = {
    UkJurisdiction.ENGLAND_AND_WALES: "Secretary of State",
    UkJurisdiction.NORTHERN_IRELAND: "Secretary of State",
    UkJurisdiction.SCOTLAND: "Lord Advocate",
}


def _judge_on_application(order: Order) -> Iterator[Issue]:
    """CO-01: a judge makes it, on an appropriate officer's application."""
    if blank(order["judge"]["name"]):
        yield Issue("Name the judge who made the order (s.1(1)).", ("judge.name",))
    if not order["applicant"]["appropriate_officer"]:
        yield Issue(
            "Only an appropriate officer may apply for an overseas production order (s.1(1), s.2): have one "
            "make the application.",
            ("applicant.appropriate_officer",),
        )


def _arrangement(order: Order) -> Iterator[Issue]:
    """CO-02: a designated arrangement, by name."""
    if order["designated_arrangement"] not in copo.ARRANGEMENTS:
        known = ", ".join(sorted(copo.ARRANGEMENTS))
        yield Issue(
            f"{order['designated_arrangement']!r} is not a designated international co-operation arrangement "
            f"(s.1(2)(a), s.1(5)): name one of {known}.",
            ("designated_arrangement",),
        )


def _excepted_data(order: Order) -> Iterator[Issue]:
    """CO-03: no excepted electronic data."""
    if not order["excepted_data_excluded"]:
        yield Issue(
            "The data described may be or include excepted electronic data (s.3), such as legally privileged "
            "material: narrow the description until there are no reasonable grounds to believe so, then set "
            "excepted_data_excluded to true (s.1(3)).",
            ("data_description", "excepted_data_excluded"),
        )
    if blank(order["data_description"]):
        yield Issue("Specify or describe the data sought (s.1(2)(b)).", ("data_description",))


def _respondent_country(order: Order) -> Iterator[Issue]:
    """CO-04: the respondent is in the arrangement's other country."""
    arrangement = copo.ARRANGEMENTS.get(order["designated_arrangement"])
    country = order["respondent"]["country"]
    if arrangement is not None and country != arrangement.counterpart:
        yield Issue(
            f"The respondent is in {country}, but the arrangement covers only respondents that operate or are "
            f"based in {arrangement.counterpart} (s.4): use mutual legal assistance for {country}.",
            ("respondent.country",),
        )


def _offence(order: Order) -> Iterator[Issue]:
    """CO-05: an indictable offence under investigation or prosecution, or a terrorist investigation."""
    offence = order["offence"]
    if not offence["indictable"] and not offence["terrorist_investigation"]:
        yield Issue(
            "An overseas production order serves only an indictable offence that is being investigated or "
            "prosecuted, or a terrorist investigation (s.4).",
            ("offence.indictable", "offence.terrorist_investigation"),
        )
    if blank(offence["description"]):
        yield Issue("Describe the offence (s.4).", ("offence.description",))


def _targeting(order: Order) -> Iterator[Issue]:
    """CL-01: specific identifiers, none of a person of, or in, the other country."""
    arrangement = copo.ARRANGEMENTS.get(order["designated_arrangement"])
    other = arrangement.counterpart if arrangement else "the other country"
    for index, target in enumerate(order["targets"]):
        path = f"targets.{index}"
        if blank(target["value"]):
            yield Issue("Name the specific identifier the data are sought for.", (f"{path}.value",))
        unknown = [m for m in ("counterpart_person", "located_in_counterpart") if m not in target]
        if unknown:
            yield Issue(
                f"Needs data: say whether the user of {target['value']!r} is a person of {other} and whether "
                "they are located there; the agreement forbids targeting either.",
                tuple(f"{path}.{member}" for member in unknown),
                missing_data=True,
            )
        if target.get("counterpart_person") or target.get("located_in_counterpart"):
            yield Issue(
                f"The user of {target['value']!r} is a person of {other} or is located there: the agreement "
                "forbids targeting them, so ask the other country by mutual legal assistance.",
                (f"{path}.counterpart_person", f"{path}.located_in_counterpart"),
            )


def _serious_crime(order: Order) -> Iterator[Issue]:
    """CL-02: a maximum term of at least three years."""
    months = order["offence"]["maximum_penalty_months"]
    if months is not None and months < copo.SERIOUS_CRIME_MONTHS:
        yield Issue(
            f"The offence carries at most {months} months: the agreement serves only serious crime, punishable "
            "by at least three years, so use mutual legal assistance.",
            ("offence.maximum_penalty_months",),
        )


CHECKS: Mapping[str, Check] = {
    copo.CO01.id: _judge_on_application,
    copo.CO02.id: _arrangement,
    copo.CO03.id: _excepted_data,
    copo.CO04.id: _respondent_country,
    copo.CO05.id: _offence,
    copo.CL01.id: _targeting,
    copo.CL02.id: _serious_crime,
}
RULES: Mapping[str, Rule] = {rule.id: rule for rule in copo.RULES}


def serving_authority(jurisdiction: str) -> str:
    """Who alone may serve an order made in this part of the UK (s.9(2)-(3))."""
    return SERVERS[UkJurisdiction(jurisdiction)]


def serve_by(made_on: date) -> datetime:
    """When the 3 months beginning with the day the order was made end (s.9(1)): served later, it is quashed."""
    return OVERSEAS.timer("service").due(datetime.combine(made_on, time(), UK_TIME))


def check_overseas_order(order: Mapping[str, Any]) -> Report:
    """Every finding for this order, and who serves it by when within which compliance period.

    Raises InvalidCheckInput, naming the members, for an order the schema refuses.
    """
    try:
        validate_overseas_order(dict(order))
    except ValidationError as error:
        raise InvalidCheckInput({"order": [str(error.messages)]}) from error
    findings = tuple(
        finding(RULES[rule_id], issue) for rule_id, check in CHECKS.items() for issue in check(order)
    )
    return Report(
        findings=findings,
        derived={
            "route": OVERSEAS.channel.value,
            "served_by": serving_authority(order["judge"]["jurisdiction"]),
            "serve_by": serve_by(date.fromisoformat(order["made_on"])).isoformat(),
            # The instant the order's 3 months to be served begin (s.9(1)): the start of its day in the UK.
            "made_at": datetime.combine(date.fromisoformat(order["made_on"]), time(), UK_TIME).isoformat(),
            "compliance_days": order.get("compliance_period_days", OVERSEAS.timer("compliance").length),
        },
    )
