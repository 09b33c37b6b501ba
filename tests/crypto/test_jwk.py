"""JWK thumbprints (RFC 7638, RFC 8037 A.3) and the checks on public signing JWKs."""

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import PublicFormat

from broker.crypto import InvalidKey
from broker.crypto import alg_for_jwk
from broker.crypto import generate_private_key
from broker.crypto import jwk_thumbprint
from broker.crypto import public_jwk
from broker.crypto import validate_public_jwk


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def rfc7638(vectors_dir: Path) -> dict:
    return json.loads((vectors_dir / "jose" / "rfc7638-3.1.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ed_jwk(rfc8037: dict) -> dict:
    return rfc8037["A.2_public_jwk"]


@pytest.fixture(scope="module")
def ec_jwk(rfc7515_a3: dict) -> dict:
    return rfc7515_a3["public_jwk"]


def test_rfc8037_a3_thumbprint(rfc8037: dict) -> None:
    assert jwk_thumbprint(rfc8037["A.2_public_jwk"]) == rfc8037["A.3_thumbprint_b64url"]


def test_thumbprint_of_private_jwk_is_that_of_its_public_key(rfc8037: dict) -> None:
    assert jwk_thumbprint(rfc8037["A.1_private_jwk"]) == rfc8037["A.3_thumbprint_b64url"]


def test_rfc7638_rsa_thumbprint_ignores_alg_and_kid(rfc7638: dict) -> None:
    assert {"alg", "kid"} <= rfc7638["jwk"].keys()
    thumbprint = jwk_thumbprint(rfc7638["jwk"])
    assert thumbprint == rfc7638["thumbprint_b64url"]
    assert base64.urlsafe_b64decode(thumbprint + "=") == bytes(rfc7638["thumbprint_sha256_octets"])


def test_thumbprint_ignores_member_order(rfc7638: dict) -> None:
    reordered = dict(reversed(list(rfc7638["jwk"].items())))
    assert list(reordered) != list(rfc7638["jwk"])
    assert jwk_thumbprint(reordered) == rfc7638["thumbprint_b64url"]


def test_ec_thumbprint_hashes_y(ec_jwk: dict) -> None:
    other_y = {**ec_jwk, "y": _b64(b"\x01" * 32)}
    assert jwk_thumbprint(ec_jwk) != jwk_thumbprint(other_y)


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        pytest.param({"kty": "OKP", "crv": "Ed25519"}, "'x'", id="okp-without-x"),
        pytest.param({"kty": "EC", "crv": "P-256", "x": "AA"}, "'y'", id="ec-without-y"),
        pytest.param({"kty": "RSA", "e": "AQAB"}, "'n'", id="rsa-without-n"),
        pytest.param({"kty": "OKP", "crv": "Ed25519", "x": 1}, "'x'", id="x-not-a-string"),
        pytest.param({"kty": "oct", "k": "AA"}, "kty 'oct'", id="unknown-kty"),
        pytest.param({"crv": "Ed25519", "x": "AA"}, "kty None", id="no-kty"),
        pytest.param(["kty", "OKP"], "not a JSON object", id="not-an-object"),
    ],
)
def test_thumbprint_refuses(jwk: object, message: str) -> None:
    with pytest.raises(InvalidKey, match=message):
        jwk_thumbprint(jwk)  # type: ignore[arg-type]


def test_accepts_ed25519_and_returns_required_members_only(ed_jwk: dict) -> None:
    given = {**ed_jwk, "kid": "k1", "use": "sig", "alg": "EdDSA"}
    assert validate_public_jwk(given) == ed_jwk


def test_accepts_p256_and_returns_required_members_only(ec_jwk: dict) -> None:
    given = {**ec_jwk, "kid": "k1", "alg": "ES256"}
    assert validate_public_jwk(given) == ec_jwk


def _off_curve(ec_jwk: dict) -> dict:
    y = bytearray(base64.urlsafe_b64decode(ec_jwk["y"] + "="))
    y[-1] ^= 1
    return {**ec_jwk, "y": _b64(bytes(y))}


def _p384_jwk() -> dict:
    point = ec.generate_private_key(ec.SECP384R1()).public_key()
    raw = point.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {"kty": "EC", "crv": "P-384", "x": _b64(raw[1:49]), "y": _b64(raw[49:])}


def _x25519_jwk() -> dict:
    raw = x25519.X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "X25519", "x": _b64(raw)}


REFUSED = {
    "private-d": (lambda v: v["rfc8037"]["A.1_private_jwk"], "private members \\['d'\\]"),
    "ec-private-d": (lambda v: v["rfc7515_a3"]["private_jwk"], "private members"),
    "rsa": (lambda v: v["rfc7638"]["jwk"], "kty='RSA'"),
    "x25519": (lambda v: _x25519_jwk(), "crv='X25519'"),
    "p384": (lambda v: _p384_jwk(), "crv='P-384'"),
    "x-31-bytes": (lambda v: {**v["ed"], "x": _b64(b"\x01" * 31)}, "32 bytes, not 31"),
    "ec-x-33-bytes": (lambda v: {**v["ec"], "x": _b64(b"\x01" * 33)}, "32 bytes, not 33"),
    "x-padded": (lambda v: {**v["ed"], "x": v["ed"]["x"] + "="}, "base64url"),
    "x-standard-alphabet": (lambda v: {**v["ed"], "x": v["ed"]["x"].replace("_", "/")}, "base64url"),
    "p256-off-curve": (lambda v: _off_curve(v["ec"]), "not on the P-256 curve"),
    "ec-without-y": (lambda v: {k: w for k, w in v["ec"].items() if k != "y"}, "'y'"),
    "alg-of-other-curve": (lambda v: {**v["ed"], "alg": "ES256"}, "alg 'ES256'"),
    "use-enc": (lambda v: {**v["ed"], "use": "enc"}, "use 'enc'"),
    "not-an-object": (lambda v: json.dumps(v["ed"]), "not a JSON object"),
}


@pytest.fixture(scope="module")
def vectors(rfc8037: dict, rfc7515_a3: dict, rfc7638: dict, ed_jwk: dict, ec_jwk: dict) -> dict:
    return {"rfc8037": rfc8037, "rfc7515_a3": rfc7515_a3, "rfc7638": rfc7638, "ed": ed_jwk, "ec": ec_jwk}


@pytest.mark.parametrize("name", REFUSED)
def test_validate_refuses(name: str, vectors: dict) -> None:
    build, message = REFUSED[name]
    with pytest.raises(InvalidKey, match=message):
        validate_public_jwk(build(vectors))


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_public_jwk_of_generated_key_round_trips(alg: str) -> None:
    key = generate_private_key(alg)
    jwk = public_jwk(key)
    assert validate_public_jwk(jwk) == jwk
    assert public_jwk(key.public_key()) == jwk
    assert alg_for_jwk(jwk) == alg


def test_public_jwk_of_rfc8037_a1_key_is_a2(rfc8037: dict) -> None:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rfc8037["A.1_secret_key_hex"]))
    assert public_jwk(key) == rfc8037["A.2_public_jwk"]


def test_public_jwk_of_rfc7515_a3_key(rfc7515_a3: dict) -> None:
    d = base64.urlsafe_b64decode(rfc7515_a3["private_jwk"]["d"] + "=")
    key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
    assert public_jwk(key) == rfc7515_a3["public_jwk"]


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(ec.generate_private_key(ec.SECP384R1()), id="p384"),
        pytest.param(x25519.X25519PrivateKey.generate(), id="x25519"),
        pytest.param(b"\x00" * 32, id="bytes"),
    ],
)
def test_public_jwk_refuses_other_keys(key: object) -> None:
    with pytest.raises(InvalidKey, match="need Ed25519 or ECDSA P-256"):
        public_jwk(key)  # type: ignore[arg-type]


def test_alg_for_jwk(ed_jwk: dict, ec_jwk: dict, rfc7638: dict) -> None:
    assert alg_for_jwk(ed_jwk) == "EdDSA"
    assert alg_for_jwk(ec_jwk) == "ES256"
    with pytest.raises(InvalidKey, match="kty='RSA'"):
        alg_for_jwk(rfc7638["jwk"])
