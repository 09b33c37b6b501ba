"""Offline verification: every check a receiver makes, each failing on exactly its own fault.

A provider's message is built and signed here with a fresh key; each case changes one thing (the
trust list, the envelope, the signature, the key's validity) and must be refused with its reason.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from broker import crypto
from broker.client import KeySigner
from broker.client import TrustedKey
from broker.client import TrustList
from broker.client import VerificationError
from broker.client import seal_message
from broker.client import verify_message
from broker.crypto.jws import _sign_with_header

PROVIDER = "d672d192-52c7-4ba6-be8b-81bff7f50604"
AUTHORITY = "6af218b1-1abb-40b9-8706-69f3f9c7aa0b"
EPOC = "4a1106cd-4d67-400c-a190-d7b07dc79953"
SIGNED_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RESPONSE = {"outcome": "produced", "data_preserved": True}


@dataclass
class Case:
    signer: KeySigner
    other: KeySigner

    def message(
        self, message_type: str = "response", body: dict[str, Any] | None = None, **changes: Any
    ) -> str:
        return seal_message(
            self.signer,
            message_type=message_type,
            body=RESPONSE if body is None else body,
            sender=changes.pop("sender", PROVIDER),
            recipient=AUTHORITY,
            in_reply_to=EPOC,
            clock=lambda: SIGNED_AT,
            **changes,
        )

    def key(self, **changes: Any) -> TrustedKey:
        listed = {"kid": self.signer.kid, "jwk": self.signer.public_jwk, "organisation": PROVIDER}
        return TrustedKey(**(listed | {"valid_from": "2026-01-01T00:00:00Z"} | changes))

    def trust(self, **changes: Any) -> TrustList:
        return TrustList([self.key(**changes)])


@pytest.fixture
def case() -> Case:
    return Case(
        KeySigner(crypto.generate_private_key("EdDSA")), KeySigner(crypto.generate_private_key("ES256"))
    )


def test_a_good_message_verifies_and_says_what_it_is(case):
    verified = verify_message(case.message(), case.trust(), sender=PROVIDER, message_type="response")

    assert (verified.type, verified.sender, verified.body) == ("response", PROVIDER, RESPONSE)
    assert verified.summary() == f"response {verified.id} signed by {PROVIDER} with {case.signer.kid}"
    assert verified.as_json()["envelope"]["in_reply_to"] == EPOC


def test_a_key_revoked_after_signing_still_verifies_but_says_so(case):
    verified = verify_message(case.message(), case.trust(revoked_at="2026-12-01T00:00:00Z"))

    assert verified.summary().endswith("(key revoked since 2026-12-01T00:00:00Z)")


def _flip_last_signature_character(jws: str) -> str:
    return jws[:-2] + ("A" if jws[-2] != "A" else "B") + jws[-1]


def _pretty_payload(case: Case) -> str:
    """The same envelope, validly signed, but pretty-printed instead of RFC 8785 canonical."""
    payload = crypto.jws_payload_unverified(case.message())
    pretty = json.dumps(json.loads(payload), indent=2).encode()
    return _sign_with_header(pretty, case.signer, {"alg": "EdDSA", "kid": case.signer.kid})


REFUSALS: list[Any] = [
    pytest.param(
        lambda c: (c.message(), TrustList()), "not in the trust list", id="key not in the trust list"
    ),
    pytest.param(
        lambda c: (c.message(), TrustList([TrustedKey(c.signer.kid, c.other.public_jwk, PROVIDER)])),
        "is a different key",
        id="kid listed with another key",
    ),
    pytest.param(
        lambda c: (c.message(), c.trust(organisation=AUTHORITY)),
        f"belongs to {AUTHORITY}",
        id="key of another organisation",
    ),
    pytest.param(
        lambda c: (_flip_last_signature_character(c.message()), c.trust()),
        "signature does not verify",
        id="tampered signature",
    ),
    pytest.param(lambda c: (_pretty_payload(c), c.trust()), "RFC 8785", id="payload not canonical"),
    pytest.param(lambda c: ("not.a.jws", c.trust()), "not a signed message", id="not a JWS"),
    pytest.param(
        lambda c: (c.message(), c.trust(valid_from="2026-11-25T00:00:00Z")),
        "before key",
        id="signed before the key was valid",
    ),
    pytest.param(
        lambda c: (c.message(), c.trust(valid_until="2026-11-24T12:00:00Z")),
        "had expired",
        id="signed when the key had expired",
    ),
    pytest.param(
        lambda c: (c.message(), c.trust(revoked_at="2026-11-01T00:00:00Z")),
        "was revoked",
        id="signed after revocation",
    ),
    pytest.param(
        lambda c: (c.message(body={"outcome": "not_executed", "data_preserved": False}), c.trust()),
        "does not satisfy the response schema",
        id="body breaks its schema",
    ),
    pytest.param(
        lambda c: (c.message(message_type="response", body={**RESPONSE, "surprise": 1}), c.trust()),
        "surprise",
        id="unknown body member",
    ),
]


@pytest.mark.parametrize(("build", "reason"), REFUSALS)
def test_each_fault_is_refused_with_its_reason(case, build: Callable[[Case], tuple[str, TrustList]], reason):
    message, trusted = build(case)

    with pytest.raises(VerificationError, match=reason):
        verify_message(message, trusted)


@pytest.mark.parametrize(
    ("expected", "reason"),
    [({"sender": AUTHORITY}, "not by"), ({"message_type": "acknowledgement"}, "not a acknowledgement")],
    ids=["another sender expected", "another type expected"],
)
def test_what_the_caller_expects_is_checked_too(case, expected, reason):
    with pytest.raises(VerificationError, match=reason):
        verify_message(case.message(), case.trust(), **expected)


def test_an_es256_message_verifies_too(case):
    es256 = Case(case.other, case.signer)

    assert verify_message(es256.message(), es256.trust()).key.kid == case.other.kid


def test_a_trust_list_reads_both_the_exported_jwks_and_the_api_key_set(case):
    jwk = case.signer.public_jwk
    exported = {
        "keys": [
            {**jwk, "kid": case.signer.kid, "alg": "EdDSA", "use": "sig", "organisation": PROVIDER,
             "organisation_name": "Example Mail", "valid_from": "2026-01-01T00:00:00Z", "valid_until": None,
             "revoked_at": None}
        ]
    }  # fmt: skip
    api = {
        "organisation": PROVIDER,
        "keys": [{"kid": case.signer.kid, "alg": "EdDSA", "jwk": jwk, "valid_from": "2026-01-01T00:00:00Z"}],
    }

    for document in (exported, api):
        (key,) = TrustList.from_document(document)
        assert (key.kid, key.organisation, key.valid_from) == (
            case.signer.kid,
            PROVIDER,
            "2026-01-01T00:00:00Z",
        )
        assert crypto.jwk_thumbprint(key.jwk) == case.signer.kid
        assert verify_message(case.message(), TrustList([key])).sender == PROVIDER


@pytest.mark.parametrize(
    "document",
    [[], {"keys": {}}, {"keys": [{"kty": "OKP"}]}, {"keys": [{"kid": "k", "jwk": "x"}]}],
    ids=["a list", "keys not a list", "a key without kid", "a JWK that is not an object"],
)
def test_a_document_that_is_no_key_set_is_refused(document):
    with pytest.raises(ValueError):
        TrustList.from_document(document)


def test_the_shipped_example_trust_list_loads():
    example = Path(__file__).resolve().parents[2] / "keys" / "trust-list.example.jwks.json"
    trusted = TrustList.load(example)
    assert len(trusted) >= 3
    assert all(crypto.jwk_thumbprint(key.jwk) == key.kid for key in trusted)
