"""Signing messages about an order: the envelope follows the broker's recipient and reply rules."""

import json
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from broker import crypto
from broker.client import ClientError
from broker.client import KeySigner
from broker.client import certificate_message_id
from broker.client import message_for_order
from broker.client import recipient_for
from broker.client import seal_message
from broker.client import sign_certificate
from broker.wire import envelope

AUTHORITY = "6af218b1-1abb-40b9-8706-69f3f9c7aa0b"
PROVIDER = "d672d192-52c7-4ba6-be8b-81bff7f50604"
COURT = "59978650-8f0c-44a3-ab2b-25b298a5aa6c"
STRANGER = "97212460-fed9-49ff-9865-2ea30f7b7366"
EPOC = "4a1106cd-4d67-400c-a190-d7b07dc79953"


def _order(enforcing: str | None = COURT, state: str = "received") -> dict[str, Any]:
    return {
        "id": "order-1",
        "order_type": "epoc",
        "state": state,
        "issuing_authority": {"id": AUTHORITY},
        "provider": {"id": PROVIDER},
        "enforcing_authority": {"id": enforcing} if enforcing else None,
        "certificate": {"language": "en"},
        "messages": [{"id": EPOC, "type": "epoc"}] if state != "draft" else [],
    }


@pytest.fixture
def signer() -> KeySigner:
    return KeySigner(crypto.generate_private_key("EdDSA"))


@pytest.mark.parametrize(
    ("sender", "message_type", "recipient"),
    [
        (AUTHORITY, "clarification-answer", PROVIDER),
        (AUTHORITY, "withdrawal", PROVIDER),
        (AUTHORITY, "enforcement-request", COURT),
        (PROVIDER, "acknowledgement", AUTHORITY),
        (PROVIDER, "response", AUTHORITY),
        (COURT, "enforcing-review", AUTHORITY),
    ],
)
def test_the_recipient_follows_the_rules(sender, message_type, recipient):
    assert recipient_for(_order(), sender, message_type) == recipient


@pytest.mark.parametrize(
    ("order", "sender", "message_type", "reason"),
    [
        (_order(enforcing=None), AUTHORITY, "enforcement-request", "no enforcing authority yet"),
        (_order(), STRANGER, "acknowledgement", "not a side"),
    ],
    ids=["enforcement request before any enforcing authority", "not a side of the order"],
)
def test_a_recipient_that_cannot_be_known_is_refused(order, sender, message_type, reason):
    with pytest.raises(ClientError, match=reason):
        recipient_for(order, sender, message_type)


def test_a_message_for_an_order_replies_to_its_certificate_by_default(signer):
    jws = message_for_order(
        _order(),
        signer,
        sender=PROVIDER,
        message_type="acknowledgement",
        body={"addressee_file_number": "EM-1"},
    )

    sealed = envelope.open_sealed(jws, signer.public_jwk)
    assert sealed["recipient"] == {"organisation": AUTHORITY}
    assert sealed["in_reply_to"] == EPOC
    assert sealed["sender"] == {"organisation": PROVIDER, "kid": signer.kid}
    assert sealed["body"] == {"addressee_file_number": "EM-1"}


def test_explicit_recipient_and_reply_win(signer):
    jws = message_for_order(
        _order(), signer, sender=AUTHORITY, message_type="clarification-answer", body={"explanation": "x"},
        recipient=STRANGER, in_reply_to="9a7d2c4e-1b3f-4e5a-8c6d-0f1e2a3b4c5d",
    )  # fmt: skip

    sealed = envelope.read_unverified(jws)
    assert (sealed["recipient"]["organisation"], sealed["in_reply_to"]) == (
        STRANGER,
        "9a7d2c4e-1b3f-4e5a-8c6d-0f1e2a3b4c5d",
    )


def test_a_certificate_is_not_a_lifecycle_message(signer):
    with pytest.raises(ClientError, match="sign_certificate"):
        message_for_order(_order(), signer, sender=AUTHORITY, message_type="epoc", body={})


def test_the_certificate_of_a_draft_is_signed_unchanged_to_the_provider(signer):
    jws = sign_certificate(_order(state="draft"), signer)

    sealed = envelope.open_sealed(jws, signer.public_jwk)
    assert (sealed["type"], sealed["in_reply_to"]) == ("epoc", None)
    assert sealed["body"] == {"language": "en"}
    assert sealed["recipient"] == {"organisation": PROVIDER}


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda s: sign_certificate(_order(state="issued"), s), "not a draft"),
        (lambda s: certificate_message_id(_order(state="draft")), "still a draft"),
    ],
    ids=["signing an issued order's certificate", "replying to a draft"],
)
def test_steps_out_of_order_are_refused_before_anything_is_sent(signer, call, reason):
    with pytest.raises(ClientError, match=reason):
        call(signer)


def test_sealing_with_a_signer_equals_sealing_with_the_key_for_ed25519():
    """Byte for byte: the Signer path changes nothing for a deterministic algorithm."""
    key = crypto.generate_private_key("EdDSA")
    signer = KeySigner(key)
    sealed = envelope.new_envelope(
        message_type="acknowledgement", body={}, sender=PROVIDER, kid=signer.kid, recipient=AUTHORITY,
        issued_at=datetime(2026, 11, 24, tzinfo=UTC), in_reply_to=EPOC, message_id=EPOC,
    )  # fmt: skip

    assert envelope.seal(sealed, signer) == envelope.seal(sealed, key, signer.kid)
    assert seal_message(
        signer, message_type="acknowledgement", body={}, sender=PROVIDER, recipient=AUTHORITY,
        in_reply_to=EPOC, message_id=EPOC, clock=lambda: datetime(2026, 11, 24, tzinfo=UTC),
    ) == envelope.seal(sealed, key, signer.kid)  # fmt: skip
    assert json.loads(crypto.verify_jws(envelope.seal(sealed, signer), signer.public_jwk)) == sealed
