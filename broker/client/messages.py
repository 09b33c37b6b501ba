"""Sign certificates and lifecycle messages into JWS envelopes, with any Signer (file, HSM, KMS).

These are pure: nothing here talks to the broker. The sender, recipient and in_reply_to of a message
about an order follow docs/message-format.md#recipient-and-in_reply_to; `message_for_order` fills
them in from the order as the broker returned it, so a script only says what it sends.
"""

from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from broker.client.errors import ClientError
from broker.crypto import Signer
from broker.wire import envelope

CERTIFICATE_TYPES = ("epoc", "epoc-pr")
# The one message the issuing authority sends to the enforcing authority rather than the provider.
ENFORCEMENT_REQUEST = "enforcement-request"

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def seal_message(
    signer: Signer,
    *,
    message_type: str,
    body: Mapping[str, Any],
    sender: str,
    recipient: str,
    in_reply_to: str | None = None,
    message_id: str | None = None,
    clock: Clock = _now,
) -> str:
    """The compact JWS of one message, signed now; its `id` is fresh unless `message_id` is given.

    The broker refuses a message signed too long ago (`stale-message`), so sign just before sending.
    """
    sealed = envelope.new_envelope(
        message_type=message_type,
        body=dict(body),
        sender=sender,
        kid=signer.kid,
        recipient=recipient,
        issued_at=clock(),
        in_reply_to=in_reply_to,
        message_id=message_id,
    )
    return envelope.seal(sealed, signer, signer.kid)


def sign_certificate(
    order: Mapping[str, Any], signer: Signer, *, message_id: str | None = None, clock: Clock = _now
) -> str:
    """The signed `epoc` / `epoc-pr` that issues a draft: its certificate exactly as the broker returned it.

    The broker compares the signed body with the stored draft (`certificate-mismatch` otherwise),
    so sign the `certificate` of the order you got from `draft_order` or `order`, unchanged.
    """
    if order.get("state") not in (None, "draft"):
        raise ClientError(f"order {order.get('id')} is {order['state']}, not a draft: it was issued already")
    return seal_message(
        signer,
        message_type=str(order["order_type"]),
        body=order["certificate"],
        sender=str(order["issuing_authority"]["id"]),
        recipient=str(order["provider"]["id"]),
        in_reply_to=None,
        message_id=message_id,
        clock=clock,
    )


def recipient_for(order: Mapping[str, Any], sender: str, message_type: str) -> str:
    """Whom a message of `sender` about `order` goes to, by the broker's recipient rules."""
    authority = order["issuing_authority"]["id"]
    enforcing = (order.get("enforcing_authority") or {}).get("id")
    if sender == authority:
        if message_type != ENFORCEMENT_REQUEST:
            return str(order["provider"]["id"])
        if enforcing is None:
            raise ClientError(
                "the order names no enforcing authority yet: give the recipient "
                "(the enforcing authority registered for the addressee's Member State)"
            )
        return str(enforcing)
    if sender in (order["provider"]["id"], enforcing):
        return str(authority)
    raise ClientError(f"organisation {sender} is not a side of order {order['id']}")


def certificate_message_id(order: Mapping[str, Any]) -> str:
    """The id of the order's signed certificate, which most messages reply to."""
    for message in order.get("messages") or []:
        if message["type"] in CERTIFICATE_TYPES:
            return str(message["id"])
    raise ClientError(f"order {order['id']} has no signed certificate yet: it is still a draft")


def message_for_order(
    order: Mapping[str, Any],
    signer: Signer,
    *,
    sender: str,
    message_type: str,
    body: Mapping[str, Any],
    recipient: str | None = None,
    in_reply_to: str | None = None,
    message_id: str | None = None,
    clock: Clock = _now,
) -> str:
    """A lifecycle message about `order` from `sender` (your organisation), signed.

    The recipient follows the broker's rules and `in_reply_to` defaults to the certificate; give
    them to override (a `clarification-answer` replies to its `clarification-request`).
    """
    if message_type in CERTIFICATE_TYPES:
        raise ClientError(f"a {message_type} issues a draft: use sign_certificate, not a lifecycle message")
    return seal_message(
        signer,
        message_type=message_type,
        body=body,
        sender=sender,
        recipient=recipient or recipient_for(order, sender, message_type),
        in_reply_to=in_reply_to or certificate_message_id(order),
        message_id=message_id,
        clock=clock,
    )
