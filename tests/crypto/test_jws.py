"""JWS compact serialization: RFC 8037 A.4/A.5 and RFC 7515 A.3 vectors, round trips, refusals."""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from broker.crypto import InvalidKey
from broker.crypto import InvalidSignature
from broker.crypto import canonicalize
from broker.crypto import generate_private_key
from broker.crypto import jws_header
from broker.crypto import jws_payload_unverified
from broker.crypto import public_jwk
from broker.crypto import sign_jws
from broker.crypto import verify_jws
from broker.crypto.jws import _sign_with_header

PAYLOAD = b'{"order":"EPOC-1"}'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _nested(depth: int) -> object:
    """A JSON value `depth` arrays deep."""
    value: object = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _flip_bit(part: str) -> str:
    raw = bytearray(_unb64(part))
    raw[0] ^= 1
    return _b64(bytes(raw))


@pytest.fixture(scope="module")
def a1_key(rfc8037: dict) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rfc8037["A.1_secret_key_hex"]))


def test_rfc8037_a4_signature_is_reproduced_byte_for_byte(
    rfc8037: dict, a1_key: ed25519.Ed25519PrivateKey
) -> None:
    payload = rfc8037["A.4_payload_text"].encode("utf-8")
    header = json.loads(rfc8037["A.4_protected_header_json"])
    assert _sign_with_header(payload, a1_key, header) == rfc8037["A.4_compact"]


def test_sign_jws_with_rfc8037_a1_key(rfc8037: dict, a1_key: ed25519.Ed25519PrivateKey) -> None:
    payload = rfc8037["A.4_payload_text"].encode("utf-8")
    token = sign_jws(payload, a1_key, "a1")
    header_b64, payload_b64, signature_b64 = token.split(".")
    assert _unb64(header_b64) == b'{"alg":"EdDSA","kid":"a1"}'
    assert payload_b64 == rfc8037["A.4_payload_b64url"]
    assert _unb64(signature_b64) == a1_key.sign(f"{header_b64}.{payload_b64}".encode("ascii"))
    assert verify_jws(token, rfc8037["A.2_public_jwk"]) == payload


def test_rfc8037_a5_verifies(rfc8037: dict) -> None:
    token = rfc8037["A.5_compact_to_validate"]
    assert verify_jws(token, rfc8037["A.2_public_jwk"]) == b"Example of Ed25519 signing"
    assert jws_header(token) == json.loads(rfc8037["A.5_expected_protected_header_json"])


def test_rfc7515_a3_es256_verifies_with_its_crlf_payload(rfc7515_a3: dict) -> None:
    payload = verify_jws(rfc7515_a3["compact"], rfc7515_a3["public_jwk"])
    assert payload == rfc7515_a3["payload_text"].encode("utf-8")
    assert b"\r\n " in payload


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_round_trip_with_kid(alg: str) -> None:
    key = generate_private_key(alg)
    token = sign_jws(PAYLOAD, key, "provider-key-1")
    assert jws_header(token) == {"alg": alg, "kid": "provider-key-1"}
    assert token.split(".")[0] == _b64(canonicalize({"kid": "provider-key-1", "alg": alg}))
    jwk = {**public_jwk(key), "kid": "provider-key-1"}
    assert verify_jws(token, jwk) == PAYLOAD
    assert verify_jws(token, public_jwk(key)) == PAYLOAD


def test_es256_signature_is_raw_r_s() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    header_b64, payload_b64, signature_b64 = sign_jws(PAYLOAD, key, "k").split(".")
    signature = _unb64(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key.public_key().verify(der, f"{header_b64}.{payload_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(ed25519.Ed25519PrivateKey.generate().public_key(), id="public-key"),
        pytest.param(ec.generate_private_key(ec.SECP384R1()), id="p384"),
        pytest.param(b"not a key", id="bytes"),
    ],
)
def test_sign_refuses_public_and_unsupported_keys(key: object) -> None:
    with pytest.raises(InvalidKey, match="need Ed25519 or ECDSA P-256"):
        sign_jws(PAYLOAD, key, "k")  # type: ignore[arg-type]


def test_unverified_accessors() -> None:
    key = generate_private_key()
    token = sign_jws(PAYLOAD, key, "k9")
    assert jws_header(token) == {"alg": "EdDSA", "kid": "k9"}
    assert jws_payload_unverified(token) == PAYLOAD
    forged = f"{token.rsplit('.', 1)[0]}.{_b64(b'x' * 64)}"
    assert jws_payload_unverified(forged) == PAYLOAD


@pytest.mark.parametrize(
    ("token", "message"),
    [
        pytest.param("a.b", "3 dot-separated parts, not 2", id="two-parts"),
        pytest.param("e30.e30.e30.e30", "not 4", id="four-parts"),
        pytest.param("e30=.e30.e30", "header is not unpadded base64url", id="padded"),
        pytest.param(f"{_b64(b'[1]')}.e30.e30", "not a JSON object", id="array"),
        pytest.param(f"{_b64(b'{')}.e30.e30", "not UTF-8 JSON", id="not-json"),
        pytest.param(_b64(b"\xff") + ".e30.e30", "not UTF-8 JSON", id="not-utf8"),
        pytest.param(_b64('{"alg":"EdDSA"}'.encode("utf-16")) + ".e30.e30", "not UTF-8 JSON", id="utf16"),
        pytest.param(b"e30.e30.e30", "not a string", id="bytes"),
        pytest.param("\u00e930.e30.e30", "header is not unpadded base64url", id="non-ascii"),
    ],
)
def test_jws_header_refuses_malformed(token: str, message: str) -> None:
    with pytest.raises(InvalidSignature, match=message):
        jws_header(token)


def test_jws_payload_unverified_refuses_bad_payload() -> None:
    with pytest.raises(InvalidSignature, match="payload is not unpadded base64url"):
        jws_payload_unverified("e30.e3+.e30")


@dataclass(frozen=True)
class Ctx:
    ed: ed25519.Ed25519PrivateKey
    ec: ec.EllipticCurvePrivateKey
    ed_jwk: dict
    ec_jwk: dict
    ed_token: str
    ec_token: str


@pytest.fixture(scope="module")
def ctx() -> Ctx:
    ed, ec_key = ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())
    return Ctx(
        ed=ed,
        ec=ec_key,
        ed_jwk={**public_jwk(ed), "kid": "ed"},
        ec_jwk={**public_jwk(ec_key), "kid": "ec"},
        ed_token=sign_jws(PAYLOAD, ed, "ed"),
        ec_token=sign_jws(PAYLOAD, ec_key, "ec"),
    )


def _parts(token: str) -> list[str]:
    return token.split(".")


def _with(token: str, index: int, part: str) -> str:
    parts = _parts(token)
    parts[index] = part
    return ".".join(parts)


def _ed_signed(c: Ctx, header: dict) -> str:
    return _sign_with_header(PAYLOAD, c.ed, header)


def _der_signature(c: Ctx) -> str:
    header_b64, payload_b64, _ = _parts(c.ec_token)
    der = c.ec.sign(f"{header_b64}.{payload_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    return f"{header_b64}.{payload_b64}.{_b64(der)}"


Case = Callable[[Ctx], tuple[str, dict]]
TAMPERED: dict[str, tuple[Case, str]] = {
    "flipped-payload-bit": (
        lambda c: (_with(c.ed_token, 1, _flip_bit(_parts(c.ed_token)[1])), c.ed_jwk),
        "does not verify",
    ),
    "flipped-signature-bit": (
        lambda c: (_with(c.ed_token, 2, _flip_bit(_parts(c.ed_token)[2])), c.ed_jwk),
        "does not verify",
    ),
    "flipped-es256-signature-bit": (
        lambda c: (_with(c.ec_token, 2, _flip_bit(_parts(c.ec_token)[2])), c.ec_jwk),
        "does not verify",
    ),
    "swapped-header-alg": (
        lambda c: (_ed_signed(c, {"alg": "ES256", "kid": "ed"}), c.ed_jwk),
        "alg ES256 does not match the key",
    ),
    "alg-none": (
        lambda c: (_b64(b'{"alg":"none"}') + f".{_parts(c.ed_token)[1]}.", c.ed_jwk),
        "alg none is refused",
    ),
    "alg-None-capitalised": (lambda c: (_ed_signed(c, {"alg": "None"}), c.ed_jwk), "alg none"),
    "alg-missing": (lambda c: (_ed_signed(c, {"kid": "ed"}), c.ed_jwk), "no alg"),
    "alg-unsupported": (lambda c: (_ed_signed(c, {"alg": "HS256"}), c.ed_jwk), "unsupported alg 'HS256'"),
    "alg-not-a-string": (lambda c: (_ed_signed(c, {"alg": ["EdDSA"]}), c.ed_jwk), "unsupported alg"),
    "crit-header": (
        lambda c: (_ed_signed(c, {"alg": "EdDSA", "crit": ["exp"], "exp": 1}), c.ed_jwk),
        "crit",
    ),
    "duplicate-header-name": (
        lambda c: (_with(c.ed_token, 0, _b64(b'{"alg":"EdDSA","alg":"none"}')), c.ed_jwk),
        "'alg' appears twice in one object",
    ),
    "wrong-key": (
        lambda c: (c.ed_token, {**public_jwk(generate_private_key()), "kid": "ed"}),
        "does not verify",
    ),
    "es256-token-with-ed25519-jwk": (lambda c: (c.ec_token, c.ed_jwk), "alg ES256 does not match"),
    "eddsa-token-with-p256-jwk": (lambda c: (c.ed_token, c.ec_jwk), "alg EdDSA does not match"),
    "jwk-alg-differs": (lambda c: (c.ed_token, {**c.ed_jwk, "alg": "ES256"}), "JWK alg 'ES256'"),
    "jwk-is-private": (
        lambda c: (c.ed_token, {**c.ed_jwk, "d": _b64(b"\x00" * 32)}),
        "unusable verification key: JWK has private members",
    ),
    "jwk-unsupported": (
        lambda c: (c.ed_token, {"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
        "unusable verification key",
    ),
    "padded-signature": (lambda c: (c.ed_token + "==", c.ed_jwk), "signature is not unpadded base64url"),
    "signature-invalid-char": (
        lambda c: (_with(c.ed_token, 2, "+" + _parts(c.ed_token)[2][1:]), c.ed_jwk),
        "signature is not unpadded base64url",
    ),
    "signature-non-canonical-base64": (
        # 64 bytes end in a 2-character group whose last character holds 4 unused bits.
        lambda c: (_with(c.ed_token, 2, _parts(c.ed_token)[2][:-1] + "B"), c.ed_jwk),
        "signature is not unpadded base64url",
    ),
    "payload-invalid-base64": (lambda c: (_with(c.ed_token, 1, "e30*"), c.ed_jwk), "payload is not"),
    "two-parts": (lambda c: (c.ed_token.rsplit(".", 1)[0], c.ed_jwk), "not 2"),
    "four-parts": (lambda c: (c.ed_token + ".e30", c.ed_jwk), "not 4"),
    "empty": (lambda c: ("", c.ed_jwk), "not 1"),
    "header-not-json": (lambda c: (_with(c.ed_token, 0, _b64(b"alg=EdDSA")), c.ed_jwk), "not UTF-8 JSON"),
    "header-json-array": (
        lambda c: (_with(c.ed_token, 0, _b64(b'["alg","EdDSA"]')), c.ed_jwk),
        "not a JSON object",
    ),
    "header-deeply-nested": (
        lambda c: (_with(c.ed_token, 0, _b64(b"[" * 100_000)), c.ed_jwk),
        "nested deeper than 64 levels",
    ),
    "header-nested-65-deep": (
        lambda c: (_ed_signed(c, {"alg": "EdDSA", "x": _nested(64)}), c.ed_jwk),
        "nested deeper than 64 levels",
    ),
    "header-number-of-5000-digits": (
        lambda c: (_with(c.ed_token, 0, _b64(b'{"alg":"EdDSA","x":' + b"9" * 5000 + b"}")), c.ed_jwk),
        "a number literal of 5000 characters",
    ),
    "der-es256-signature": (lambda c: (_der_signature(c), c.ec_jwk), "must be 64 bytes"),
    "truncated-signature": (
        lambda c: (_with(c.ed_token, 2, _b64(_unb64(_parts(c.ed_token)[2])[:63])), c.ed_jwk),
        "must be 64 bytes, not 63",
    ),
    "es256-zero-signature": (lambda c: (_with(c.ec_token, 2, _b64(bytes(64))), c.ec_jwk), "does not verify"),
    "kid-mismatch": (lambda c: (c.ed_token, {**c.ed_jwk, "kid": "other"}), "kid does not match"),
}


@pytest.mark.parametrize("name", TAMPERED)
def test_verify_refuses(name: str, ctx: Ctx) -> None:
    build, message = TAMPERED[name]
    token, jwk = build(ctx)
    with pytest.raises(InvalidSignature, match=message):
        verify_jws(token, jwk)


def test_untampered_fixture_tokens_verify(ctx: Ctx) -> None:
    """The refusals above come from the tampering, not from broken fixtures."""
    assert verify_jws(ctx.ed_token, ctx.ed_jwk) == PAYLOAD
    assert verify_jws(ctx.ec_token, ctx.ec_jwk) == PAYLOAD
    assert verify_jws(_ed_signed(ctx, {"alg": "EdDSA", "kid": "ed"}), ctx.ed_jwk) == PAYLOAD
