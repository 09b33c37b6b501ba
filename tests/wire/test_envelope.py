"""The signed envelope: sealed by the sender, opened by anyone holding the sender's public key."""

import uuid
from datetime import UTC
from datetime import datetime

import pytest

from broker import crypto
from broker.crypto.jws import _sign_with_header
from broker.wire import envelope

ISSUED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SENDER = str(uuid.UUID(int=1))
RECIPIENT = str(uuid.UUID(int=2))


@pytest.fixture
def key():
    private_key = crypto.generate_private_key("EdDSA")
    return private_key, crypto.public_jwk(private_key), crypto.jwk_thumbprint(crypto.public_jwk(private_key))


def response_envelope(kid: str, **changes):
    document = envelope.new_envelope(
        message_type="response",
        body={"outcome": "produced", "data_preserved": True},
        sender=SENDER,
        kid=kid,
        recipient=RECIPIENT,
        issued_at=ISSUED,
        in_reply_to=str(uuid.UUID(int=3)),
        message_id=str(uuid.UUID(int=4)),
    )
    document.update(changes)
    return document


def test_sealed_envelope_opens_with_the_senders_key(key):
    private_key, jwk, kid = key
    sealed = envelope.seal(response_envelope(kid), private_key, kid)
    opened = envelope.open_sealed(sealed, jwk)
    assert opened == response_envelope(kid)
    assert opened["issued_at"] == "2026-11-24T09:30:00Z"
    assert envelope.read_unverified(sealed) == opened


def test_payload_is_the_canonical_json_of_the_envelope(key):
    private_key, _, kid = key
    sealed = envelope.seal(response_envelope(kid), private_key, kid)
    assert crypto.jws_payload_unverified(sealed) == crypto.canonicalize(response_envelope(kid))
    assert crypto.jws_header(sealed) == {"alg": "EdDSA", "kid": kid}


def test_another_key_does_not_open_it(key):
    private_key, _, kid = key
    other = crypto.public_jwk(crypto.generate_private_key("EdDSA"))
    with pytest.raises(crypto.InvalidSignature):
        envelope.open_sealed(envelope.seal(response_envelope(kid), private_key, kid), other)


def test_a_validly_signed_but_non_canonical_payload_is_refused(key):
    """Two byte sequences for one document would let a signer show different readers different things."""
    private_key, jwk, kid = key
    pretty = crypto.canonicalize(response_envelope(kid)).replace(b",", b", ")
    token = _sign_with_header(pretty, private_key, {"alg": "EdDSA", "kid": kid})
    with pytest.raises(envelope.MalformedEnvelope, match="canonical"):
        envelope.open_sealed(token, jwk)
    with pytest.raises(envelope.MalformedEnvelope, match="canonical"):
        envelope.read_unverified(token)


def test_header_kid_must_match_the_envelope_sender(key):
    private_key, _, kid = key
    token = envelope.seal(response_envelope(kid), private_key, "A" * 43)
    with pytest.raises(envelope.MalformedEnvelope, match="kid"):
        envelope.read_unverified(token)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra": 1}, "extra"),
        ({"type": "letter"}, "type"),
        ({"id": "not-a-uuid"}, "id"),
        ({"issued_at": "2026-11-24T10:30:00+01:00"}, "issued_at"),
        ({"version": 0}, "version"),
    ],
    ids=["unknown member", "unknown type", "bad id", "offset instead of Z", "version 0"],
)
def test_malformed_envelopes_name_the_field(key, change, field):
    private_key, jwk, kid = key
    token = envelope.seal(response_envelope(kid, **change), private_key, kid)
    with pytest.raises(envelope.MalformedEnvelope) as raised:
        envelope.open_sealed(token, jwk)
    assert field in raised.value.errors


@pytest.mark.parametrize("payload", [b"not json", b"[1,2]", b'"text"'], ids=["not JSON", "array", "string"])
def test_payloads_that_are_not_objects_are_refused(key, payload):
    private_key, jwk, kid = key
    token = _sign_with_header(payload, private_key, {"alg": "EdDSA", "kid": kid})
    with pytest.raises(envelope.MalformedEnvelope):
        envelope.open_sealed(token, jwk)
