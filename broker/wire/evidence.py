"""The evidence manifest: what the addressee produced, as encrypted packages, and the hashes that prove it.

The addressee signs it, so the issuing authority can show in court which files it received from whom,
that each package is the one the provider uploaded (ciphertext SHA-256) and that each decrypted file
is the one the provider produced (plaintext SHA-256). The broker checks the package hashes against the
bytes it stored before it accepts the manifest; only the authority, holding the age identity, can
check the plaintext hashes.
"""

from typing import Any

from marshmallow import fields
from marshmallow import validate

from broker.vocabulary import DataCategory
from broker.wire.fields import TimeRange
from broker.wire.fields import UuidString
from broker.wire.fields import WholeNumber
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import text
from broker.wire.fields import unique_items

SHA256_PATTERN = r"^[0-9a-f]{64}$(?!\n)"
# An age X25519 recipient: Bech32, lowercase, HRP "age", 32-byte key (age-encryption.org/v1).
AGE_RECIPIENT_PATTERN = r"^age1[02-9ac-hj-np-z]{58}$(?!\n)"
# A file name as the provider's system knew it: no folders, no control characters.
FILE_NAME_PATTERN = r"^[^/\\\x00-\x1f\x7f]{1,255}$(?!\n)"
MAX_FILES = 1000


def sha256_hex(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(SHA256_PATTERN, error="Not a SHA-256 digest in lowercase hex."), **kwargs
    )


class EncryptedPackage(WireSchema):
    """The age file uploaded to the broker for one produced file."""

    id = UuidString(required=True)
    size = WholeNumber(required=True, validate=validate.Range(min=1))
    sha256 = sha256_hex(required=True)


class ProducedFile(WireSchema):
    """One produced file before encryption, and the package that carries it."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(FILE_NAME_PATTERN, error="Not a file name (1-255 characters, no folders)."),
    )
    size = WholeNumber(required=True, validate=validate.Range(min=0))
    sha256 = sha256_hex(required=True)
    package = fields.Nested(EncryptedPackage, required=True)


class EvidenceManifestSchema(WireSchema):
    """The addressee's signed list of produced files, sent once the packages are uploaded."""

    data_categories = fields.List(
        choice(DataCategory), required=True, validate=[validate.Length(min=1, max=4), unique_items]
    )
    time_range = fields.Nested(TimeRange, required=True)
    recipient = fields.String(
        required=True,
        validate=validate.Regexp(AGE_RECIPIENT_PATTERN, error="Not an age X25519 recipient (age1…)."),
    )
    files = fields.List(
        fields.Nested(ProducedFile), required=True, validate=validate.Length(min=1, max=MAX_FILES)
    )
    addressee_file_number = text(100)
