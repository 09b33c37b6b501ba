"""The signed envelope's structure; its body is checked by broker.wire.registry against (type, version)."""

from marshmallow import fields
from marshmallow import validate

from broker.vocabulary import MessageType
from broker.wire.fields import UtcTimestamp
from broker.wire.fields import UuidString
from broker.wire.fields import WholeNumber
from broker.wire.fields import WireSchema
from broker.wire.fields import choice

# RFC 7638 SHA-256 thumbprint: 32 bytes as unpadded base64url.
KID_PATTERN = r"^[A-Za-z0-9_-]{43}$(?!\n)"


class Sender(WireSchema):
    """Who signed, and with which key, so the signature can be checked against the right public key."""

    organisation = UuidString(required=True)
    kid = fields.String(
        required=True,
        validate=validate.Regexp(KID_PATTERN, error="Not an RFC 7638 thumbprint (43 base64url characters)."),
    )


class Recipient(WireSchema):
    """The organisation the message is for."""

    organisation = UuidString(required=True)


class EnvelopeSchema(WireSchema):
    """Envelope version 1; body is any object here because its schema depends on type and version."""

    type = choice(MessageType, required=True)
    version = WholeNumber(required=True, validate=validate.Range(min=1))
    id = UuidString(required=True)
    issued_at = UtcTimestamp(required=True)
    sender = fields.Nested(Sender, required=True)
    recipient = fields.Nested(Recipient, required=True)
    in_reply_to = UuidString(required=True, allow_none=True)
    body = fields.Dict(required=True)
