"""RFC 7638 JWK thumbprints: a stable key id that anyone can recompute from the public key."""

import hashlib
from collections.abc import Mapping

from broker.crypto._b64 import b64url_encode
from broker.crypto.canonical import canonicalize
from broker.crypto.errors import InvalidKey

# RFC 7638 section 3.2: only these members are hashed, so "alg", "kid" or "d" never change it.
_REQUIRED_MEMBERS = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
}


def jwk_thumbprint(jwk: Mapping[str, object]) -> str:
    """SHA-256 JWK thumbprint, unpadded base64url; InvalidKey for an unknown kty or a missing member."""
    if not isinstance(jwk, Mapping):
        raise InvalidKey("JWK is not a JSON object")
    kty = jwk.get("kty")
    if not isinstance(kty, str) or kty not in _REQUIRED_MEMBERS:
        raise InvalidKey(f"no thumbprint for kty {kty!r}")
    members: dict[str, str] = {}
    for name in _REQUIRED_MEMBERS[kty]:
        value = jwk.get(name)
        if not isinstance(value, str):
            raise InvalidKey(f"JWK member {name!r} is missing or not a string")
        members[name] = value
    return b64url_encode(hashlib.sha256(canonicalize(members)).digest())
