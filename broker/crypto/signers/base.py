"""What every signer shares: the `Signer` protocol, the in-process `KeySigner`, and the helpers the
PKCS#11 and KMS signers need (DER to JOSE signatures, optional imports, file URIs).
"""

import importlib
import os
from pathlib import Path
from typing import Any
from typing import Protocol
from typing import runtime_checkable
from urllib.parse import unquote
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from broker.crypto import _sig
from broker.crypto.errors import CryptoError
from broker.crypto.errors import InvalidKey
from broker.crypto.jwk import public_jwk
from broker.crypto.keys import PrivateKey
from broker.crypto.keys import load_private_key
from broker.crypto.keys import public_key_of
from broker.crypto.keys import require_private_key
from broker.crypto.keys import signing_alg
from broker.crypto.thumbprint import jwk_thumbprint

_SCALAR_BYTES = 32


class SignerError(CryptoError):
    """A signer that cannot be used: a bad reference, a missing extra, or the HSM or KMS refused."""


@runtime_checkable
class Signer(Protocol):
    """What JWS signing needs from a key, wherever the private half lives."""

    @property
    def alg(self) -> str:
        """The JWS alg: "EdDSA" or "ES256"."""

    @property
    def kid(self) -> str:
        """The key id to put in the header: the RFC 7638 thumbprint of the public key."""

    @property
    def public_jwk(self) -> dict[str, str] | None:
        """The public key, if the signer can tell it; used to check each signature it makes."""

    def sign(self, data: bytes) -> bytes:
        """The signature over `data` in JOSE form (64 bytes for both algorithms)."""


class KeySigner:
    """A private key held in this process (read from a file): the default, and what tests use."""

    def __init__(self, private_key: PrivateKey) -> None:
        self._key = require_private_key(private_key)
        self._jwk = public_jwk(self._key)
        self._kid = jwk_thumbprint(self._jwk)

    @classmethod
    def from_pem_file(cls, path: str | os.PathLike[str]) -> "KeySigner":
        """Read an unencrypted PEM private key file (Ed25519 or P-256)."""
        try:
            pem = Path(path).read_bytes()
        except OSError as error:
            raise SignerError(f"cannot read the signing key {path}: {error.strerror or error}") from error
        try:
            return cls(load_private_key(pem))
        except InvalidKey as error:
            raise SignerError(f"{path}: {error}") from error

    @property
    def alg(self) -> str:
        return signing_alg(self._key)

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_jwk(self) -> dict[str, str]:
        return dict(self._jwk)

    def sign(self, data: bytes) -> bytes:
        return _sig.sign(self._key, data)


def der_to_jose(der: bytes) -> bytes:
    """An ECDSA P-256 signature in DER (as KMS and OpenSSL give it) as JOSE's fixed-width R || S."""
    try:
        r, s = decode_dss_signature(der)
    except ValueError as error:
        raise SignerError("the ECDSA signature is not DER") from error
    if not (0 < r < 1 << 256 and 0 < s < 1 << 256):
        raise SignerError("the ECDSA signature does not fit P-256")
    return r.to_bytes(_SCALAR_BYTES, "big") + s.to_bytes(_SCALAR_BYTES, "big")


def file_uri_path(uri: str) -> str:
    """The local path of a `file:` URI (file:/p, file:///p, file://localhost/p, or file:relative)."""
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment or not parts.path:
        raise SignerError(f"not a local file URI: {uri} (write file:/path/key.pem)")
    return unquote(parts.path)


def optional_module(module: str, extra: str) -> Any:
    """Import an optional backend, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise SignerError(
            f"{extra}: references need the optional extra: pip install 'eevidence-broker[{extra}]'"
        ) from error


def public_jwk_of(key: object, where: str) -> dict[str, str]:
    """The JWK of a public key a token or KMS handed us, refusing curves JWS here cannot use."""
    try:
        return public_jwk(public_key_of(key))
    except InvalidKey as error:
        raise SignerError(f"{where}: {error}") from error
