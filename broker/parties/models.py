"""Who takes part: organisations, the addressees of providers, users, tokens and public keys.

People who use the portal also have credentials here (a password hash and a TOTP second factor on
`users`, their recovery codes) and server-side sessions (`portal_sessions`): see
broker/parties/people/ for the rules that read and write them.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

AUTHORITY_KINDS = (OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.ENFORCING_AUTHORITY)


# Europol is one agency: a registry holds at most one organisation of its kind.
_EUROPOL = sa.text("kind = 'europol'")


class Organisation(Base):
    """An issuing authority, enforcing authority, provider, oversight body or Europol."""

    __tablename__ = "organisations"
    __table_args__ = (
        # Authorities carry their Art. 4 type; providers, oversight bodies and Europol never do.
        sa.CheckConstraint(
            "(kind IN ('issuing_authority', 'enforcing_authority')) = (authority_type IS NOT NULL)",
            name="authority_type_for_authorities",
        ),
        sa.Index(
            "uq_organisations_one_europol",
            "kind",
            unique=True,
            postgresql_where=_EUROPOL,
            sqlite_where=_EUROPOL,
        ),
    )

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), unique=True)
    kind: orm.Mapped[OrganisationKind] = orm.mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2))
    authority_type: orm.Mapped[AuthorityType | None] = orm.mapped_column(
        enum_column(AuthorityType, "authority_type")
    )
    # An enforcing authority that is its State's 24/7 point of contact (CETS 224 Art. 9) or the authority
    # that serves the State's overseas production orders (COPO s.9); None: an ordinary competent authority.
    treaty_role: orm.Mapped[TreatyRole | None] = orm.mapped_column(enum_column(TreatyRole, "treaty_role"))
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
    """Where a provider receives orders in one Member State: its designated establishment or legal
    representative, or another establishment that only an emergency order may reach (Art. 7(2))."""

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
    # The 24/7 contact's mailbox: an emergency order (8 hours, Art. 10(4)) is mailed there the moment
    # it is issued, whatever the people of the provider chose. None: the registry has no such address.
    emergency_email: orm.Mapped[str | None] = orm.mapped_column(sa.String(254))
    # Whether it also receives removal orders of Regulation (EU) 2021/784, as the provider's contact point
    # (Art. 15) or legal representative (Art. 17); None: it does not.
    removal_role: orm.Mapped[RemovalAddresseeType | None] = orm.mapped_column(
        enum_column(RemovalAddresseeType, "removal_role")
    )
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
    # The portal's credentials (broker/parties/people/): an Argon2id hash in its PHC string form,
    # never the password; none until an operator sets one (`broker user set-password`).
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(200))
    password_changed_at: orm.Mapped[datetime | None]
    # The RFC 6238 secret (base32), kept as it must be to compute codes; none until the person
    # enrols, and cleared by `broker user reset-2fa`. `totp_last_step` is the time step of the last
    # code accepted: a code is never accepted twice (RFC 6238 §5.2).
    totp_secret: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    totp_enrolled_at: orm.Mapped[datetime | None]
    totp_last_step: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    # The language the person chose for the portal (a catalogue's code, e.g. "fr"); none: the browser's.
    language: orm.Mapped[str | None] = orm.mapped_column(sa.String(8))

    organisation: orm.Mapped[Organisation] = orm.relationship()

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor when the person's device is lost.

    Only its SHA-256 is kept: the codes are 80 random bits each, so a slow hash would add nothing
    but time to every attempt.
    """

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_sha256"),)

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    code_sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    created_at: orm.Mapped[datetime]
    used_at: orm.Mapped[datetime | None]


class SessionStage(StrEnum):
    """How far a portal session has come: a password alone opens no page but the next step."""

    SECOND_FACTOR = "second_factor"  # the password was right; the TOTP code (or a recovery code) is due
    ENROLMENT = "enrolment"  # the password was right and the person has no second factor yet
    SIGNED_IN = "signed_in"  # both factors: the person acts for their organisation


class PortalSession(Base):
    """A person's signed-in browser, kept on the server so that expiry and "log out everywhere" work.

    The browser holds a random token; the row is found by the token's SHA-256 (`id`), so the table
    alone cannot be replayed as cookies. A session ends when it is revoked, after 30 idle minutes or
    12 hours in all (broker/parties/people/sessions.py has the figures).
    """

    __tablename__ = "portal_sessions"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    user_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    stage: orm.Mapped[SessionStage] = orm.mapped_column(enum_column(SessionStage, "session_stage"))
    # The synchroniser token every form of this session carries (broker/portal/csrf.py).
    csrf_token: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    # A TOTP secret shown for enrolment and not yet confirmed with a code.
    pending_totp_secret: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    created_at: orm.Mapped[datetime]
    last_seen_at: orm.Mapped[datetime]
    expires_at: orm.Mapped[datetime]
    revoked_at: orm.Mapped[datetime | None]

    user: orm.Mapped[User] = orm.relationship()

    def __repr__(self) -> str:
        return f"<PortalSession {self.id[:8]}… {self.stage}>"


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
    """A public signing key (JWK) of an organisation, named by its RFC 7638 thumbprint.

    The key is the organisation's: it signs for the organisation, and a message is verified against
    the organisation's keys. `user_id` records the person of that organisation who holds it (a key
    made in their browser); None for a key held by a machine (an API client, an HSM, a national
    system) or registered before the broker recorded holders.
    """

    __tablename__ = "signing_keys"

    kid: orm.Mapped[str] = orm.mapped_column(sa.String(43), primary_key=True)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    jwk: orm.Mapped[dict[str, Any]]
    alg: orm.Mapped[str] = orm.mapped_column(sa.String(10))
    valid_from: orm.Mapped[datetime]
    valid_until: orm.Mapped[datetime | None]
    revoked_at: orm.Mapped[datetime | None]
    revocation_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))
    created_at: orm.Mapped[datetime]

    organisation: orm.Mapped[Organisation] = orm.relationship(back_populates="keys")
    user: orm.Mapped[User | None] = orm.relationship()

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
