"""The signed envelope around every wire message: JWS (compact) over RFC 8785 canonical JSON.

Pure functions, no Flask, no database: a provider's own systems can seal and open envelopes with
this module and `broker.crypto` alone.

    payload = canonicalize({"type", "version", "id", "issued_at", "sender": {"organisation", "kid"},
                            "recipient": {"organisation"}, "in_reply_to", "body"})
    message = sign_jws(payload, private_key, kid)  # or a broker.crypto.Signer instead of the key
"""

import re
import uuid
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from broker import crypto
from broker.clock import to_rfc3339
from broker.crypto import jsonlimits
from broker.wire.certificates import certificate_version
from broker.wire.envelope_schema import KID_PATTERN
from broker.wire.envelope_schema import EnvelopeSchema
from broker.wire.registry import shared

ENVELOPE_VERSION = 1
CERTIFICATE_TYPES = ("epoc", "epoc-pr")
_KID = re.compile(KID_PATTERN)


class MalformedEnvelope(ValueError):
    """The message is not a JWS carrying a canonical, well-formed envelope."""

    def __init__(self, detail: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}


class UnacceptableText(MalformedEnvelope):
    """The envelope's strings hold NUL or a lone surrogate; `fields` maps each JSON Pointer to why."""

    def __init__(self, refused: jsonlimits.TextRefused) -> None:
        super().__init__(f"the envelope holds text that cannot be accepted: {refused}")
        self.fields = refused.fields


def new_envelope(
    *,
    message_type: str,
    body: dict[str, Any],
    sender: str,
    kid: str,
    recipient: str,
    issued_at: datetime,
    in_reply_to: str | None = None,
    version: int | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """Build an envelope; the caller seals it with its own key.

    `version` defaults to the lowest body schema version that can carry the body (body_version).
    """
    return {
        "type": message_type,
        "version": body_version(message_type, body) if version is None else version,
        "id": message_id or str(uuid.uuid4()),
        "issued_at": to_rfc3339(issued_at),
        "sender": {"organisation": sender, "kid": kid},
        "recipient": {"organisation": recipient},
        "in_reply_to": in_reply_to,
        "body": body,
    }


def body_version(message_type: str, body: dict[str, Any]) -> int:
    """Version 1, except a certificate only version 2 can say: one addressed to another establishment
    by the exception of Regulation (EU) 2023/1543 Art. 7(2)."""
    if message_type in CERTIFICATE_TYPES:
        return certificate_version(body)
    return ENVELOPE_VERSION


def seal(envelope: dict[str, Any], private_key: Any, kid: str | None = None) -> str:
    """Sign the canonical JSON of an envelope; the result is the message as it travels.

    `private_key` is a private key object or a `broker.crypto.Signer` (a key file, an HSM, KMS), so
    the authority's key need not sit in a file; the name stays for today's callers. `kid` defaults to
    the envelope's `sender.kid`, which the JWS header must repeat.
    """
    header_kid = kid if kid is not None else str(envelope["sender"]["kid"])
    return crypto.sign_jws(crypto.canonicalize(envelope), private_key, header_kid)


def signing_kid(message: str) -> str:
    """The kid in the protected header: which key to verify with, read without reading the payload.

    A receiver looks the key up by it, verifies, and only then parses the payload (`open_sealed`), so
    nothing an unverified sender wrote is parsed beyond the header. The kid must look like an RFC
    7638 thumbprint, so no other text reaches a key lookup.
    """
    try:
        kid = crypto.jws_header(message).get("kid")
    except crypto.InvalidSignature as error:
        raise MalformedEnvelope(f"not a JWS compact serialization: {error}") from error
    if not isinstance(kid, str) or not _KID.match(kid):
        raise MalformedEnvelope(
            "the JWS header's kid is not an RFC 7638 thumbprint (43 base64url characters)"
        )
    return kid


def read_unverified(message: str) -> dict[str, Any]:
    """The envelope inside a message, checked for shape but NOT for its signature.

    For a party's own tools, which need the claimed sender to find its keys; the payload is read
    within the JSON limits. A receiver that holds the keys uses `signing_kid` and `open_sealed`
    instead, and parses nothing unverified.
    """
    try:
        payload = crypto.jws_payload_unverified(message)
    except crypto.InvalidSignature as error:
        raise MalformedEnvelope(f"not a JWS compact serialization: {error}") from error
    envelope = _parse_envelope(payload)
    _check_kid(message, envelope)
    return envelope


def open_sealed(message: str, jwk: dict[str, Any]) -> dict[str, Any]:
    """Verify the signature with the sender's public JWK, then parse and return the envelope.

    Raises `broker.crypto.InvalidSignature` if the signature does not verify, `UnacceptableText` if
    the envelope's strings hold NUL or a lone surrogate, and `MalformedEnvelope` if the signed
    payload is not a canonical, well-formed envelope within the JSON limits or its sender kid is not
    the header's.
    """
    envelope = _parse_envelope(crypto.verify_jws(message, jwk))
    _check_kid(message, envelope)
    return envelope


def _check_kid(message: str, envelope: dict[str, Any]) -> None:
    try:
        kid = crypto.jws_header(message).get("kid")
    except crypto.InvalidSignature as error:
        raise MalformedEnvelope(f"not a JWS compact serialization: {error}") from error
    if kid != envelope["sender"]["kid"]:
        raise MalformedEnvelope("the JWS header's kid differs from the envelope's sender kid")


def _parse_envelope(payload: bytes) -> dict[str, Any]:
    try:
        envelope = jsonlimits.loads(payload)
    except jsonlimits.TextRefused as refused:
        raise UnacceptableText(refused) from refused
    except jsonlimits.JSONRefused as error:
        raise MalformedEnvelope(f"the JWS payload is not JSON within limits: {error}") from error
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
