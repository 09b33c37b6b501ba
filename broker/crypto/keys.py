"""The two signing key types this library accepts (Ed25519, ECDSA P-256) and their PEM files."""

from typing import TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker.crypto.errors import InvalidKey

EDDSA = "EdDSA"
ES256 = "ES256"

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def _unsupported(key: object) -> InvalidKey:
    return InvalidKey(f"unsupported key {type(key).__name__}: need Ed25519 or ECDSA P-256")


def _is_p256(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bool:
    return isinstance(key.curve, ec.SECP256R1)


def require_private_key(key: object) -> PrivateKey:
    """`key` itself if it is an Ed25519 or P-256 private key; InvalidKey otherwise."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and _is_p256(key):
        return key
    raise _unsupported(key)


def public_key_of(key: object) -> PublicKey:
    """The public half of a supported private key, or a supported public key itself."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        key = key.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and _is_p256(key):
        return key
    raise _unsupported(key)


def signing_alg(key: PrivateKey | PublicKey) -> str:
    """The JWS alg of an already checked key: the curve alone decides it."""
    return EDDSA if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) else ES256


def generate_private_key(alg: str = EDDSA) -> PrivateKey:
    """A fresh key for `alg` ("EdDSA" or "ES256")."""
    if alg == EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    if alg == ES256:
        return ec.generate_private_key(ec.SECP256R1())
    raise InvalidKey(f"unsupported alg {alg!r}: need EdDSA or ES256")


def load_private_key(pem: bytes) -> PrivateKey:
    """Read an unencrypted PEM private key, refusing every type but Ed25519 and P-256."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidKey(f"not an unencrypted PEM private key: {exc}") from exc
    return require_private_key(key)


def private_key_pem(key: PrivateKey) -> bytes:
    """PKCS#8 PEM without encryption, for a key file that the file system protects."""
    return require_private_key(key).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
