"""API representations of removal-order records kept outside any order (Regulation (EU) 2021/784)."""

from datetime import UTC
from datetime import datetime

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from broker.api.schemas.common import page_schema


def _representable(value: datetime) -> None:
    """The instant must exist in UTC (the database keeps UTC): year 1 with a positive offset does not."""
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise ValidationError("Not an instant the broker can record in UTC.") from error


class ProceduresNoticeSchema(Schema):
    """Art. 3(2): the authority gave the provider information on its procedures and deadlines."""

    id = fields.UUID(dump_only=True)
    issuing_authority_id = fields.UUID(dump_only=True)
    provider_id = fields.UUID(
        required=True,
        data_key="provider",
        metadata={
            "description": "the hosting service provider's organisation id (GET /api/v1/organisations)"
        },
    )
    given_at = fields.AwareDateTime(
        required=True,
        validate=_representable,
        metadata={"description": "when the information was given, RFC 3339 with offset; not in the future"},
    )
    means = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "how it was given, e.g. 'e-mail to the contact point, ref. 2026/17'"},
    )
    recorded_at = fields.AwareDateTime(dump_only=True)


ProceduresNoticePageSchema = page_schema(ProceduresNoticeSchema, "ProceduresNoticePage")
