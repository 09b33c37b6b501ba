"""The PKCS#11 signer against a real SoftHSM 2 token, created in a temporary folder for this run.

SoftHSM is required, never skipped: CI installs it in `.ci/run` (`apt-get install softhsm2`), like
`age` for the evidence interop tests. The keys are made on the token (EC P-256 and Ed25519), plus
one Ed25519 key imported from outside so that the HSM's signature can be compared byte for byte with
the file signer's; every JWS is verified with the public key alone.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519

from broker import crypto
from broker.crypto.signers import PKCS11_MODULE_ENV
from broker.crypto.signers import PKCS11_PIN_ENV
from broker.crypto.signers import Pkcs11Signer
from broker.crypto.signers import SignerError
from broker.crypto.signers import signer_from_reference

PIN = "4711"
SO_PIN = "0815"
LABEL = "broker-test"
MODULE_PATHS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
P256 = bytes.fromhex("06082a8648ce3d030107")
ED25519 = bytes.fromhex("06032b6570")
PAYLOAD = b'{"type":"epoc"}'


@dataclass(frozen=True)
class Token:
    module: str
    folder: Path
    imported: ed25519.Ed25519PrivateKey  # the Ed25519 key that was put on the token from outside

    def uri(self, key: str, **query: str) -> str:
        options = {"pin-value": PIN, "module-path": self.module} | query
        return f"pkcs11:token={LABEL};{key}?" + "&".join(f"{k}={v}" for k, v in options.items() if v)


def _module() -> str:
    found = [
        path for path in (os.environ.get("SOFTHSM2_MODULE"), *MODULE_PATHS) if path and Path(path).is_file()
    ]
    if not found or shutil.which("softhsm2-util") is None:
        pytest.fail(
            "SoftHSM 2 is not installed: the PKCS#11 signer tests need it (`apt-get install softhsm2`; "
            ".ci/run installs it)",
            pytrace=False,
        )
    return found[0]


def _provision(module: str, imported: ed25519.Ed25519PrivateKey) -> None:
    """What an HSM operator does once: keys generated on the token, one imported, one without public object."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11 import KeyType
    from pkcs11 import Mechanism
    from pkcs11 import ObjectClass

    token = pkcs11.lib(module).get_token(token_label=LABEL)
    with token.open(rw=True, user_pin=PIN) as session:
        ec_parameters = session.create_domain_parameters(KeyType.EC, {Attribute.EC_PARAMS: P256}, local=True)
        ec_parameters.generate_keypair(store=True, label="es256", id=b"\x01")
        ed_parameters = session.create_domain_parameters(
            KeyType.EC_EDWARDS, {Attribute.EC_PARAMS: ED25519}, local=True
        )
        ed_parameters.generate_keypair(
            store=True, label="ed25519", id=b"\x02", mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN
        )
        public, _ = ed_parameters.generate_keypair(
            store=True, label="lonely", id=b"\x03", mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN
        )
        public.destroy()
        raw = imported.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        point = imported.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        common = {Attribute.KEY_TYPE: KeyType.EC_EDWARDS, Attribute.EC_PARAMS: ED25519, Attribute.TOKEN: True,
                  Attribute.LABEL: "imported", Attribute.ID: b"\x09"}  # fmt: skip
        session.create_object(
            {**common, Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.VALUE: raw, Attribute.SIGN: True,
             Attribute.PRIVATE: True, Attribute.SENSITIVE: True}
        )  # fmt: skip
        session.create_object(
            {**common, Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.EC_POINT: b"\x04\x20" + point,
             Attribute.VERIFY: True}
        )  # fmt: skip


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    """A fresh SoftHSM token in a temporary folder, found through SOFTHSM2_CONF for this process."""
    module = _module()
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--so-pin", SO_PIN, "--pin", PIN],
            check=True,
            capture_output=True,
        )
        imported = ed25519.Ed25519PrivateKey.generate()
        _provision(module, imported)
        yield Token(module, folder, imported)


def _public_key_on_token(token: Token, label: str) -> dict[str, str]:
    """The public key as the token holds it, read apart from the signer under test."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11 import ObjectClass

    with pkcs11.lib(token.module).get_token(token_label=LABEL).open(user_pin=PIN) as session:
        public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=label)
        point, params = bytes(public[Attribute.EC_POINT])[2:], bytes(public[Attribute.EC_PARAMS])
    if params == ED25519:
        return crypto.public_jwk(ed25519.Ed25519PublicKey.from_public_bytes(point))
    return crypto.public_jwk(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point))


@pytest.mark.parametrize(("label", "alg"), [("es256", "ES256"), ("ed25519", "EdDSA")])
def test_a_key_generated_on_the_token_signs_a_jws_that_its_public_key_verifies(token, label, alg):
    signer = signer_from_reference(token.uri(f"object={label}"))

    jws = crypto.sign_jws(PAYLOAD, signer)

    jwk = _public_key_on_token(token, label)
    assert (signer.alg, signer.kid) == (alg, crypto.jwk_thumbprint(jwk))
    assert crypto.verify_jws(jws, jwk) == PAYLOAD
    assert crypto.jws_header(jws) == {"alg": alg, "kid": signer.kid}


def test_an_ed25519_key_on_the_token_signs_byte_for_byte_like_the_same_key_in_a_file(token):
    signer = signer_from_reference(token.uri("id=%09"))

    assert crypto.sign_jws(PAYLOAD, signer) == crypto.sign_jws(PAYLOAD, token.imported, signer.kid)
    assert signer.kid == crypto.jwk_thumbprint(crypto.public_jwk(token.imported))


def test_the_pin_and_module_may_come_from_a_file_and_the_environment(token, tmp_path, monkeypatch):
    pin_file = tmp_path / "pin"
    pin_file.write_text(f"{PIN}\n")
    monkeypatch.setenv(PKCS11_MODULE_ENV, token.module)

    from_file = signer_from_reference(f"pkcs11:token={LABEL};object=es256?pin-source=file:{pin_file}")
    monkeypatch.setenv(PKCS11_PIN_ENV, PIN)
    from_environment = signer_from_reference(f"pkcs11:token={LABEL};object=es256")

    assert from_file.kid == from_environment.kid
    assert crypto.verify_jws(crypto.sign_jws(PAYLOAD, from_environment), from_file.public_jwk) == PAYLOAD


def test_a_key_without_public_object_signs_once_its_kid_is_given(token):
    with pytest.raises(SignerError, match="give its kid"):
        signer_from_reference(token.uri("object=lonely"))

    signer = Pkcs11Signer(token.uri("object=lonely"), kid="announced-kid")
    jws = crypto.sign_jws(PAYLOAD, signer)

    assert signer.public_jwk is None
    assert crypto.jws_header(jws) == {"alg": "EdDSA", "kid": "announced-kid"}


@pytest.mark.parametrize(
    ("key", "query", "reason"),
    [
        ("object=es256", {"pin-value": "0000"}, "PinIncorrect"),
        ("object=nothing", {}, "0 private keys match"),
        ("object=es256", {"module-path": "/nonexistent/libpkcs11.so"}, "cannot open shared object file"),
    ],
    ids=["wrong PIN", "no such key", "no such module"],
)
def test_a_token_that_refuses_is_one_clear_error(token, key, query, reason):
    with pytest.raises(SignerError, match=reason):
        signer_from_reference(token.uri(key, **query))


def test_the_kid_given_must_be_the_tokens_key(token):
    with pytest.raises(SignerError, match="not wrong-kid"):
        signer_from_reference(token.uri("object=es256"), kid="wrong-kid")


def test_an_order_is_issued_with_a_key_that_never_left_the_token(
    token, url, network, exchange, database, clock, cli
):
    """The operator registers the HSM's public key; `broker order issue --signer pkcs11:…` issues with it."""
    prosecutor = network["prosecutor"]
    shown = cli("signer", "show", "--signer", token.uri("object=es256"))
    assert shown.exit_code == 0, shown.output
    jwk = json.loads(shown.stdout)["jwk"]
    assert jwk == _public_key_on_token(token, "es256")
    registered = cli(
        "key", "register", "--org", prosecutor.organisation_id, "--jwk", "-",
        input=json.dumps(jwk), env={"BROKER_DATABASE_URL": database.url},
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    clock.now = datetime.now(UTC)  # the key was registered just now, by the real clock
    order = exchange.draft()

    issued = cli(
        "order", "issue", order["id"], "--signer", token.uri("object=es256"),
        "--url", url, "--token", prosecutor.token,
    )  # fmt: skip

    assert issued.exit_code == 0, issued.output
    answer: dict[str, Any] = json.loads(issued.stdout)
    assert answer["state"] == "issued"
    assert answer["messages"][0]["sender_kid"] == crypto.jwk_thumbprint(jwk)
    assert crypto.jws_header(answer["messages"][0]["jws"])["alg"] == "ES256"
