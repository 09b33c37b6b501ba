"""Which schema checks a body, by (message type, schema version), and the one call that applies it."""

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError

from broker.vocabulary import MessageType
from broker.wire.certificates import EpocPrSchema
from broker.wire.certificates import EpocSchema
from broker.wire.responses import ResponseSchema

BODY_SCHEMAS: dict[tuple[MessageType, int], type[Schema]] = {
    (MessageType.EPOC, 1): EpocSchema,
    (MessageType.EPOC_PR, 1): EpocPrSchema,
    (MessageType.RESPONSE, 1): ResponseSchema,
}


class UnknownMessageType(ValueError):
    """No schema for this (type, version): refuse the message rather than guess at its meaning."""


def validate_body(message_type: str, version: int, body: object) -> dict[str, Any]:
    """Check body and return it untouched: the broker stores and signs the wire form, not loaded objects."""
    try:
        schema = BODY_SCHEMAS[MessageType(message_type), version]
    except (ValueError, KeyError):
        raise UnknownMessageType(f"no body schema for {message_type!r} version {version!r}") from None
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    schema().load(body)
    return body
