"""Public JWKs (RFC 7517/7518/8037) for the two supported signing keys, checked before use."""

from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker.crypto._b64 import b64url_decode
from broker.crypto._b64 import b64url_encode
from broker.crypto.errors import InvalidKey
from broker.crypto.keys import EDDSA
from broker.crypto.keys import ES256
from broker.crypto.keys import PrivateKey
from broker.crypto.keys import PublicKey
from broker.crypto.keys import public_key_of

_ALGS = {("OKP", "Ed25519"): EDDSA, ("EC", "P-256"): ES256}
# Members that only a private or symmetric key has (RFC 7518 section 6).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_COORDINATE_BYTES = 32


def alg_for_jwk(jwk: Mapping[str, object]) -> str:
    """The JWS alg that kty and crv alone decide, EdDSA or ES256; InvalidKey for other key types."""
    if not isinstance(jwk, Mapping):
        raise InvalidKey("JWK is not a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if not isinstance(kty, str) or not isinstance(crv, str) or (kty, crv) not in _ALGS:
        raise InvalidKey(f"unsupported JWK kty={kty!r} crv={crv!r}: need OKP Ed25519 or EC P-256")
    return _ALGS[kty, crv]


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, str]:
    """The public JWK of a key, with only the members RFC 7638 hashes (kty, crv, x[, y])."""
    public = public_key_of(key)
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    x, y = point[1 : 1 + _COORDINATE_BYTES], point[1 + _COORDINATE_BYTES :]
    return {"kty": "EC", "crv": "P-256", "x": b64url_encode(x), "y": b64url_encode(y)}


def validate_public_jwk(jwk: Mapping[str, object]) -> dict[str, str]:
    """Check that `jwk` is a usable public signing key and return it reduced to its required members.

    Refuses private members (a published private key is compromised), other
    key types and curves, an "alg" that does not fit the curve, a "use" other
    than "sig", coordinates that are not 32 bytes and P-256 points off the curve.
    """
    return public_jwk(public_key_from_jwk(jwk))


def public_key_from_jwk(jwk: Mapping[str, object]) -> PublicKey:
    """The `cryptography` public key of a JWK, after the checks of `validate_public_jwk`."""
    alg = alg_for_jwk(jwk)
    private = [name for name in _PRIVATE_MEMBERS if name in jwk]
    if private:
        raise InvalidKey(f"JWK has private members {private}: only the public key may be given")
    if jwk.get("alg", alg) != alg:
        raise InvalidKey(f"JWK alg {jwk['alg']!r} does not fit its curve, which needs {alg}")
    if jwk.get("use", "sig") != "sig":
        raise InvalidKey(f"JWK use {jwk['use']!r} is not 'sig'")
    x = _coordinate(jwk, "x")
    if alg == EDDSA:
        return ed25519.Ed25519PublicKey.from_public_bytes(x)
    y = _coordinate(jwk, "y")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
    except ValueError as exc:
        raise InvalidKey("JWK point is not on the P-256 curve") from exc


def _coordinate(jwk: Mapping[str, object], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKey(f"JWK member {name!r} is missing or not a string")
    try:
        raw = b64url_decode(value)
    except ValueError as exc:
        raise InvalidKey(f"JWK member {name!r} is not unpadded base64url") from exc
    if len(raw) != _COORDINATE_BYTES:
        raise InvalidKey(f"JWK member {name!r} must be {_COORDINATE_BYTES} bytes, not {len(raw)}")
    return raw
