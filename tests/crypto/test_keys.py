"""Key generation and PEM files: only Ed25519 and P-256 private keys get in or out."""

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import rsa

from broker.crypto import InvalidKey
from broker.crypto import generate_private_key
from broker.crypto import load_private_key
from broker.crypto import private_key_pem
from broker.crypto import public_jwk
from broker.crypto import sign_jws
from broker.crypto import verify_jws


def _pkcs8(
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    encryption: serialization.KeySerializationEncryption | None = None,
) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        encryption or serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("alg", "kind"), [("EdDSA", ed25519.Ed25519PrivateKey), ("ES256", ec.EllipticCurvePrivateKey)]
)
def test_generate_and_pem_round_trip(alg: str, kind: type) -> None:
    key = generate_private_key(alg)
    assert isinstance(key, kind)
    pem = private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = load_private_key(pem)
    assert public_jwk(loaded) == public_jwk(key)
    assert verify_jws(sign_jws(b"x", loaded, "k"), public_jwk(key)) == b"x"


def test_default_alg_is_eddsa() -> None:
    assert isinstance(generate_private_key(), ed25519.Ed25519PrivateKey)


def test_generate_refuses_unknown_alg() -> None:
    with pytest.raises(InvalidKey, match="'RS256'"):
        generate_private_key("RS256")


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        pytest.param(lambda: _pkcs8(rsa.generate_private_key(65537, 2048)), "RSAPrivateKey", id="rsa"),
        pytest.param(lambda: _pkcs8(ec.generate_private_key(ec.SECP384R1())), "need Ed25519", id="p384"),
        pytest.param(
            lambda: _pkcs8(generate_private_key(), serialization.BestAvailableEncryption(b"pw")),
            "not an unencrypted PEM private key",
            id="encrypted",
        ),
        pytest.param(
            lambda: (
                generate_private_key()
                .public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            ),
            "not an unencrypted PEM private key",
            id="public-key",
        ),
        pytest.param(lambda: b"not a pem", "not an unencrypted PEM private key", id="garbage"),
    ],
)
def test_load_refuses(pem: Callable[[], bytes], message: str) -> None:
    with pytest.raises(InvalidKey, match=message):
        load_private_key(pem())


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(generate_private_key().public_key(), id="public-key"),
        pytest.param(ec.generate_private_key(ec.SECP384R1()), id="p384"),
    ],
)
def test_private_key_pem_refuses(key: object) -> None:
    with pytest.raises(InvalidKey):
        private_key_pem(key)  # type: ignore[arg-type]
