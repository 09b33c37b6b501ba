"""JWS compact serialization (RFC 7515) with EdDSA or ES256, refusing everything else."""

from collections.abc import Mapping

from broker.crypto._b64 import b64url_decode
from broker.crypto._b64 import b64url_encode
from broker.crypto._sig import verify
from broker.crypto.canonical import canonicalize
from broker.crypto.errors import InvalidKey
from broker.crypto.errors import InvalidSignature
from broker.crypto.jsonlimits import JSONRefused
from broker.crypto.jsonlimits import loads
from broker.crypto.jwk import public_key_from_jwk
from broker.crypto.keys import EDDSA
from broker.crypto.keys import ES256
from broker.crypto.keys import PrivateKey
from broker.crypto.keys import signing_alg
from broker.crypto.signers import KeySigner
from broker.crypto.signers import Signer
from broker.crypto.signers import SignerError
from broker.crypto.signers import as_signer
from broker.crypto.signers import verify_own_signature

_ALGS = (EDDSA, ES256)
# Ed25519 signatures and ES256 R || S are both 64 bytes (RFC 8037, RFC 7518 section 3.4).
_SIGNATURE_BYTES = 64


def sign_jws(payload: bytes, private_key: PrivateKey | Signer, kid: str | None = None) -> str:
    """Sign `payload` as a compact JWS whose protected header is canonical {"alg", "kid"}.

    `private_key` is a private key object or a Signer (a file, an HSM, KMS: broker.crypto.signers);
    both give the same token for the same Ed25519 key. `kid` defaults to the signer's thumbprint.
    """
    signer = as_signer(private_key)
    return _sign_with_header(payload, signer, {"alg": signer.alg, "kid": signer.kid if kid is None else kid})


def verify_jws(token: str, jwk: Mapping[str, object]) -> bytes:
    """The payload of `token` if the key `jwk` signed it; otherwise InvalidSignature, never a false value.

    The header cannot pick the algorithm: it must name the one the key's curve
    implies, so a token cannot downgrade to "none" or switch key types.
    """
    header_b64, payload_b64, signature_b64 = _split(token)
    header = _decode_header(header_b64)
    alg = header.get("alg")
    if alg is None:
        raise InvalidSignature("header has no alg")
    if isinstance(alg, str) and alg.lower() == "none":
        raise InvalidSignature("alg none is refused")
    if alg not in _ALGS:
        raise InvalidSignature(f"unsupported alg {alg!r}")
    if "crit" in header:
        raise InvalidSignature("crit header parameters are not supported")
    try:
        key = public_key_from_jwk(jwk)
    except InvalidKey as exc:
        raise InvalidSignature(f"unusable verification key: {exc}") from exc
    if alg != signing_alg(key):
        raise InvalidSignature(f"alg {alg} does not match the key, which needs {signing_alg(key)}")
    if "kid" in header and "kid" in jwk and header["kid"] != jwk["kid"]:
        raise InvalidSignature("kid does not match the key")
    payload = _decode(payload_b64, "payload")
    verify(key, _decode(signature_b64, "signature"), f"{header_b64}.{payload_b64}".encode("ascii"))
    return payload


def jws_header(token: str) -> dict[str, object]:
    """The protected header WITHOUT verifying, so a receiver can find the kid of the key to verify with."""
    return _decode_header(_split(token)[0])


def jws_payload_unverified(token: str) -> bytes:
    """The payload WITHOUT verifying: only for finding the sender; call verify_jws before trusting it."""
    return _decode(_split(token)[1], "payload")


def _sign_with_header(payload: bytes, key: PrivateKey | Signer, header: Mapping[str, object]) -> str:
    """Sign under any protected header, canonicalized so equal headers give equal tokens.

    A signature made outside this process (HSM, KMS) is checked against the signer's public key
    before it is used, so a wrong format or a wrong key is caught here, not by the receiver.
    """
    signing_input = f"{b64url_encode(canonicalize(header))}.{b64url_encode(payload)}"
    data = signing_input.encode("ascii")
    signer = as_signer(key)
    signature = signer.sign(data)
    if not isinstance(signer, KeySigner):
        if len(signature) != _SIGNATURE_BYTES:
            raise SignerError(f"the signer returned {len(signature)} bytes, not a {signer.alg} JWS signature")
        verify_own_signature(signer, signature, data)
    return f"{signing_input}.{b64url_encode(signature)}"


def _split(token: str) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise InvalidSignature("token is not a string")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidSignature(f"compact JWS needs 3 dot-separated parts, not {len(parts)}")
    return parts[0], parts[1], parts[2]


def _decode(part: str, what: str) -> bytes:
    try:
        return b64url_decode(part)
    except ValueError as exc:
        raise InvalidSignature(f"{what} is not unpadded base64url") from exc


def _decode_header(header_b64: str) -> dict[str, object]:
    """The protected header, read within the JSON limits (jsonlimits), before anything is verified.

    Duplicate names are refused (RFC 7515 section 4 lets a parser either reject or resolve them).
    Its strings are compared, never stored, so their text is not checked here: a receiver that stores
    or looks up the kid checks its shape first (broker.wire.envelope.signing_kid).
    """
    try:
        header = loads(_decode(header_b64, "header"), check_text=False)
    except JSONRefused as exc:
        raise InvalidSignature(f"header is not UTF-8 JSON within limits: {exc}") from exc
    if not isinstance(header, dict):
        raise InvalidSignature("header is not a JSON object")
    return header
