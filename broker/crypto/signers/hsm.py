"""Keys on a PKCS#11 token (an HSM, a smart card, SoftHSM), named by an RFC 7512 URI.

    pkcs11:token=broker;object=parquet-2026?pin-source=/run/secrets/pin&module-path=/usr/lib/softhsm/libsofthsm2.so

Path attributes: `token` (label), `serial`, `object` (label), `id` (percent-encoded bytes), `type`
(only `private`). Query attributes: `pin-value`, `pin-source` (a file or file: URI whose first line is
the PIN) and `module-path`; without them the PIN comes from BROKER_PKCS11_PIN and the module from
BROKER_PKCS11_MODULE. Needs the optional extra `pkcs11` (python-pkcs11), imported only here.
"""

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker.crypto.keys import EDDSA
from broker.crypto.keys import ES256
from broker.crypto.keys import PublicKey
from broker.crypto.signers.base import SignerError
from broker.crypto.signers.base import file_uri_path
from broker.crypto.signers.base import optional_module
from broker.crypto.signers.base import public_jwk_of
from broker.crypto.thumbprint import jwk_thumbprint

PKCS11_MODULE_ENV = "BROKER_PKCS11_MODULE"
PKCS11_PIN_ENV = "BROKER_PKCS11_PIN"
_P256_OID = bytes.fromhex("06082a8648ce3d030107")  # DER OID 1.2.840.10045.3.1.7 (prime256v1)
# CKA_EC_PARAMS of an Ed25519 key: the OID 1.3.101.112, or PKCS#11 3.0's PrintableString "edwards25519".
_ED25519_PARAMS = (bytes.fromhex("06032b6570"), bytes.fromhex("130c656477617264733235353139"))
_PKCS11_PATH = {"token", "serial", "object", "id", "type"}
_PKCS11_QUERY = {"pin-value", "pin-source", "module-path"}


def parse_pkcs11_uri(uri: str) -> tuple[dict[str, str], dict[str, str]]:
    """The path and query attributes of an RFC 7512 URI, percent-decoded; unknown ones are refused.

    Refusing what we do not understand beats ignoring it: a misspelt `objet=` would otherwise pick
    whichever key the token happens to hold.
    """
    if not uri.lower().startswith("pkcs11:"):
        raise SignerError(f"not a PKCS#11 URI: {uri}")
    path, _, query = uri[len("pkcs11:") :].partition("?")
    found: list[dict[str, str]] = [{}, {}]
    for index, (text, separator, allowed) in enumerate(
        ((path, ";", _PKCS11_PATH), (query, "&", _PKCS11_QUERY))
    ):
        for item in filter(None, text.split(separator)):
            name, equals, value = item.partition("=")
            if not equals or name not in allowed:
                raise SignerError(f"PKCS#11 URI attribute {name!r} is not supported here ({sorted(allowed)})")
            if name in found[index]:
                raise SignerError(f"PKCS#11 URI repeats {name!r}")
            # id is raw bytes (kept as latin-1 text, one character per byte); the rest is UTF-8 text.
            try:
                found[index][name] = unquote_to_bytes(value).decode("latin-1" if name == "id" else "utf-8")
            except UnicodeDecodeError as error:
                raise SignerError(f"PKCS#11 URI attribute {name!r} is not UTF-8 once decoded") from error
    attributes, options = found
    if attributes.get("type", "private") != "private":
        raise SignerError("a PKCS#11 signer needs type=private (or no type)")
    if "object" not in attributes and "id" not in attributes:
        raise SignerError("the PKCS#11 URI must name the key with object= or id=")
    return attributes, options


class Pkcs11Signer:
    """A key on a PKCS#11 token (an HSM, a smart card, SoftHSM); it signs without ever leaving it.

    Each signature opens a session and logs in, so a long-lived process survives token resets.
    ES256 hashes here and asks the token for plain CKM_ECDSA, which every token offers and which
    returns R || S already; Ed25519 uses CKM_EDDSA.
    """

    def __init__(self, uri: str, *, kid: str | None = None) -> None:
        self._pkcs11 = optional_module("pkcs11", "pkcs11")
        self._attributes, options = parse_pkcs11_uri(uri)
        self._pin = _pkcs11_pin(options)
        module = options.get("module-path") or os.environ.get(PKCS11_MODULE_ENV)
        if not module:
            raise SignerError(
                f"say which PKCS#11 module to load: module-path= in the URI or {PKCS11_MODULE_ENV}"
            )
        errors = self._pkcs11.exceptions
        try:
            self._token = self._pkcs11.lib(module).get_token(**self._token_selector())
            with self._session() as session:
                private = self._find(session, self._pkcs11.ObjectClass.PRIVATE_KEY)
                self._alg = self._alg_of(private)
                public = self._public_key(session)
        except (errors.PKCS11Error, RuntimeError, OSError) as error:
            raise SignerError(f"PKCS#11 ({module}): {_describe(error)}") from error
        self._jwk = None if public is None else public_jwk_of(public, "PKCS#11 public key")
        own = None if self._jwk is None else jwk_thumbprint(self._jwk)
        if own is not None and kid is not None and own != kid:
            raise SignerError(f"the PKCS#11 key is {own}, not {kid}")
        if own is None and kid is None:
            raise SignerError("the token holds no public key for this private key: give its kid")
        self._kid = own or str(kid)

    @property
    def alg(self) -> str:
        return self._alg

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_jwk(self) -> dict[str, str] | None:
        return None if self._jwk is None else dict(self._jwk)

    def sign(self, data: bytes) -> bytes:
        mechanism = self._pkcs11.Mechanism
        try:
            with self._session() as session:
                key = self._find(session, self._pkcs11.ObjectClass.PRIVATE_KEY)
                if self._alg == ES256:
                    signature = key.sign(hashlib.sha256(data).digest(), mechanism=mechanism.ECDSA)
                else:
                    signature = key.sign(data, mechanism=mechanism.EDDSA)
        except self._pkcs11.exceptions.PKCS11Error as error:
            raise SignerError(f"the PKCS#11 token refused to sign: {_describe(error)}") from error
        return bytes(signature)

    def _token_selector(self) -> dict[str, Any]:
        selector: dict[str, Any] = {}
        if "token" in self._attributes:
            selector["token_label"] = self._attributes["token"]
        if "serial" in self._attributes:
            selector["token_serial"] = self._attributes["serial"].encode()
        return selector

    def _session(self) -> Any:
        return self._token.open(user_pin=self._pin)

    def _find(self, session: Any, object_class: Any) -> Any:
        template = {self._pkcs11.Attribute.CLASS: object_class}
        if "object" in self._attributes:
            template[self._pkcs11.Attribute.LABEL] = self._attributes["object"]
        if "id" in self._attributes:
            template[self._pkcs11.Attribute.ID] = self._attributes["id"].encode("latin-1")
        found = list(session.get_objects(template))
        if len(found) != 1:
            what = "private key" if object_class == self._pkcs11.ObjectClass.PRIVATE_KEY else "public key"
            raise self._pkcs11.exceptions.NoSuchKey(f"{len(found)} {what}s match {self._attributes}")
        return found[0]

    def _alg_of(self, key: Any) -> str:
        attribute, key_type = self._pkcs11.Attribute, self._pkcs11.KeyType
        params = bytes(key[attribute.EC_PARAMS])
        if key.key_type == key_type.EC and params == _P256_OID:
            return ES256
        if key.key_type == key_type.EC_EDWARDS and params in _ED25519_PARAMS:
            return EDDSA
        raise SignerError(f"the PKCS#11 key is {key.key_type!r} {params.hex()}: need Ed25519 or EC P-256")

    def _public_key(self, session: Any) -> PublicKey | None:
        try:
            public = self._find(session, self._pkcs11.ObjectClass.PUBLIC_KEY)
        except self._pkcs11.exceptions.NoSuchKey:
            return None
        point = _unwrap_octet_string(bytes(public[self._pkcs11.Attribute.EC_POINT]))
        if self._alg == EDDSA:
            return ed25519.Ed25519PublicKey.from_public_bytes(point)
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def _pkcs11_pin(options: Mapping[str, str]) -> str | None:
    """The user PIN: pin-value, a pin-source file (first line), or BROKER_PKCS11_PIN."""
    if "pin-value" in options and "pin-source" in options:
        raise SignerError("give pin-value or pin-source, not both")
    if "pin-source" in options:
        source = options["pin-source"]
        path = file_uri_path(source) if source.lower().startswith("file:") else source
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as error:
            raise SignerError(f"cannot read the PIN from {path}") from error
    return options.get("pin-value") or os.environ.get(PKCS11_PIN_ENV)


def _unwrap_octet_string(value: bytes) -> bytes:
    """CKA_EC_POINT is a DER OCTET STRING around the point; a few tokens give the bare point."""
    if len(value) in (34, 67) and value[0] == 0x04 and value[1] == len(value) - 2:
        return value[2:]
    return value


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}{f': {error}' if str(error) else ''}"
