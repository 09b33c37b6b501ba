"""Every signed message that reaches the broker passes here before any operation sees it.

Order of checks (each with its own problem type): readable JWS header naming a kid -> key registered
to the caller's organisation, unrevoked, currently valid -> signature -> readable envelope, its text
acceptable -> signed by the caller's own organisation -> issued_at inside the window -> message id
never seen -> body schema.

The payload is parsed only once its signature verifies: until then, the only thing read from what a
caller sent is the protected header's kid. Whoever cannot sign with a registered key of their own
organisation gets no further than the key lookup.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.access import Actor
from broker.clock import Clock
from broker.orders.models import Message
from broker.orders.models import ThreatNotification
from broker.parties.models import SigningKey
from broker.wire import envelope as wire_envelope
from broker.wire.registry import UnknownMessageType
from broker.wire.registry import validate_message_body


@dataclass(frozen=True)
class MessageWindow:
    """How far a message's issued_at may stray from the broker's clock."""

    max_age: timedelta
    max_future: timedelta


@dataclass(frozen=True)
class VerifiedMessage:
    """A message whose signature, sender, freshness and body have all been checked."""

    jws: str
    envelope: dict[str, Any]
    key: SigningKey
    issued_at: datetime

    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.envelope["id"])

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.envelope["body"]
        return body

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.jws.encode("ascii")).hexdigest()


def verify_inbound(
    session: orm.Session, clock: Clock, window: MessageWindow, actor: Actor, jws: str
) -> VerifiedMessage:
    """Check a signed message from `actor`, or raise the problem that says what is wrong with it."""
    try:
        jws.encode("ascii")
        kid = wire_envelope.signing_kid(jws)
    except UnicodeEncodeError as error:
        raise problems.MalformedMessage("a JWS compact serialization is ASCII only") from error
    except wire_envelope.MalformedEnvelope as error:
        raise problems.MalformedMessage(str(error)) from error

    key = session.get(SigningKey, kid)
    if key is None or key.organisation_id != actor.organisation_id:
        raise problems.UnknownKey(f"key {kid} is not registered to your organisation")
    now = clock()
    if key.revoked_at is not None and key.revoked_at <= now:
        raise problems.KeyRevoked(f"key {key.kid} was revoked: {key.revocation_reason}")
    if not key.is_usable_at(now):
        raise problems.KeyNotValid(f"key {key.kid} is not valid now")
    try:
        envelope = wire_envelope.open_sealed(jws, key.jwk)
    except crypto.InvalidSignature as error:
        raise problems.InvalidSignature(
            f"the signature does not verify with key {key.kid}: {error}"
        ) from error
    except wire_envelope.UnacceptableText as error:
        raise problems.InvalidText(str(error), errors=problems.text_errors(error.fields)) from error
    except wire_envelope.MalformedEnvelope as error:
        raise problems.MalformedMessage(str(error), errors=error.errors) from error

    sender = envelope["sender"]
    if sender["organisation"] != str(actor.organisation_id):
        raise problems.WrongSender(
            f"the envelope names sender {sender['organisation']}, but you act for {actor.organisation_id}"
        )

    issued_at = datetime.fromisoformat(envelope["issued_at"])
    if issued_at > now + window.max_future or issued_at < now - window.max_age:
        raise problems.StaleMessage(
            f"issued_at {envelope['issued_at']} is outside the accepted window "
            f"({int(window.max_age.total_seconds())} s back, {int(window.max_future.total_seconds())} s ahead)"
        )
    message_id = uuid.UUID(envelope["id"])
    received = sa.or_(  # either kind of stored message, asked in one statement
        sa.exists().where(Message.id == message_id),
        sa.exists().where(ThreatNotification.id == message_id),
    )
    if session.scalar(sa.select(received)):
        raise problems.ReplayedMessage(f"message {envelope['id']} was already received; nothing was changed")
    try:
        validate_message_body(envelope["type"], envelope["version"], envelope["body"])
    except UnknownMessageType as error:
        raise problems.UnexpectedMessageType(str(error)) from error
    except ValidationError as error:
        raise problems.ValidationFailed(
            "the message body does not satisfy its schema", errors={"body": error.messages}
        ) from error
    return VerifiedMessage(jws=jws, envelope=envelope, key=key, issued_at=issued_at)
