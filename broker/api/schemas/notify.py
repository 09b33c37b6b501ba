"""API representations of webhook endpoints and of the deliveries made to them."""

import json
from typing import Any

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from broker.api.schemas.common import PageQuerySchema
from broker.api.schemas.common import page_schema
from broker.notify.models import STATUSES
from broker.notify.models import OutboxMessage


class WebhookBodySchema(Schema):
    url = fields.String(
        required=True,
        metadata={"description": "https URL (http only on 127.0.0.1, ::1 or localhost) without credentials"},
    )


class WebhookEndpointSchema(Schema):
    id = fields.UUID(dump_only=True)
    organisation_id = fields.UUID(dump_only=True)
    url = fields.String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    disabled_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class DeliveryAttemptSchema(Schema):
    number = fields.Integer(dump_only=True)
    attempted_at = fields.AwareDateTime(dump_only=True)
    status_code = fields.Integer(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)


class DeliverySchema(Schema):
    id = fields.UUID(dump_only=True, metadata={"description": "Also the X-Broker-Delivery header"})
    endpoint_id = fields.UUID(dump_only=True)
    event = fields.String(dump_only=True)
    order_id = fields.UUID(dump_only=True, allow_none=True)
    emergency = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(STATUSES)})
    attempts = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    next_attempt_at = fields.AwareDateTime(dump_only=True)
    delivered_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    failed_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    history = fields.List(fields.Nested(DeliveryAttemptSchema), dump_only=True)
    document = fields.Method(
        "_document",
        dump_only=True,
        metadata={"description": "The document delivered, signed, as the JWS payload"},
    )

    def _document(self, message: OutboxMessage) -> Any:
        return json.loads(message.payload)


class DeliveryQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))


class BrokerKeySchema(Schema):
    kid = fields.String(dump_only=True, metadata={"description": "RFC 7638 thumbprint, the JWS header's kid"})
    jwk = fields.Dict(dump_only=True, metadata={"description": "Verify every delivery's JWS with this key"})


WebhookEndpointPageSchema = page_schema(WebhookEndpointSchema, "WebhookEndpointPage")
DeliveryPageSchema = page_schema(DeliverySchema, "DeliveryPage")
