"""Signing library: RFC 8785 canonical JSON, JWKs and JWS (EdDSA, ES256), signers.

It needs only the standard library, `cryptography` and `rfc8785`, so a
provider's systems can sign and verify exactly as the broker does. Keys held
in an HSM (PKCS#11) or AWS KMS need the optional extras `pkcs11` or `kms`,
imported only when such a signer reference is used (broker.crypto.signers).
"""

from broker.crypto.canonical import canonicalize
from broker.crypto.errors import CanonicalizationError
from broker.crypto.errors import CryptoError
from broker.crypto.errors import InvalidKey
from broker.crypto.errors import InvalidSignature
from broker.crypto.jwk import alg_for_jwk
from broker.crypto.jwk import public_jwk
from broker.crypto.jwk import validate_public_jwk
from broker.crypto.jws import jws_header
from broker.crypto.jws import jws_payload_unverified
from broker.crypto.jws import sign_jws
from broker.crypto.jws import verify_jws
from broker.crypto.keys import generate_private_key
from broker.crypto.keys import load_private_key
from broker.crypto.keys import private_key_pem
from broker.crypto.signers import KeySigner
from broker.crypto.signers import Signer
from broker.crypto.signers import SignerError
from broker.crypto.signers import signer_from_reference
from broker.crypto.thumbprint import jwk_thumbprint

__all__ = [
    "CanonicalizationError",
    "CryptoError",
    "InvalidKey",
    "InvalidSignature",
    "KeySigner",
    "Signer",
    "SignerError",
    "alg_for_jwk",
    "canonicalize",
    "generate_private_key",
    "jwk_thumbprint",
    "jws_header",
    "jws_payload_unverified",
    "load_private_key",
    "private_key_pem",
    "public_jwk",
    "sign_jws",
    "signer_from_reference",
    "validate_public_jwk",
    "verify_jws",
]
