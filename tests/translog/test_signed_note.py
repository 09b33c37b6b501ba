"""The signed-note layer against the example in the Go reference (golang.org/x/mod/sumdb/note docs)."""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker.translog import open_note
from broker.translog import sign_note
from broker.translog import verifier_key

# From the package documentation of golang.org/x/mod/sumdb/note ("Here is a well-formed signed note").
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    b"If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + (
        "\n— PeterNeumann "
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    ).encode()
)


def _go_key() -> Ed25519PrivateKey:
    algorithm_and_seed = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert algorithm_and_seed[0] == 1
    return Ed25519PrivateKey.from_private_bytes(algorithm_and_seed[1:])


def test_verifier_key_matches_go() -> None:
    assert verifier_key("PeterNeumann", _go_key().public_key()) == GO_VKEY


def test_signing_reproduces_the_go_note_byte_for_byte() -> None:
    assert sign_note(GO_TEXT, "PeterNeumann", _go_key()) == GO_NOTE


def test_opening_the_go_note_gives_its_text() -> None:
    assert open_note(GO_NOTE, GO_VKEY) == GO_TEXT
