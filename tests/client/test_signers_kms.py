"""The AWS KMS signer, against moto's in-process KMS and, where moto falls short, botocore's Stubber.

moto (5.2) implements Sign for ECC_NIST_P256 keys with a real P-256 key: it returns a DER ECDSA
signature over SHA-256 of the message, which is what KMS does for MessageType RAW. It does not
implement MessageType DIGEST (it hashes the digest again) and knows no ECC_NIST_EDWARDS25519 keys.
Those two paths are tested with botocore's Stubber: the request must be exactly the one AWS
documents, and the answer is a signature made by a real key, which the JWS must verify with.
"""

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

import boto3
import moto
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from broker import crypto
from broker.crypto._b64 import b64url_encode
from broker.crypto.canonical import canonicalize
from broker.crypto.signers import KMS_RAW_LIMIT
from broker.crypto.signers import KmsSigner
from broker.crypto.signers import SignerError
from broker.crypto.signers import signer_from_reference

REGION = "eu-west-1"
PAYLOAD = b'{"type":"epoc"}'


@pytest.fixture
def kms(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's KMS for this test, with fake credentials that boto3's usual chain picks up."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        yield boto3.client("kms", region_name=REGION)


def _public_jwk(client: Any, key_id: str) -> dict[str, str]:
    """The key's public half as KMS gives it, read apart from the signer under test."""
    der = client.get_public_key(KeyId=key_id)["PublicKey"]
    return crypto.public_jwk(serialization.load_der_public_key(der))  # type: ignore[arg-type]


@pytest.fixture
def p256_key(kms: Any) -> dict[str, Any]:
    metadata = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    kms.create_alias(AliasName="alias/parquet-signing", TargetKeyId=metadata["KeyId"])
    return dict(metadata)


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(lambda key: f"awskms:{key['Arn']}", id="ARN (region from the ARN)"),
        pytest.param(lambda key: f"awskms:{key['KeyId']}?region={REGION}", id="key id and region"),
        pytest.param(lambda key: f"awskms:alias/parquet-signing?region={REGION}", id="alias"),
    ],
)
def test_a_p256_kms_key_signs_an_es256_jws_that_its_public_key_verifies(kms, p256_key, spell):
    signer = signer_from_reference(spell(p256_key))

    jws = crypto.sign_jws(PAYLOAD, signer)

    jwk = _public_jwk(kms, p256_key["KeyId"])
    assert (signer.alg, signer.kid) == ("ES256", crypto.jwk_thumbprint(jwk))
    assert crypto.verify_jws(jws, jwk) == PAYLOAD
    assert len(crypto.jws_header(jws)) == 2


def test_every_kms_signature_is_fresh_but_verifies(kms, p256_key):
    """ECDSA is randomised: two tokens differ, both verify (so the DER was really converted each time)."""
    signer = signer_from_reference(f"awskms:{p256_key['Arn']}")
    first, second = crypto.sign_jws(PAYLOAD, signer), crypto.sign_jws(PAYLOAD, signer)
    assert first != second
    assert crypto.verify_jws(first, signer.public_jwk) == crypto.verify_jws(second, signer.public_jwk)


@pytest.mark.parametrize(
    ("create", "reason"),
    [
        ({"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT"}, "not a signing key"),
        ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, "need ECC_NIST_P256 or ECC_NIST_EDWARDS25519"),
        (
            {"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"},
            "need ECC_NIST_P256 or ECC_NIST_EDWARDS25519",
        ),
    ],
    ids=["an encryption key", "an RSA key", "a P-384 key"],
)
def test_a_kms_key_that_cannot_sign_a_jws_is_refused(kms, create, reason):
    key = kms.create_key(**create)["KeyMetadata"]

    with pytest.raises(SignerError, match=reason):
        signer_from_reference(f"awskms:{key['Arn']}")


def test_an_unknown_kms_key_is_one_clear_error(kms):
    with pytest.raises(SignerError, match="NotFoundException"):
        signer_from_reference(f"awskms:alias/nobody?region={REGION}")


def _stubbed(public: Any) -> tuple[Any, Stubber]:
    client = boto3.client("kms", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    spec, algorithm = (
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512")
        if isinstance(public, ed25519.Ed25519PublicKey)
        else ("ECC_NIST_P256", "ECDSA_SHA_256")
    )
    stubber.add_response(
        "get_public_key",
        {
            "KeyId": "k",
            "PublicKey": der,
            "KeySpec": spec,
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": [algorithm],
        },
        {"KeyId": "k"},
    )
    return client, stubber


def _signing_input(payload: bytes, alg: str, kid: str) -> bytes:
    return f"{b64url_encode(canonicalize({'alg': alg, 'kid': kid}))}.{b64url_encode(payload)}".encode()


def test_a_long_es256_input_is_sent_as_its_digest():
    """Past 4096 bytes KMS takes only a digest: exactly SHA-256 of the signing input, MessageType DIGEST."""
    key = ec.generate_private_key(ec.SECP256R1())
    client, stubber = _stubbed(key.public_key())
    payload = json.dumps({"body": "x" * KMS_RAW_LIMIT}).encode()
    kid = crypto.jwk_thumbprint(crypto.public_jwk(key))
    digest = hashlib.sha256(_signing_input(payload, "ES256", kid)).digest()
    signature = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    stubber.add_response(
        "sign",
        {"KeyId": "k", "Signature": signature, "SigningAlgorithm": "ECDSA_SHA_256"},
        {"KeyId": "k", "Message": digest, "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"},
    )

    with stubber:
        jws = crypto.sign_jws(payload, KmsSigner("awskms:k", client=client))

    assert crypto.verify_jws(jws, crypto.public_jwk(key)) == payload
    stubber.assert_no_pending_responses()


def test_an_ed25519_kms_key_signs_pure_eddsa_over_the_raw_input():
    key = ed25519.Ed25519PrivateKey.generate()
    client, stubber = _stubbed(key.public_key())
    kid = crypto.jwk_thumbprint(crypto.public_jwk(key))
    data = _signing_input(PAYLOAD, "EdDSA", kid)
    stubber.add_response(
        "sign",
        {"KeyId": "k", "Signature": key.sign(data), "SigningAlgorithm": "ED25519_SHA_512"},
        {"KeyId": "k", "Message": data, "MessageType": "RAW", "SigningAlgorithm": "ED25519_SHA_512"},
    )

    with stubber:
        signer = KmsSigner("awskms:k", client=client)
        jws = crypto.sign_jws(PAYLOAD, signer)

    assert jws == crypto.sign_jws(PAYLOAD, key, kid), (
        "Ed25519 is deterministic: the same token as the key file"
    )
    assert signer.alg == "EdDSA"


def test_an_ed25519_kms_key_refuses_an_input_kms_cannot_take():
    key = ed25519.Ed25519PrivateKey.generate()
    client, stubber = _stubbed(key.public_key())

    with stubber, pytest.raises(SignerError, match=f"at most {KMS_RAW_LIMIT} bytes"):
        crypto.sign_jws(b"x" * KMS_RAW_LIMIT, KmsSigner("awskms:k", client=client))


def test_a_response_signed_through_kms_is_accepted_by_the_broker(
    kms, p256_key, url, network, exchange, cli, database, clock
):
    """The provider's key lives in KMS; the broker verifies its ES256 response like any other."""
    provider = network["provider"]
    signer = signer_from_reference(f"awskms:{p256_key['Arn']}")
    registered = cli(
        "key", "register", "--org", provider.organisation_id, "--jwk", "-",
        input=json.dumps(signer.public_jwk), env={"BROKER_DATABASE_URL": database.url},
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    clock.now = datetime.now(UTC)
    order = exchange.receive(exchange.issue(exchange.draft()))

    signed = cli(
        "message", "sign", "-", "--type", "response", "--order", order["id"], "--signer", f"awskms:{p256_key['Arn']}",
        "--url", url, "--token", provider.token, input='{"outcome": "produced", "data_preserved": true}',
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    sent = cli(
        "message", "send", order["id"], "-", "--url", url, "--token", provider.token, input=signed.stdout
    )

    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["state"] == "produced"
    header = json.loads(base64.urlsafe_b64decode(signed.stdout.split(".")[0] + "=="))
    assert header == {"alg": "ES256", "kid": signer.kid}
