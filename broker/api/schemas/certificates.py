"""API representations for certificates as PDF: the language asked for, and the verifier's verdict."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from broker.certificates import OFFICIAL_LANGUAGES


class PdfQuerySchema(Schema):
    """Which language the form is printed in; by default the first the addressee accepts that is translated."""

    language = fields.String(
        validate=validate.OneOf(OFFICIAL_LANGUAGES),
        metadata={"description": "ISO 639-1 code of an official language of the Union, e.g. fr"},
    )


class VerifiedMessageSchema(Schema):
    """The signed message found inside a PDF whose seal and signature verified."""

    type = fields.String(dump_only=True)
    id = fields.String(dump_only=True)
    sender = fields.String(dump_only=True)
    kid = fields.String(dump_only=True)
    issued_at = fields.String(dump_only=True)
    key_revoked_at = fields.String(dump_only=True, allow_none=True)


class VerdictSchema(Schema):
    """What the PDF is: a sealed true copy of a signed message, or refused with the first check that failed."""

    valid = fields.Boolean(dump_only=True, required=True)
    line = fields.String(dump_only=True, required=True, metadata={"description": "VALID: … or REFUSED: …"})
    reason = fields.String(dump_only=True, required=True)
    seal_subject = fields.String(dump_only=True, allow_none=True)
    sealed_at = fields.String(dump_only=True, allow_none=True)
    message = fields.Nested(VerifiedMessageSchema, dump_only=True, allow_none=True)
