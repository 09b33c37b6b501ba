"""API representations of orders: the caseworker's draft, the order as each party reads it."""

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.api.schemas.common import PageQuerySchema
from broker.api.schemas.common import page_schema
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.wire.certificates import EpocPrV3Schema
from broker.wire.certificates import EpocV3Schema
from broker.wire.fields import Contact
from broker.wire.overseas import OverseasProductionOrder
from broker.wire.registry import shared
from broker.wire.removal import RemovalOrderSchema


class IssuingAuthorityDraftSchema(Schema):
    """What only the caseworker knows about the issuing authority; the rest comes from the registry."""

    file_number = fields.String(validate=validate.Length(min=1, max=100))
    contact = fields.Nested(Contact)


class ValidatingAuthorityDraftSchema(IssuingAuthorityDraftSchema):
    """The validating authority, named by its registry id."""

    organisation = fields.UUID(required=True)


def _draft_schema(certificate: type[Schema], name: str) -> type[Schema]:
    """The certificate as a caseworker drafts it: parties by id, the broker fills in the rest."""
    return type(
        name,
        (certificate,),
        {
            "issuing_authority": fields.Nested(IssuingAuthorityDraftSchema, load_default=dict),
            "validating_authority": fields.Nested(ValidatingAuthorityDraftSchema, allow_none=True),
            "addressee": fields.UUID(
                required=True, metadata={"description": "id of the addressee, from GET /api/v1/addressees"}
            ),
            "__doc__": f"{certificate.__doc__ or ''} (draft form)",
        },
    )


# Version 3 of the certificates, which holds every version 1 and 2 draft, may name the Art. 7(2) exception,
# and spares a Council of Europe order what only the Regulation's form asks for; a certificate is checked,
# and must be signed, at the lowest version that can say it (certificate_version).
EpocDraftSchema = _draft_schema(EpocV3Schema, "EpocDraftSchema")
EpocPrDraftSchema = _draft_schema(EpocPrV3Schema, "EpocPrDraftSchema")


# Annex I of Regulation (EU) 2021/784 as a caseworker drafts it: the broker fills in the issuing authority
# and the addressee's registered name, role and address.
RemovalOrderDraftSchema = type(
    "RemovalOrderDraftSchema",
    (RemovalOrderSchema,),
    {
        "issuing_authority": fields.Nested(IssuingAuthorityDraftSchema, load_default=dict),
        "addressee": fields.UUID(
            required=True,
            metadata={
                "description": "id of the provider's contact point or legal representative, from GET /api/v1/addressees"
            },
        ),
        "__doc__": f"{RemovalOrderSchema.__doc__} (draft form)",
    },
)


# An overseas production order (Crime (Overseas Production Orders) Act 2019) as the appropriate officer's
# organisation drafts it: the broker fills in the respondent from the addressee the caseworker names.
OverseasProductionOrderDraftSchema = type(
    "OverseasProductionOrderDraftSchema",
    (OverseasProductionOrder,),
    {
        "respondent": fields.Raw(dump_only=True, metadata={"description": "filled by the broker"}),
        "addressee": fields.UUID(
            required=True,
            metadata={
                "description": "id of the respondent provider's addressee, from GET /api/v1/addressees"
            },
        ),
        "__doc__": f"{OverseasProductionOrder.__doc__} (draft form)",
    },
)


DRAFT_SCHEMAS = {
    OrderType.EPOC: EpocDraftSchema,
    OrderType.EPOC_PR: EpocPrDraftSchema,
    OrderType.REMOVAL_ORDER: RemovalOrderDraftSchema,
    OrderType.OVERSEAS_PRODUCTION_ORDER: OverseasProductionOrderDraftSchema,
}


class DraftOrderSchema(Schema):
    """A new order: its type and its certificate in draft form (kept exactly as sent, once valid)."""

    order_type = fields.Enum(OrderType, by_value=True, required=True)
    certificate = fields.Dict(
        required=True,
        metadata={
            "oneOf": [
                {"$ref": "#/components/schemas/EpocDraft"},
                {"$ref": "#/components/schemas/EpocPrDraft"},
                {"$ref": "#/components/schemas/RemovalOrderDraft"},
                {"$ref": "#/components/schemas/OverseasProductionOrderDraft"},
            ]
        },
    )

    removal_order = fields.UUID(
        load_default=None,
        metadata={
            "description": "An EPOC or EPOC-PR addressed to the content a provider preserves after this "
            "removal order (Regulation (EU) 2021/784, Art. 6(1)(b), 6(2)): same provider, preservation still "
            "running, a removal order of your authority or your Member State. Checked when the draft is made "
            "and again when it is issued; POST /orders/check ignores it."
        },
    )

    threat_notification = fields.UUID(
        load_default=None,
        metadata={
            "description": "The provider's notification of a suspected threat to life or safety that this "
            "emergency EPOC or EPOC-PR answers (Regulation (EU) 2022/2065, Art. 18): sent to your authority "
            "by the provider the order is addressed to. POST /orders/check ignores it."
        },
    )

    @validates_schema
    def _certificate_matches_type(self, data: dict[str, Any], **_: Any) -> None:
        errors = shared(DRAFT_SCHEMAS[data["order_type"]]).validate(data["certificate"])
        if errors:
            raise ValidationError({"certificate": errors})


class FindingSchema(Schema):
    """One rule an order breaks: which rule of which article, and what to change."""

    rule_id = fields.String(dump_only=True)
    instrument = fields.String(dump_only=True)
    citation = fields.String(dump_only=True)
    severity = fields.String(dump_only=True, metadata={"enum": ["error", "warning"]})
    message = fields.String(dump_only=True)
    fields_ = fields.List(fields.String(), dump_only=True, data_key="fields", attribute="fields")
    confidence = fields.String(dump_only=True, metadata={"enum": ["confirmed", "secondary", "unconfirmed"]})
    missing_data = fields.Boolean(dump_only=True)


class CheckReportSchema(Schema):
    """The legal-basis check of a certificate; any error blocks issuing."""

    checked_at = fields.String(dump_only=True)
    blocking = fields.Boolean(dump_only=True)
    findings = fields.List(fields.Nested(FindingSchema), dump_only=True)
    derived = fields.Dict(
        dump_only=True,
        metadata={"description": "Facts the workflow acts on: notification_required, deadline, ..."},
    )


class PartySchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)


class MessageSchema(Schema):
    """A signed message as stored: `jws` is byte for byte what the sender signed."""

    id = fields.UUID(dump_only=True)
    message_type = fields.Enum(MessageType, by_value=True, dump_only=True, data_key="type")
    sender = fields.UUID(dump_only=True, attribute="sender_id")
    sender_kid = fields.String(dump_only=True)
    recipient = fields.UUID(dump_only=True, attribute="recipient_id")
    in_reply_to = fields.UUID(dump_only=True, allow_none=True)
    issued_at = fields.AwareDateTime(dump_only=True)
    received_at = fields.AwareDateTime(dump_only=True)
    sha256 = fields.String(dump_only=True)
    jws = fields.String(dump_only=True)


class OrderSummarySchema(Schema):
    id = fields.UUID(dump_only=True)
    order_type = fields.Enum(OrderType, by_value=True, dump_only=True)
    instrument = fields.String(dump_only=True)
    state = fields.Enum(OrderState, by_value=True, dump_only=True)
    emergency = fields.Boolean(dump_only=True)
    file_number = fields.String(dump_only=True, allow_none=True)
    issuing_authority = fields.Nested(PartySchema, dump_only=True)
    provider = fields.Nested(PartySchema, dump_only=True)
    addressee_id = fields.UUID(dump_only=True)
    enforcing_authority = fields.Nested(PartySchema, dump_only=True, allow_none=True)
    ex_post_validation_required = fields.Boolean(dump_only=True)
    deletion_required = fields.Boolean(
        dump_only=True, metadata={"description": "Data received must be deleted or restricted"}
    )
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)
    issued_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    served_at = fields.AwareDateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "When the authority of the order's route served it on the provider"},
    )
    received_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    answered_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class OrderSchema(OrderSummarySchema):
    """The whole order: the certificate to sign (while a draft) or as signed, and every message."""

    certificate = fields.Dict(dump_only=True)
    removal_order = fields.UUID(
        dump_only=True,
        allow_none=True,
        attribute="removal_order_id",
        metadata={"description": "The removal order whose preserved content this order asks for, if any"},
    )
    threat_notification = fields.UUID(
        dump_only=True,
        allow_none=True,
        attribute="threat_notification_id",
        metadata={
            "description": "The provider's threat notification (DSA Art. 18) this order answers, if any"
        },
    )
    checks = fields.Nested(CheckReportSchema, dump_only=True, allow_none=True)
    messages = fields.List(fields.Nested(MessageSchema), dump_only=True)


class ClockSchema(Schema):
    """A deadline: when it started, falls due, was paused and resumed, and whether it was missed."""

    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": ["running", "paused", "stopped", "fired"]})
    cause = fields.String(dump_only=True)
    started_at = fields.AwareDateTime(dump_only=True)
    due_at = fields.AwareDateTime(dump_only=True)
    reminder_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    paused_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    pauses = fields.List(fields.Dict(), dump_only=True)
    extended = fields.Boolean(dump_only=True)
    fired_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    breached = fields.Boolean(dump_only=True)


class TimelineSchema(Schema):
    order = fields.Nested(lambda: OrderSummarySchema(), dump_only=True)
    messages = fields.List(fields.Nested(MessageSchema), dump_only=True)
    clocks = fields.List(fields.Nested(ClockSchema), dump_only=True)
    events = fields.List(fields.Dict(), dump_only=True, metadata={"description": "Audit-log entries"})


class InboxQuerySchema(Schema):
    """A page of the inbox: `per_page` orders after `cursor` (the `next_cursor` of the previous page)."""

    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Continue after the previous page: its next_cursor, as given"},
    )
    per_page = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "Items per page, at most the deployment's PAGE_SIZE_MAX (100 by default)"},
    )
    unread = fields.Boolean(
        metadata={"description": "Only orders changed since your organisation last read them"}
    )
    overdue = fields.Boolean(metadata={"description": "Only orders with a missed deadline"})


class OrderQuerySchema(PageQuerySchema):
    state = fields.Enum(OrderState, by_value=True)
    order_type = fields.Enum(OrderType, by_value=True)
    emergency = fields.Boolean()
    file_number = fields.String()


OrderPageSchema = page_schema(OrderSummarySchema, "OrderPage")


class InboxPageSchema(Schema):
    """A page of the inbox; `next_cursor` is null on the last page. Nothing is counted."""

    items = fields.List(fields.Nested(OrderSummarySchema), required=True)
    per_page = fields.Integer(required=True)
    next_cursor = fields.String(required=True, allow_none=True)
