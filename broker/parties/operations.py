"""The write side of the registry: organisations, addressees, users, tokens and keys.

Each function takes the session and an injected clock, checks its input against the registry and
raises a `Problem` on anything it cannot accept; the caller owns the transaction.
"""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

import pyrage
import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.access import ROLES_BY_KIND
from broker.access import Actor
from broker.access import named
from broker.audit.operations import record
from broker.clock import Clock
from broker.countries import ISO_3166_ALPHA2
from broker.parties.models import AUTHORITY_KINDS
from broker.parties.models import Addressee
from broker.parties.models import ApiToken
from broker.parties.models import EncryptionRecipient
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

log = logging.getLogger(__name__)

TOKEN_PREFIX = "ebt_"  # noqa: S105 - a marker that makes leaked tokens easy to find, not a secret


def _country(code: str) -> str:
    if code not in ISO_3166_ALPHA2:
        raise problems.ValidationFailed(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code",
            errors={"country": ["unknown country code"]},
        )
    return code


def _mailbox(address: str | None, field: str) -> str | None:
    """A bare address (local@domain) or None: the 24/7 mailbox goes into a mail header as it is."""
    if address is None:
        return None
    local, at, domain = address.partition("@")
    if not (local and at and "." in domain) or "@" in domain or len(address) > 254:
        raise problems.ValidationFailed(
            f"{address!r} is not an e-mail address", errors={field: ["an address such as desk@example.com"]}
        )
    if any(
        character.isspace() or not character.isprintable() or character in '<>,;"' for character in address
    ):
        raise problems.ValidationFailed(
            f"{address!r} is not a bare e-mail address", errors={field: ["no spaces, names or brackets"]}
        )
    return address


def create_organisation(
    session: orm.Session,
    clock: Clock,
    *,
    name: str,
    kind: OrganisationKind,
    country: str,
    authority_type: AuthorityType | None = None,
    treaty_role: TreatyRole | None = None,
) -> Organisation:
    """Register an organisation; authorities must say which Art. 4 type they are, others must not.

    Only an enforcing authority may have a treaty role (its State's 24/7 point of contact, or the
    authority that serves overseas production orders). Europol is one agency: a second is refused.
    """
    if (kind in AUTHORITY_KINDS) != (authority_type is not None):
        need = "needs" if kind in AUTHORITY_KINDS else "cannot have"
        raise problems.ValidationFailed(
            f"{named(kind)} {need} an authority type",
            errors={"authority_type": [f"{need} an authority type"]},
        )
    if treaty_role is not None and kind is not OrganisationKind.ENFORCING_AUTHORITY:
        raise problems.ValidationFailed(
            f"only an enforcing authority may be a {treaty_role.value.replace('_', ' ')}, not {named(kind)}",
            errors={"treaty_role": ["only for enforcing authorities"]},
        )
    if session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
        raise problems.Conflict(f"an organisation named {name!r} already exists")
    if kind is OrganisationKind.EUROPOL:
        registered = session.scalar(sa.select(Organisation.name).where(Organisation.kind == kind))
        if registered is not None:
            raise problems.Conflict(f"Europol is already registered, as {registered!r}; there is one Europol")
    organisation = Organisation(
        name=name,
        kind=kind,
        country=_country(country),
        authority_type=authority_type,
        treaty_role=treaty_role,
        created_at=clock(),
    )
    session.add(organisation)
    session.flush()
    record(
        session,
        clock,
        action="organisation.registered",
        object_type="organisation",
        object_id=organisation.id,
        actor=None,
        details={"kind": kind.value, "country": organisation.country}
        | ({"treaty_role": treaty_role.value} if treaty_role else {}),
    )
    return organisation


def add_addressee(
    session: orm.Session,
    clock: Clock,
    *,
    provider: Organisation,
    addressee_type: AddresseeType,
    name: str,
    country: str,
    address: str,
    email: str,
    emergency_contact: str,
    languages: Sequence[str],
    phone: str | None = None,
    emergency_email: str | None = None,
    removal_role: RemovalAddresseeType | None = None,
) -> Addressee:
    """Register a provider's designated establishment or legal representative in one Member State."""
    if provider.kind is not OrganisationKind.PROVIDER:
        raise problems.InvalidReference(
            f"{provider.name!r} is not a provider; only providers have addressees"
        )
    if not languages or any(len(code) != 2 or not code.islower() for code in languages):
        raise problems.ValidationFailed(
            "accepted languages must be ISO 639-1 codes such as 'en'",
            errors={"languages": ["one or more two-letter lower-case ISO 639-1 codes"]},
        )
    existing = session.scalar(
        sa.select(Addressee.id).where(Addressee.provider_id == provider.id, Addressee.country == country)
    )
    if existing:
        raise problems.Conflict(f"{provider.name!r} already has an addressee in {country}")
    addressee = Addressee(
        provider=provider,
        addressee_type=addressee_type,
        name=name,
        country=_country(country),
        address=address,
        email=email,
        phone=phone,
        languages=list(languages),
        emergency_contact=emergency_contact,
        emergency_email=_mailbox(emergency_email, "emergency_email"),
        removal_role=removal_role,
        created_at=clock(),
    )
    session.add(addressee)
    session.flush()
    record(
        session,
        clock,
        action="addressee.registered",
        object_type="addressee",
        object_id=addressee.id,
        actor=None,
        details={"provider": str(provider.id), "country": addressee.country},
    )
    return addressee


def create_user(
    session: orm.Session, clock: Clock, *, organisation: Organisation, email: str, name: str, role: Role
) -> User:
    """Add a user to an organisation with a role that fits the organisation's kind."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        allowed = ", ".join(sorted(r.value for r in ROLES_BY_KIND[organisation.kind]))
        raise problems.ValidationFailed(
            f"role {role.value!r} does not exist in {named(organisation.kind)}",
            errors={"role": [f"one of: {allowed}"]},
        )
    if session.scalar(sa.select(User.id).where(User.email == email)):
        raise problems.Conflict(f"a user with e-mail {email!r} already exists")
    user = User(organisation=organisation, email=email, name=name, role=role, created_at=clock())
    session.add(user)
    session.flush()
    record(
        session,
        clock,
        action="user.created",
        object_type="user",
        object_id=user.id,
        actor=None,
        details={"organisation": str(organisation.id), "role": role.value},
    )
    return user


# How precisely a token's last use is kept (written at most this often).
LAST_USE_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: orm.Session, clock: Clock, *, user: User, label: str, lifetime: timedelta
) -> tuple[ApiToken, str]:
    """Create an API token; the plaintext is returned here once and never stored."""
    if lifetime <= timedelta(0):
        raise problems.ValidationFailed("a token must live for a positive time", errors={"lifetime": ["> 0"]})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock()
    token = ApiToken(
        user=user, token_sha256=hash_token(plaintext), label=label, created_at=now, expires_at=now + lifetime
    )
    session.add(token)
    session.flush()
    record(
        session,
        clock,
        action="token.issued",
        object_type="api_token",
        object_id=token.id,
        actor=None,
        details={"user": str(user.id), "expires_at": token.expires_at.isoformat()},
    )
    return token, plaintext


def revoke_token(session: orm.Session, clock: Clock, token_id: uuid.UUID) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first revocation time."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise problems.NotFound(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = clock()
        record(
            session, clock, action="token.revoked", object_type="api_token", object_id=token.id, actor=None
        )
    return token


# What a caller hears about a token that is unknown, revoked, or whose user is disabled: the same.
UNUSABLE_BEARER = "the bearer token is not known"


def authenticate(session: orm.Session, clock: Clock, plaintext: str) -> Actor:
    """The actor behind a bearer token, or the problem saying it cannot be used.

    One query finds the token, its user and the organisation's kind. The token's last use is written
    at most once a minute: a busy client's every request would otherwise update the same row.

    A revoked token, and one whose user is disabled, answer exactly as an unknown one: revocation
    is what an operator does on detecting a theft, and telling the thief so helps the thief, while
    the token's rightful holder must ask the administrator for a new token either way. The operator
    is told instead, in the log. An expired token says so (`token-expired`): expiry is the scheduled
    end the holder's administrator chose, it tells a thief nothing about being found out, and it lets
    a party's system ask for a new token before it is needed (docs/problems.md, "Who is asking").
    """
    found = session.execute(
        sa.select(ApiToken, User, Organisation.kind)
        .join(User, ApiToken.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(ApiToken.token_sha256 == hash_token(plaintext))
    ).one_or_none()
    if found is None:
        raise problems.Unauthenticated(UNUSABLE_BEARER)
    token, user, kind = found
    now = clock()
    if token.revoked_at is not None:
        log.warning("revoked API token %s (%s) of user %s was presented", token.id, token.label, user.id)
        raise problems.Unauthenticated(UNUSABLE_BEARER)
    if token.expires_at <= now:
        raise problems.TokenExpired("the bearer token has expired; ask your administrator for a new one")
    if user.disabled_at is not None:
        log.warning("API token %s of disabled user %s was presented", token.id, user.id)
        raise problems.Unauthenticated(UNUSABLE_BEARER)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        token.last_used_at = now
    return Actor(user_id=user.id, organisation_id=user.organisation_id, kind=kind, role=user.role)


def register_key(
    session: orm.Session,
    clock: Clock,
    *,
    organisation: Organisation,
    jwk: Mapping[str, object],
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    actor: Actor | None = None,
    holder: User | None = None,
) -> SigningKey:
    """Register a public signing key (Ed25519 or ES256 JWK) under its RFC 7638 thumbprint.

    `actor` is who registered it, for the log; None is the operator (`broker key register`).
    `holder` is the person of the organisation who holds the private key (made in their browser);
    None for a machine's key. A holder must be a current member of the organisation: a key
    recorded as a disabled person's, or another organisation's, would say who signed falsely.
    """
    if holder is not None and (holder.organisation_id != organisation.id or holder.disabled_at is not None):
        raise problems.ValidationFailed(
            f"{holder.email} is not an active member of {organisation.name!r}",
            errors={"holder": ["a person of the organisation whose account is not disabled"]},
        )
    try:
        public = crypto.validate_public_jwk(jwk)
    except crypto.InvalidKey as error:
        raise problems.ValidationFailed(
            f"not a usable public key: {error}", errors={"jwk": [str(error)]}
        ) from error
    kid = crypto.jwk_thumbprint(public)
    if session.get(SigningKey, kid) is not None:
        raise problems.Conflict(f"key {kid} is already registered")
    now = clock()
    start = valid_from or now
    if valid_until is not None and valid_until <= start:
        raise problems.ValidationFailed(
            "a key's validity must end after it begins", errors={"valid_until": ["must be after valid_from"]}
        )
    key = SigningKey(
        kid=kid,
        organisation=organisation,
        jwk=public,
        alg=crypto.alg_for_jwk(public),
        valid_from=start,
        valid_until=valid_until,
        created_at=now,
        user=holder,
    )
    session.add(key)
    session.flush()
    details = {"organisation": str(organisation.id), "alg": key.alg}
    record(
        session,
        clock,
        action="key.registered",
        object_type="signing_key",
        object_id=kid,
        actor=actor,
        details=details if holder is None else {**details, "user": str(holder.id)},
    )
    return key


# Who may register signing keys for their own organisation (the portal's key page; the operator
# registers any organisation's keys with `broker key register`).
KEY_MANAGERS = frozenset({Role.ADMIN})


def register_own_key(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    jwk: Mapping[str, object],
    holder_id: uuid.UUID | None = None,
) -> SigningKey:
    """An administrator registers a public key for their own organisation; the log names them.

    `holder_id` is the person the administrator says holds the key (None: a machine's key); it
    must be a current member of the administrator's organisation (`register_key`).
    """
    if actor.role not in KEY_MANAGERS:
        raise problems.Forbidden("only your organisation's administrators may register its signing keys")
    organisation = session.get_one(Organisation, actor.organisation_id)
    holder = None if holder_id is None else session.get(User, holder_id)
    if holder_id is not None and holder is None:
        raise problems.ValidationFailed(f"no person {holder_id}", errors={"holder": ["unknown person"]})
    return register_key(session, clock, organisation=organisation, jwk=jwk, actor=actor, holder=holder)


def own_key(session: orm.Session, actor: Actor, kid: str) -> SigningKey:
    """A key of the actor's organisation; not-found for any other, so another's keys stay unnamed."""
    key = session.get(SigningKey, kid)
    if key is None or key.organisation_id != actor.organisation_id:
        raise problems.NotFound(f"no signing key {kid}")
    return key


def may_revoke(actor: Actor, key: SigningKey) -> bool:
    """An administrator may revoke any of the organisation's keys, a person the key they hold."""
    return actor.role in KEY_MANAGERS or key.user_id == actor.user_id


def revoke_own_key(session: orm.Session, clock: Clock, actor: Actor, kid: str, reason: str) -> SigningKey:
    """Revoke a key of one's own organisation from the portal: `revoke_key`, the log naming who did it."""
    key = own_key(session, actor, kid)
    if not may_revoke(actor, key):
        raise problems.Forbidden(
            "only your organisation's administrators, or the key's holder, may revoke it"
        )
    if key.revoked_at is not None:
        raise problems.Conflict(f"key {kid} is already revoked")
    return revoke_key(session, clock, kid=kid, reason=reason, actor=actor)


# The reason recorded on a key another replaced (keys/README.md, "Rotation").
REPLACED = "replaced by the key {kid}; not compromised"


def replace_own_key(
    session: orm.Session, clock: Clock, actor: Actor, kid: str, jwk: Mapping[str, object]
) -> SigningKey:
    """Rotate a key: register `jwk` for the same holder and revoke the old key at once; the new key.

    The same two steps as `broker key register` then `broker key revoke`, in one transaction, so the
    organisation is never left without the holder's key nor with both. The old key is revoked rather
    than given an end of validity: a browser that made a new key has already dropped the old one.
    """
    if actor.role not in KEY_MANAGERS:
        raise problems.Forbidden("only your organisation's administrators may register its signing keys")
    old = own_key(session, actor, kid)
    if old.revoked_at is not None:
        raise problems.Conflict(f"key {kid} is revoked: register a new key instead of replacing it")
    new = register_key(session, clock, organisation=old.organisation, jwk=jwk, actor=actor, holder=old.user)
    revoke_key(session, clock, kid=kid, reason=REPLACED.format(kid=new.kid), actor=actor)
    return new


# The longest reason a revocation records (signing_keys.revocation_reason).
REASON_LIMIT = 500
# The reason recorded on the keys of a person whose account is disabled.
HOLDER_DISABLED = "the account of the person who holds it was disabled"


def disable_user(session: orm.Session, clock: Clock, user: User) -> list[SigningKey]:
    """Disable a person's account and revoke every signing key they hold; the keys revoked.

    Disabling alone would leave their keys able to sign: the private key stays in the person's
    browser, which may leave with them, and the broker verifies a message against the
    organisation's keys whoever submits it (a colleague's session, an API token). So each key is
    revoked with its own `key.revoked` entry; messages signed before stay valid, as for any
    revocation. Disabling twice keeps the first time and revokes what is still unrevoked.
    """
    if user.disabled_at is None:
        user.disabled_at = clock()
        record(session, clock, action="user.disabled", object_type="user", object_id=user.id, actor=None)
    held = session.scalars(
        sa.select(SigningKey).where(SigningKey.user_id == user.id, SigningKey.revoked_at.is_(None))
    ).all()
    return [revoke_key(session, clock, kid=key.kid, reason=HOLDER_DISABLED) for key in held]


def revoke_key(
    session: orm.Session, clock: Clock, *, kid: str, reason: str, actor: Actor | None = None
) -> SigningKey:
    """Revoke a key with a reason; messages signed with it are refused from now on.

    `actor` is who revoked it, for the log; None is the operator (`broker key revoke`) or the broker.
    """
    key = session.get(SigningKey, kid)
    if key is None:
        raise problems.NotFound(f"no signing key {kid}")
    if not reason.strip():
        raise problems.ValidationFailed("say why the key is revoked", errors={"reason": ["required"]})
    if len(reason) > REASON_LIMIT:
        raise problems.ValidationFailed(
            f"a reason has at most {REASON_LIMIT} characters", errors={"reason": ["too long"]}
        )
    if key.revoked_at is None:
        key.revoked_at = clock()
        key.revocation_reason = reason
        record(
            session,
            clock,
            action="key.revoked",
            object_type="signing_key",
            object_id=kid,
            actor=actor,
            details={"reason": reason},
        )
    return key


def register_recipient(
    session: orm.Session, clock: Clock, *, organisation: Organisation, recipient: str
) -> EncryptionRecipient:
    """Publish an issuing authority's age X25519 recipient, to which providers encrypt evidence."""
    if organisation.kind is not OrganisationKind.ISSUING_AUTHORITY:
        raise problems.InvalidReference(
            f"{organisation.name!r} is not an issuing authority; only issuing authorities receive evidence"
        )
    try:
        pyrage.x25519.Recipient.from_str(recipient)
    except pyrage.RecipientError as error:
        raise problems.ValidationFailed(
            f"not an age X25519 recipient (age1…): {error}", errors={"recipient": [str(error)]}
        ) from error
    if session.scalar(sa.select(EncryptionRecipient.id).where(EncryptionRecipient.recipient == recipient)):
        raise problems.Conflict("this recipient is already registered")
    published = EncryptionRecipient(organisation=organisation, recipient=recipient, created_at=clock())
    session.add(published)
    session.flush()
    record(
        session,
        clock,
        action="recipient.registered",
        object_type="encryption_recipient",
        object_id=published.id,
        actor=None,
        details={"organisation": str(organisation.id)},
    )
    return published


def revoke_recipient(
    session: orm.Session, clock: Clock, *, recipient_id: uuid.UUID, reason: str
) -> EncryptionRecipient:
    """Withdraw a recipient: providers must no longer encrypt to it."""
    published = session.get(EncryptionRecipient, recipient_id)
    if published is None:
        raise problems.NotFound(f"no encryption recipient {recipient_id}")
    if not reason.strip():
        raise problems.ValidationFailed("say why the recipient is revoked", errors={"reason": ["required"]})
    if published.revoked_at is None:
        published.revoked_at, published.revocation_reason = clock(), reason
        record(
            session,
            clock,
            action="recipient.revoked",
            object_type="encryption_recipient",
            object_id=published.id,
            actor=None,
            details={"reason": reason},
        )
    return published
