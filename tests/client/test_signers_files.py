"""Signer references and the file signer; JWS signing through a Signer equals signing with the key.

The PKCS#11 and KMS signers have their own files (test_signers_pkcs11.py, test_signers_kms.py).
"""

import importlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from broker import crypto
from broker.crypto import signers
from broker.crypto.signers import KeySigner
from broker.crypto.signers import SignerError
from broker.crypto.signers import der_to_jose
from broker.crypto.signers import parse_pkcs11_uri
from broker.crypto.signers import signer_from_reference

PAYLOAD = b'{"type":"response"}'


@pytest.fixture(params=["EdDSA", "ES256"])
def key_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, Path]:
    key = crypto.generate_private_key(request.param)
    path = tmp_path / "signing key.pem"
    path.write_bytes(crypto.private_key_pem(key))
    return key, path


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(str, id="bare path"),
        pytest.param(lambda p: f"file:{p}", id="file:/path"),
        pytest.param(lambda p: Path(p).as_uri(), id="file:///path, percent-encoded"),
        pytest.param(lambda p: f"file://localhost{p}", id="file://localhost/path"),
        pytest.param(Path, id="a Path object"),
    ],
)
def test_a_key_file_reference_signs_as_the_key_does(key_file, spell):
    key, path = key_file
    signer = signer_from_reference(spell(str(path)))

    token = crypto.sign_jws(PAYLOAD, signer)

    jwk = crypto.public_jwk(key)
    assert (signer.alg, signer.kid, signer.public_jwk) == (
        crypto.alg_for_jwk(jwk),
        crypto.jwk_thumbprint(jwk),
        jwk,
    )
    assert crypto.verify_jws(token, jwk) == PAYLOAD
    assert crypto.jws_header(token) == {"alg": signer.alg, "kid": signer.kid}


def test_ed25519_through_a_signer_is_byte_identical_to_the_key():
    key = crypto.generate_private_key("EdDSA")
    signer = KeySigner(key)

    assert crypto.sign_jws(PAYLOAD, signer) == crypto.sign_jws(PAYLOAD, key, signer.kid)
    assert crypto.sign_jws(PAYLOAD, signer, "another-kid") == crypto.sign_jws(PAYLOAD, key, "another-kid")


def test_the_kid_given_must_be_the_keys(key_file):
    key, path = key_file
    kid = crypto.jwk_thumbprint(crypto.public_jwk(key))

    assert signer_from_reference(path, kid=kid).kid == kid
    with pytest.raises(SignerError, match=f"holds the key {kid}, not k-1"):
        signer_from_reference(path, kid="k-1")


def _pem_of(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    ("reference", "content", "reason"),
    [
        ("{dir}/missing.pem", None, "cannot read the signing key"),
        ("{dir}/key.pem", b"not a key", "not an unencrypted PEM private key"),
        ("{dir}/key.pem", _pem_of(ec.generate_private_key(ec.SECP384R1())), "need Ed25519 or ECDSA P-256"),
        ("file://elsewhere.example/key.pem", None, "not a local file URI"),
        ("s3://bucket/key.pem", None, "unknown signer reference s3"),
        ("vault:transit/keys/parquet", None, "unknown signer reference vault"),
    ],
    ids=[
        "missing file",
        "not a key",
        "P-384 key",
        "remote file URI",
        "unknown scheme",
        "another unknown scheme",
    ],
)
def test_an_unusable_reference_is_one_clear_error(tmp_path, reference, content, reason):
    if content is not None:
        (tmp_path / "key.pem").write_bytes(content)

    with pytest.raises(SignerError, match=reason):
        signer_from_reference(reference.format(dir=tmp_path))


def test_der_signatures_become_jose_r_and_s():
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(PAYLOAD, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)

    raw = der_to_jose(der)

    assert raw == r.to_bytes(32, "big") + s.to_bytes(32, "big")
    with pytest.raises(SignerError, match="not DER"):
        der_to_jose(raw)


class DerSigner:
    """A signer that forgets the JOSE form, as a careless HSM wrapper would: sign_jws must notice."""

    def __init__(
        self, key: ec.EllipticCurvePrivateKey, public: ec.EllipticCurvePrivateKey | None = None
    ) -> None:
        self.key = key
        self.alg = "ES256"
        self.public_jwk = crypto.public_jwk(public or key)
        self.kid = crypto.jwk_thumbprint(self.public_jwk)

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))


class WrongKeySigner(DerSigner):
    """A signer whose reference points at another key than the one it announces."""

    def sign(self, data: bytes) -> bytes:
        return der_to_jose(super().sign(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: DerSigner(ec.generate_private_key(ec.SECP256R1())), "not a ES256 JWS signature"),
        (
            lambda: WrongKeySigner(
                ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
            ),
            "does not verify with its own public key",
        ),
    ],
    ids=["DER instead of R || S", "signed with another key"],
)
def test_a_signature_from_outside_is_checked_before_it_is_used(make, reason):
    with pytest.raises(SignerError, match=reason):
        crypto.sign_jws(PAYLOAD, make())


GOOD_URIS = [
    (
        "pkcs11:token=broker;object=parquet%202026?pin-value=1234&module-path=/usr/lib/softhsm/libsofthsm2.so",
        {"token": "broker", "object": "parquet 2026"},
        {"pin-value": "1234", "module-path": "/usr/lib/softhsm/libsofthsm2.so"},
    ),
    ("pkcs11:id=%01%ff;type=private", {"id": "\x01\xff", "type": "private"}, {}),
    (
        "pkcs11:serial=42;object=k?pin-source=file:/run/pin",
        {"serial": "42", "object": "k"},
        {"pin-source": "file:/run/pin"},
    ),
]


@pytest.mark.parametrize(("uri", "attributes", "options"), GOOD_URIS)
def test_rfc_7512_uris_are_read(uri, attributes, options):
    assert parse_pkcs11_uri(uri) == (attributes, options)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("pkcs11:objet=k", "'objet' is not supported"),
        ("pkcs11:object=k;object=j", "repeats 'object'"),
        ("pkcs11:object=k;type=public", "type=private"),
        ("pkcs11:token=broker", "object= or id="),
        ("pkcs11:object=k?pin=1234", "'pin' is not supported"),
        ("pkcs11:object=%ff", "not UTF-8"),
        ("pkcs11:object", "'object' is not supported"),
    ],
    ids=[
        "misspelt attribute",
        "repeated",
        "a public key",
        "no key named",
        "unknown query",
        "bad UTF-8",
        "no value",
    ],
)
def test_a_pkcs11_uri_we_cannot_be_sure_of_is_refused(uri, reason):
    with pytest.raises(SignerError, match=reason):
        parse_pkcs11_uri(uri)


@pytest.mark.parametrize(
    ("reference", "extra"),
    [("pkcs11:object=k?module-path=/nowhere.so", "pkcs11"), ("awskms:alias/parquet?region=eu-west-1", "kms")],
)
def test_a_missing_optional_extra_is_named(monkeypatch, reference, extra):
    real = importlib.import_module

    def without_backends(name: str, *args: Any) -> Any:
        if name in ("pkcs11", "boto3"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(signers.base.importlib, "import_module", without_backends)

    with pytest.raises(SignerError, match=rf"pip install 'eevidence-broker\[{extra}\]'"):
        signer_from_reference(reference)


@pytest.mark.parametrize(
    "reference",
    ["awskms:", "awskms:alias/x?endpoint=http://localhost", "pkcs11:object=k"],
    ids=["no key", "unknown option", "no module"],
)
def test_an_incomplete_remote_reference_is_refused_before_any_call(monkeypatch, reference):
    monkeypatch.delenv(signers.PKCS11_MODULE_ENV, raising=False)

    with pytest.raises(SignerError):
        signer_from_reference(reference)
