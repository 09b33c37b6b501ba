"""API representations of providers' notifications of suspected threats to life or safety (DSA Art. 18)."""

import json
from typing import Any

from marshmallow import Schema
from marshmallow import fields

from broker import crypto
from broker.api.schemas.common import page_schema
from broker.api.schemas.orders import PartySchema


def _body(notification: Any) -> dict[str, Any]:
    """The signed body, read from the stored JWS (the broker verified it when it arrived)."""
    body: dict[str, Any] = json.loads(crypto.jws_payload_unverified(notification["jws"]))["body"]
    return body


class ThreatNotificationSummarySchema(Schema):
    """A notification as a list shows it: who, to whom, when, and whether an order answers it yet."""

    id = fields.UUID(dump_only=True)
    provider = fields.Nested(PartySchema, dump_only=True)
    recipient = fields.Nested(PartySchema, dump_only=True)
    emergency = fields.Constant(
        True, dump_only=True, metadata={"description": "Always true: a threat to life or safety"}
    )
    issued_at = fields.AwareDateTime(dump_only=True)
    received_at = fields.AwareDateTime(dump_only=True)
    published_at = fields.AwareDateTime(
        dump_only=True, metadata={"description": "When the content was published"}
    )
    fallback = fields.Boolean(
        dump_only=True,
        metadata={"description": "Art. 18(2): no Member State concerned; sent to the establishment's State"},
    )
    answered_by = fields.List(
        fields.UUID(),
        dump_only=True,
        metadata={"description": "The orders (emergency EPOCs or EPOC-PRs) that answer it, oldest first"},
    )


class ThreatNotificationSchema(ThreatNotificationSummarySchema):
    """The whole notification: its signed body, and the JWS byte for byte as the provider signed it."""

    body = fields.Function(
        _body, dump_only=True, metadata={"description": "schemas/threat-notification.v1.json"}
    )
    sender_kid = fields.String(dump_only=True)
    sha256 = fields.String(dump_only=True)
    jws = fields.String(dump_only=True)


ThreatNotificationPageSchema = page_schema(ThreatNotificationSummarySchema, "ThreatNotificationPage")
