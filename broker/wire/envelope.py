"""The signed envelope around every wire message: JWS (compact) over RFC 8785 canonical JSON.

Pure functions, no Flask, no database: a provider's own systems can seal and open envelopes with
this module and `broker.crypto` alone.

    payload = canonicalize({"type", "version", "id", "issued_at", "sender": {"organisation", "kid"},
                            "recipient": {"organisation"}, "in_reply_to", "body"})
    message = sign_jws(payload, private_key, kid)  # or a broker.crypto.Signer instead of the key
"""

import json
import uuid
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from broker import crypto
from broker.clock import to_rfc3339
from broker.wire.envelope_schema import EnvelopeSchema
from broker.wire.registry import shared

ENVELOPE_VERSION = 1


class MalformedEnvelope(ValueError):
    """The message is not a JWS carrying a canonical, well-formed envelope."""

    def __init__(self, detail: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}


def new_envelope(
    *,
    message_type: str,
    body: dict[str, Any],
    sender: str,
    kid: str,
    recipient: str,
    issued_at: datetime,
    in_reply_to: str | None = None,
    version: int = ENVELOPE_VERSION,
    message_id: str | None = None,
) -> dict[str, Any]:
    """Build an envelope; the caller seals it with its own key."""
    return {
        "type": message_type,
        "version": version,
        "id": message_id or str(uuid.uuid4()),
        "issued_at": to_rfc3339(issued_at),
        "sender": {"organisation": sender, "kid": kid},
        "recipient": {"organisation": recipient},
        "in_reply_to": in_reply_to,
        "body": body,
    }


def seal(envelope: dict[str, Any], private_key: Any, kid: str | None = None) -> str:
    """Sign the canonical JSON of an envelope; the result is the message as it travels.

    `private_key` is a private key object or a `broker.crypto.Signer` (a key file, an HSM, KMS), so
    the authority's key need not sit in a file; the name stays for today's callers. `kid` defaults to
    the envelope's `sender.kid`, which the JWS header must repeat.
    """
    header_kid = kid if kid is not None else str(envelope["sender"]["kid"])
    return crypto.sign_jws(crypto.canonicalize(envelope), private_key, header_kid)


def read_unverified(message: str) -> dict[str, Any]:
    """The envelope inside a message, checked for shape but NOT for its signature.

    Use it only to find the sender and key to verify with, then call `open_sealed`.
    """
    try:
        header = crypto.jws_header(message)
        payload = crypto.jws_payload_unverified(message)
    except crypto.InvalidSignature as error:
        raise MalformedEnvelope(f"not a JWS compact serialization: {error}") from error
    envelope = _parse_envelope(payload)
    if header.get("kid") != envelope["sender"]["kid"]:
        raise MalformedEnvelope("the JWS header's kid differs from the envelope's sender kid")
    return envelope


def open_sealed(message: str, jwk: dict[str, Any]) -> dict[str, Any]:
    """Verify the signature with the sender's public JWK and return the envelope.

    Raises `broker.crypto.InvalidSignature` if the signature does not verify and `MalformedEnvelope`
    if the signed payload is not a canonical, well-formed envelope.
    """
    return _parse_envelope(crypto.verify_jws(message, jwk))


def _parse_envelope(payload: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEnvelope("the JWS payload is not JSON") from error
    if not isinstance(envelope, dict):
        raise MalformedEnvelope("the JWS payload is not a JSON object")
    # One document, one byte sequence: anything but RFC 8785 form could hide a second reading.
    try:
        canonical = crypto.canonicalize(envelope)
    except crypto.CanonicalizationError as error:
        raise MalformedEnvelope(f"the JWS payload cannot be canonicalized: {error}") from error
    if canonical != payload:
        raise MalformedEnvelope("the JWS payload is not in RFC 8785 canonical form")
    try:
        shared(EnvelopeSchema).load(envelope)
    except ValidationError as error:
        messages = error.messages
        errors = messages if isinstance(messages, dict) else {"_schema": messages}
        raise MalformedEnvelope("the envelope does not satisfy its schema", errors=errors) from error
    return envelope
