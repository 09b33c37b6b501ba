"""Who takes part: organisations, the addressees of providers, users, tokens and public keys."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

AUTHORITY_KINDS = (OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.ENFORCING_AUTHORITY)


class Organisation(Base):
    """An issuing authority, enforcing authority, provider or oversight body."""

    __tablename__ = "organisations"
    __table_args__ = (
        # Authorities carry their Art. 4 type; providers and oversight bodies never do.
        sa.CheckConstraint(
            "(kind IN ('issuing_authority', 'enforcing_authority')) = (authority_type IS NOT NULL)",
            name="authority_type_for_authorities",
        ),
    )

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), unique=True)
    kind: orm.Mapped[OrganisationKind] = orm.mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2))
    authority_type: orm.Mapped[AuthorityType | None] = orm.mapped_column(
        enum_column(AuthorityType, "authority_type")
    )
    created_at: orm.Mapped[datetime]

    addressees: orm.Mapped[list["Addressee"]] = orm.relationship(
        back_populates="provider", order_by="Addressee.country"
    )
    keys: orm.Mapped[list["SigningKey"]] = orm.relationship(
        back_populates="organisation", order_by="SigningKey.created_at"
    )
    recipients: orm.Mapped[list["EncryptionRecipient"]] = orm.relationship(
        back_populates="organisation", order_by="EncryptionRecipient.created_at"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r} {self.kind} {self.country}>"


class Addressee(Base):
    """A provider's designated establishment or legal representative in one Member State."""

    __tablename__ = "addressees"
    __table_args__ = (sa.UniqueConstraint("provider_id", "country"),)

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    addressee_type: orm.Mapped[AddresseeType] = orm.mapped_column(
        enum_column(AddresseeType, "addressee_type")
    )
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2))
    address: orm.Mapped[str] = orm.mapped_column(sa.String(500))
    email: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    phone: orm.Mapped[str | None] = orm.mapped_column(sa.String(50))
    languages: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON)
    emergency_contact: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    created_at: orm.Mapped[datetime]

    provider: orm.Mapped[Organisation] = orm.relationship(back_populates="addressees")

    def __repr__(self) -> str:
        return f"<Addressee {self.name!r} {self.addressee_type} {self.country}>"


class User(Base):
    """A person acting for exactly one organisation."""

    __tablename__ = "users"

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    role: orm.Mapped[Role] = orm.mapped_column(enum_column(Role, "role"))
    created_at: orm.Mapped[datetime]
    disabled_at: orm.Mapped[datetime | None]

    organisation: orm.Mapped[Organisation] = orm.relationship()

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True)
    label: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    created_at: orm.Mapped[datetime]
    expires_at: orm.Mapped[datetime]
    revoked_at: orm.Mapped[datetime | None]
    last_used_at: orm.Mapped[datetime | None]

    user: orm.Mapped[User] = orm.relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.label!r}>"


class SigningKey(Base):
    """A public signing key (JWK) of an organisation, named by its RFC 7638 thumbprint."""

    __tablename__ = "signing_keys"

    kid: orm.Mapped[str] = orm.mapped_column(sa.String(43), primary_key=True)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    jwk: orm.Mapped[dict[str, Any]]
    alg: orm.Mapped[str] = orm.mapped_column(sa.String(10))
    valid_from: orm.Mapped[datetime]
    valid_until: orm.Mapped[datetime | None]
    revoked_at: orm.Mapped[datetime | None]
    revocation_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))
    created_at: orm.Mapped[datetime]

    organisation: orm.Mapped[Organisation] = orm.relationship(back_populates="keys")

    def is_usable_at(self, moment: datetime) -> bool:
        """True if a message signed at `moment` can be accepted with this key."""
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)

    def __repr__(self) -> str:
        return f"<SigningKey {self.kid} {self.alg}>"


class EncryptionRecipient(Base):
    """An age X25519 recipient to which providers encrypt the evidence an issuing authority receives.

    Published next to the signing keys; the private identity never leaves the authority.
    """

    __tablename__ = "encryption_recipients"

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # The age recipient string (age1…, Bech32), exactly as age tools print and read it.
    recipient: orm.Mapped[str] = orm.mapped_column(sa.String(100), unique=True)
    created_at: orm.Mapped[datetime]
    revoked_at: orm.Mapped[datetime | None]
    revocation_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))

    organisation: orm.Mapped[Organisation] = orm.relationship(back_populates="recipients")

    def __repr__(self) -> str:
        return f"<EncryptionRecipient {self.recipient[:12]}…>"
