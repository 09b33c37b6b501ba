"""What a person signs in the portal: the envelope of a lifecycle message, built here, signed elsewhere.

The broker never holds a party's private key. For a message sent from the portal it builds the
envelope (a new id, issued_at now, the sender with the chosen key's kid, the recipient, in reply to
the certificate, the body from the form) and hands the browser the JWS signing input,
`BASE64URL(canonical {"alg","kid"}) "." BASE64URL(RFC 8785 canonical envelope)`: the browser signs
exactly those bytes with its stored key (static/signing.js), so no JavaScript canonicalisation can
differ from the broker's. The canonical JSON is shown too, for a person who signs with an HSM or
another system and pastes the compact JWS instead.

Nothing is kept between the pages: the JWS that comes back is verified exactly as an API message
(broker/orders/inbound.py, through the same operation), so whatever happened to the page on its way,
the broker accepts only a message signed with a registered key of the person's organisation.
"""

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broker import crypto
from broker.access import Actor
from broker.lifecycle import Side
from broker.orders.models import Order
from broker.orders.sides import organisation_of
from broker.orders.sides import side_of
from broker.parties.models import SigningKey
from broker.wire import envelope as wire_envelope


@dataclass(frozen=True)
class Unsigned:
    """An envelope ready to sign: its canonical bytes and the JWS signing input over them."""

    envelope: dict[str, Any]
    canonical: str
    signing_input: str


def prepare(
    order: Order,
    actor: Actor,
    message_type: str,
    body: dict[str, Any],
    key: SigningKey,
    *,
    issued_at: datetime,
    message_id: uuid.UUID,
    recipient: uuid.UUID | None = None,
) -> Unsigned:
    """The envelope `actor` signs to send `message_type` about `order` with `key` (same inputs, same bytes).

    The recipient is the other side unless given (an enforcement request goes to the enforcing authority).
    """
    if recipient is None:
        side = side_of(actor, order)
        recipient = organisation_of(order, Side.ADDRESSEE if side is Side.ISSUER else Side.ISSUER)
    envelope = wire_envelope.new_envelope(
        message_type=message_type,
        body=body,
        sender=str(actor.organisation_id),
        kid=key.kid,
        recipient=str(recipient),
        issued_at=issued_at,
        in_reply_to=str(certificate_message_id(order)),
        message_id=str(message_id),
    )
    return ready_to_sign(envelope, key)


def ready_to_sign(envelope: dict[str, Any], key: SigningKey) -> Unsigned:
    """The envelope's canonical JSON and the JWS signing input over it, for `key` to sign."""
    payload = crypto.canonicalize(envelope)
    header = crypto.canonicalize({"alg": key.alg, "kid": key.kid})
    return Unsigned(envelope, payload.decode("utf-8"), f"{_b64url(header)}.{_b64url(payload)}")


def certificate_message_id(order: Order) -> uuid.UUID:
    """The signed certificate's id: what a message about an issued order replies to."""
    return next(m.id for m in order.messages if m.message_type.value == order.order_type.value)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
