"""The raw signatures behind JWS EdDSA (RFC 8037) and ES256 (RFC 7518 section 3.4)."""

import cryptography.exceptions
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from broker.crypto.errors import InvalidSignature
from broker.crypto.keys import PrivateKey
from broker.crypto.keys import PublicKey

# Ed25519 signatures and ES256 R || S (32 bytes each) are both 64 bytes.
_SIGNATURE_BYTES = 64
_SCALAR_BYTES = 32


def sign(key: PrivateKey, data: bytes) -> bytes:
    """Ed25519, or ECDSA P-256/SHA-256 as fixed-width R || S: JWS forbids the DER that OpenSSL emits."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(_SCALAR_BYTES, "big") + s.to_bytes(_SCALAR_BYTES, "big")


def verify(key: PublicKey, signature: bytes, data: bytes) -> None:
    """Return only if `signature` over `data` verifies under `key`; raise InvalidSignature otherwise."""
    if len(signature) != _SIGNATURE_BYTES:
        raise InvalidSignature(f"signature must be {_SIGNATURE_BYTES} bytes, not {len(signature)}")
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            r = int.from_bytes(signature[:_SCALAR_BYTES], "big")
            s = int.from_bytes(signature[_SCALAR_BYTES:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except cryptography.exceptions.InvalidSignature as exc:
        raise InvalidSignature("signature does not verify") from exc
