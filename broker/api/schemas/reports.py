"""Query and response schemas of the report endpoints; the period rules are broker.reports.period's."""

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validates_schema

from broker.countries import ISO_3166_ALPHA2
from broker.reports.period import period_errors


def _country(value: str) -> None:
    if value not in ISO_3166_ALPHA2:
        raise ValidationError("not an ISO 3166-1 alpha-2 code in capitals, e.g. FR")


class PeriodQuerySchema(Schema):
    """A calendar year, or start and end days (UTC; the end day is excluded)."""

    year = fields.Integer(metadata={"description": "A calendar year, 2000-2100; or give start and end"})
    start = fields.Date(metadata={"description": "First day of the period (YYYY-MM-DD, UTC), with end"})
    end = fields.Date(metadata={"description": "Day after the last day of the period (excluded), with start"})

    @validates_schema
    def _one_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = period_errors(data.get("year"), data.get("start"), data.get("end"))
        if errors:
            raise ValidationError(errors)


class Art28QuerySchema(PeriodQuerySchema):
    country = fields.String(
        validate=_country,
        metadata={
            "description": "Issuing Member State (ISO 3166-1 alpha-2). Oversight bodies: omit for all States; "
            "issuing authorities: only their own, which is also the default"
        },
    )


class TransparencyQuerySchema(PeriodQuerySchema):
    provider = fields.UUID(
        metadata={
            "description": "The provider (organisation id): required for oversight bodies; a provider "
            "may omit it or give its own"
        }
    )


class PeriodSchema(Schema):
    start = fields.String(dump_only=True, metadata={"description": "First instant included (RFC 3339, UTC)"})
    end = fields.String(dump_only=True, metadata={"description": "First instant excluded (RFC 3339, UTC)"})
    year = fields.Integer(dump_only=True, allow_none=True)


class ProviderRefSchema(Schema):
    id = fields.String(dump_only=True)
    name = fields.String(dump_only=True)


class Art28ReportSchema(Schema):
    report = fields.String(dump_only=True, metadata={"description": "art28"})
    regulation = fields.String(dump_only=True)
    period = fields.Nested(PeriodSchema, dump_only=True)
    country = fields.String(dump_only=True, allow_none=True, metadata={"description": "null: every State"})
    generated_at = fields.String(dump_only=True)
    figures = fields.Dict(
        dump_only=True,
        metadata={
            "description": "Points a-j of Art. 28; counts split by data_category, addressee and emergency; "
            "null where the broker records nothing"
        },
    )
    definitions = fields.Dict(
        dump_only=True, metadata={"description": "Per point: citation, confidence of the reading, definition"}
    )
    removal_orders = fields.Dict(
        dump_only=True,
        metadata={
            "description": "Removal orders of Regulation (EU) 2021/784 in the period: figures (issued, complied "
            "within one hour, scrutinised, reinstated, ...) and their definitions"
        },
    )


class TransparencyReportSchema(Schema):
    report = fields.String(dump_only=True, metadata={"description": "transparency"})
    provider = fields.Nested(ProviderRefSchema, dump_only=True)
    period = fields.Nested(PeriodSchema, dump_only=True)
    generated_at = fields.String(dump_only=True)
    figures = fields.Dict(
        dump_only=True, metadata={"description": "total and by_country, each with by_instrument"}
    )
    definitions = fields.Dict(dump_only=True)
    removal_orders = fields.Dict(
        dump_only=True,
        metadata={
            "description": "Removal orders of Regulation (EU) 2021/784 in the period: figures (issued, complied "
            "within one hour, scrutinised, reinstated, ...) and their definitions"
        },
    )
