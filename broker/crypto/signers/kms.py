"""Asymmetric AWS KMS keys, named `awskms:KEY_ID`, `awskms:alias/NAME` or `awskms:ARN` (`?region=…`).

Needs the optional extra `kms` (boto3), imported only here. The private key never leaves KMS; an
ES256 signature comes back DER-encoded and is turned into JOSE's R || S.
"""

import hashlib
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization

from broker.crypto.jwk import alg_for_jwk
from broker.crypto.keys import EDDSA
from broker.crypto.keys import ES256
from broker.crypto.signers.base import SignerError
from broker.crypto.signers.base import der_to_jose
from broker.crypto.signers.base import optional_module
from broker.crypto.signers.base import public_jwk_of
from broker.crypto.thumbprint import jwk_thumbprint

# KMS signs at most 4096 bytes as RAW; a longer ES256 input is sent as its SHA-256 (MessageType DIGEST).
KMS_RAW_LIMIT = 4096
# The KMS signing algorithm that is exactly the JWS alg: ECDSA over SHA-256, and pure Ed25519 (RFC 8032).
_SIGNING_ALGORITHMS = {ES256: "ECDSA_SHA_256", EDDSA: "ED25519_SHA_512"}


class KmsSigner:
    """An asymmetric AWS KMS key (ECC_NIST_P256, or ECC_NIST_EDWARDS25519); credentials come from
    boto3's usual chain (environment, shared files, instance or container role), never from here.
    """

    def __init__(self, reference: str, *, client: Any = None) -> None:
        key, _, query = reference[len("awskms:") :].partition("?")
        options = dict(item.partition("=")[::2] for item in filter(None, query.split("&")))
        if not key or set(options) - {"region"}:
            raise SignerError(
                "write awskms:KEY_ID, awskms:alias/NAME or awskms:ARN, optionally ?region=REGION"
            )
        region = options.get("region") or (key.split(":")[3] if key.startswith("arn:") else None)
        self._key_id = unquote(key)
        if client is None:
            client = optional_module("boto3", "kms").client("kms", region_name=region)
        self._client = client
        try:
            described = client.get_public_key(KeyId=self._key_id)
        except Exception as error:  # botocore's ClientError and BotoCoreError share no narrower base
            raise SignerError(f"AWS KMS key {self._key_id}: {error}") from error
        if described.get("KeyUsage") != "SIGN_VERIFY":
            raise SignerError(f"AWS KMS key {self._key_id} is not a signing key")
        # The public key itself says which JWS alg applies (KeySpec names have changed over time).
        public = serialization.load_der_public_key(bytes(described["PublicKey"]))
        self._jwk = public_jwk_of(
            public, f"AWS KMS key {self._key_id} (need ECC_NIST_P256 or ECC_NIST_EDWARDS25519)"
        )
        self._kid = jwk_thumbprint(self._jwk)
        self._alg = alg_for_jwk(self._jwk)
        self._algorithm = _SIGNING_ALGORITHMS[self._alg]
        if self._algorithm not in described.get("SigningAlgorithms", [self._algorithm]):
            raise SignerError(f"AWS KMS key {self._key_id} does not offer {self._algorithm}")

    @property
    def alg(self) -> str:
        return self._alg

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_jwk(self) -> dict[str, str]:
        return dict(self._jwk)

    def sign(self, data: bytes) -> bytes:
        message, message_type = data, "RAW"
        if len(data) > KMS_RAW_LIMIT:
            if self._alg == EDDSA:
                raise SignerError(
                    f"AWS KMS signs at most {KMS_RAW_LIMIT} bytes with Ed25519, not {len(data)}"
                )
            message, message_type = hashlib.sha256(data).digest(), "DIGEST"
        try:
            answer = self._client.sign(
                KeyId=self._key_id,
                Message=message,
                MessageType=message_type,
                SigningAlgorithm=self._algorithm,
            )
        except Exception as error:  # as in __init__: any botocore failure is the signer's
            raise SignerError(f"AWS KMS refused to sign with {self._key_id}: {error}") from error
        signature = bytes(answer["Signature"])
        return der_to_jose(signature) if self._alg == ES256 else signature
