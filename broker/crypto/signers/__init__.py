"""Signers: the private key behind a JWS may sit in a PEM file, an HSM (PKCS#11) or AWS KMS.

An authority's key should never have to be a file on the machine that runs a script, so everything
that signs (`broker.crypto.sign_jws`, `broker.wire.envelope.seal`, the parties' client) takes a
`Signer` as well as a key object, and a signer is named by one reference string:

    /etc/broker/parquet-signing.pem  or  file:/etc/broker/parquet-signing.pem
    pkcs11:token=broker;object=parquet-2026?pin-source=/run/secrets/pin&module-path=/usr/lib/softhsm/libsofthsm2.so
    awskms:arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab

PKCS#11 needs the optional extra `pkcs11` (python-pkcs11), KMS the extra `kms` (boto3); each is
imported only when such a reference is used, so `broker.crypto` stays importable without them.
Whatever the backend, `Signer.sign` returns the signature in its JOSE form (Ed25519's 64 bytes, or
ES256's fixed-width R || S), never DER.
"""

import os
import re

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker.crypto import _sig
from broker.crypto.errors import CryptoError
from broker.crypto.jwk import public_key_from_jwk
from broker.crypto.keys import require_private_key
from broker.crypto.signers.base import KeySigner
from broker.crypto.signers.base import Signer
from broker.crypto.signers.base import SignerError
from broker.crypto.signers.base import der_to_jose
from broker.crypto.signers.base import file_uri_path
from broker.crypto.signers.hsm import PKCS11_MODULE_ENV
from broker.crypto.signers.hsm import PKCS11_PIN_ENV
from broker.crypto.signers.hsm import Pkcs11Signer
from broker.crypto.signers.hsm import parse_pkcs11_uri
from broker.crypto.signers.kms import KMS_RAW_LIMIT
from broker.crypto.signers.kms import KmsSigner

__all__ = [
    "KMS_RAW_LIMIT",
    "PKCS11_MODULE_ENV",
    "PKCS11_PIN_ENV",
    "KeySigner",
    "KmsSigner",
    "Pkcs11Signer",
    "Signer",
    "SignerError",
    "as_signer",
    "der_to_jose",
    "parse_pkcs11_uri",
    "signer_from_reference",
    "verify_own_signature",
]

# A URI scheme of two letters or more: "C:\key.pem" stays a path.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def signer_from_reference(reference: str | os.PathLike[str], *, kid: str | None = None) -> Signer:
    """The Signer a reference names: a path or `file:` URI, `pkcs11:` or `awskms:`.

    `kid`, when given, must be the key's thumbprint: a check that the reference points at the key
    the organisation registered. A PKCS#11 key without a public object on its token needs it.
    """
    text = os.fspath(reference)
    scheme = _SCHEME.match(text)
    name = scheme.group(1).lower() if scheme else None
    signer: Signer
    if name == "pkcs11":
        return Pkcs11Signer(text, kid=kid)
    if name == "awskms":
        signer = KmsSigner(text)
    elif name == "file":
        signer = KeySigner.from_pem_file(file_uri_path(text))
    elif name is None:
        signer = KeySigner.from_pem_file(text)
    else:
        raise SignerError(f"unknown signer reference {name}: (give a file path, file:, pkcs11: or awskms:)")
    if kid is not None and kid != signer.kid:
        raise SignerError(f"{text} holds the key {signer.kid}, not {kid}")
    return signer


def as_signer(key: object) -> Signer:
    """A Signer for `key`: itself if it is one, a KeySigner for an Ed25519 or P-256 private key."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        return KeySigner(key)
    if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) and isinstance(key, Signer):
        return key
    return KeySigner(require_private_key(key))  # raises InvalidKey with the usual message


def verify_own_signature(signer: Signer, signature: bytes, data: bytes) -> None:
    """Check a signature made outside this process with the signer's own public key.

    An HSM returning DER instead of R || S, or a reference naming another key than its kid, would
    otherwise surface only as the broker's `invalid-signature`, far from the cause.
    """
    jwk = signer.public_jwk
    if jwk is None:
        return
    try:
        _sig.verify(public_key_from_jwk(jwk), signature, data)
    except CryptoError as error:
        raise SignerError(
            f"the signer's signature does not verify with its own public key ({error})"
        ) from error
