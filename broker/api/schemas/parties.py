"""API representations of the registry (read-only: the registry is managed from the CLI)."""

from marshmallow import Schema
from marshmallow import fields

from broker.api.schemas.common import PageQuerySchema
from broker.api.schemas.common import page_schema
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType


class AddresseeSchema(Schema):
    id = fields.UUID(dump_only=True)
    provider_id = fields.UUID(dump_only=True)
    addressee_type = fields.Enum(AddresseeType, by_value=True, dump_only=True)
    removal_role = fields.Enum(
        RemovalAddresseeType,
        by_value=True,
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "How it receives removal orders (Regulation (EU) 2021/784, Art. 15, 17), if it does"
        },
    )
    name = fields.String(dump_only=True)
    country = fields.String(dump_only=True)
    address = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    languages = fields.List(fields.String(), dump_only=True)
    emergency_contact = fields.String(
        dump_only=True, metadata={"description": "24/7 point of contact for emergency orders"}
    )


class OrganisationSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.Enum(OrganisationKind, by_value=True, dump_only=True)
    country = fields.String(dump_only=True)
    authority_type = fields.Enum(AuthorityType, by_value=True, dump_only=True, allow_none=True)
    addressees = fields.List(fields.Nested(AddresseeSchema), dump_only=True)


class SigningKeySchema(Schema):
    kid = fields.String(dump_only=True, metadata={"description": "RFC 7638 JWK thumbprint (SHA-256)"})
    alg = fields.String(dump_only=True)
    jwk = fields.Dict(dump_only=True)
    valid_from = fields.AwareDateTime(dump_only=True)
    valid_until = fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revocation_reason = fields.String(dump_only=True, allow_none=True)
    user = fields.UUID(
        attribute="user_id",
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "The person of the organisation who holds the key; null for a machine's key"
        },
    )


class RecipientSchema(Schema):
    id = fields.UUID(dump_only=True)
    recipient = fields.String(dump_only=True, metadata={"description": "age X25519 recipient (age1…)"})
    created_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revocation_reason = fields.String(dump_only=True, allow_none=True)


class RecipientSetSchema(Schema):
    organisation = fields.UUID(dump_only=True)
    recipients = fields.List(fields.Nested(RecipientSchema), dump_only=True)


class KeySetSchema(Schema):
    organisation = fields.UUID(dump_only=True)
    keys = fields.List(fields.Nested(SigningKeySchema), dump_only=True)


class UserSchema(Schema):
    id = fields.UUID(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)


class WhoAmISchema(Schema):
    user = fields.Nested(UserSchema, dump_only=True)
    organisation = fields.Nested(OrganisationSchema, dump_only=True)


class OrganisationQuerySchema(PageQuerySchema):
    kind = fields.Enum(OrganisationKind, by_value=True)
    country = fields.String()


class AddresseeQuerySchema(PageQuerySchema):
    country = fields.String()
    provider = fields.UUID()


OrganisationPageSchema = page_schema(OrganisationSchema, "OrganisationPage")
AddresseePageSchema = page_schema(AddresseeSchema, "AddresseePage")
