"""An overseas production order (Crime (Overseas Production Orders) Act 2019) as the rules read it.

A UK judge makes the order on an appropriate officer's application, naming the designated
international co-operation arrangement it relies on (today the UK-US Data Access Agreement); the
Secretary of State or the Lord Advocate serves it on the provider abroad. The order is not a
certificate of Regulation (EU) 2023/1543 and shares none of its EU-only members. Whether the law is
met (a judge, the arrangement, excepted data, the targeting limits, serious crime) is for
broker.legal.overseas to judge; this schema checks only shape.
"""

from enum import StrEnum
from typing import Any

from marshmallow import fields
from marshmallow import validate

from broker.vocabulary import ExceptedData
from broker.vocabulary import TargetType
from broker.wire.fields import CalendarDate
from broker.wire.fields import CountryCode
from broker.wire.fields import StrictBoolean
from broker.wire.fields import WholeNumber
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import text
from broker.wire.fields import unique_items

OVERSEAS_INSTRUMENT = "uk-copo-2019"


class UkJurisdiction(StrEnum):
    """Where the order is made: it decides which judge may make it and who serves it (ss.1, 9)."""

    ENGLAND_AND_WALES = "england_and_wales"
    NORTHERN_IRELAND = "northern_ireland"
    SCOTLAND = "scotland"


class Withheld(StrEnum):
    """How much of what the order asks for the respondent withholds as excepted electronic data."""

    ALL = "all"
    PART = "part"


class Obligation(StrEnum):
    """What the order requires of the respondent (s.1(4))."""

    PRODUCE = "produce"
    GIVE_ACCESS = "give_access"


class Judge(WireSchema):
    """The judge who made the order (s.1(1), (7))."""

    name = text(200, required=True)
    jurisdiction = choice(UkJurisdiction, required=True)


class Applicant(WireSchema):
    """Who applied for the order, and whether an appropriate officer (s.2) did."""

    name = text(200, required=True)
    appropriate_officer = StrictBoolean(required=True)


class Respondent(WireSchema):
    """The person abroad the order is made against, and the country it operates in or is based in (s.4)."""

    name = text(200, required=True)
    country = CountryCode(required=True)


class OverseasTarget(WireSchema):
    """A specific identifier the data are sought for, and where its user is, as far as known."""

    type = choice(TargetType, required=True)
    value = text(512, required=True)
    # Absent: not known yet. The agreement forbids targeting a person of, or in, the other country.
    counterpart_person = StrictBoolean()
    located_in_counterpart = StrictBoolean()


class OverseasOffence(WireSchema):
    """The offence the data serve (s.4) and the penalty that makes it serious crime (the agreement)."""

    description = text(4000, required=True)
    indictable = StrictBoolean(required=True)
    terrorist_investigation = StrictBoolean(required=True)
    # null: the law sets no maximum term.
    maximum_penalty_months = WholeNumber(required=True, allow_none=True, validate=validate.Range(min=0))


class OverseasProductionOrder(WireSchema):
    """An overseas production order as made by the judge."""

    instrument = fields.String(required=True, validate=validate.OneOf([OVERSEAS_INSTRUMENT]))
    judge = fields.Nested(Judge, required=True)
    applicant = fields.Nested(Applicant, required=True)
    respondent = fields.Nested(Respondent, required=True)
    designated_arrangement = text(100, required=True)
    requires = choice(Obligation, required=True)
    data_description = text(8000, required=True)
    # The officer has no reasonable grounds to believe the data are or include excepted data (s.1(3), s.3).
    excepted_data_excluded = StrictBoolean(required=True)
    targets = fields.List(
        fields.Nested(OverseasTarget), required=True, validate=validate.Length(min=1, max=100)
    )
    offence = fields.Nested(OverseasOffence, required=True)
    made_on = CalendarDate(required=True)
    # Set by the judge; absent, the default period applies (s.5).
    compliance_period_days = WholeNumber(validate=validate.Range(min=1, max=365))


def validate_overseas_order(body: dict[str, Any]) -> dict[str, Any]:
    """The order as loaded; raises marshmallow.ValidationError naming each bad member."""
    loaded: dict[str, Any] = OverseasProductionOrder().load(body)
    return loaded


class ExceptedDataRefusal(WireSchema):
    """The respondent's refusal to produce, or give access to, data it holds to be excepted electronic data
    (COPO s.3): the order may not require them (s.1(3)), so the respondent says which and why."""

    grounds = fields.List(
        choice(ExceptedData), required=True, validate=[validate.Length(min=1, max=2), unique_items]
    )
    # all: nothing is produced; part: the rest was produced or access given (the response says so).
    withheld = choice(Withheld, required=True)
    explanation = text(8000, required=True)
