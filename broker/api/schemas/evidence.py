"""API representations of evidence packages: announcing one, reading its state, reporting on it."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EvidenceState
from broker.wire.evidence import FILE_NAME_PATTERN
from broker.wire.evidence import SHA256_PATTERN
from broker.wire.fields import WholeNumber
from broker.wire.fields import choice


class StartUploadSchema(Schema):
    """The package the addressee is about to upload: the age file it encrypted, measured beforehand."""

    file_name = fields.String(
        required=True,
        validate=validate.Regexp(FILE_NAME_PATTERN, error="Not a file name (1-255 characters, no folders)."),
        metadata={"description": "The package's file name, e.g. mailbox.mbox.age (not logged)"},
    )
    size = WholeNumber(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "The package's exact size in bytes: the upload may not exceed it"},
    )
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(SHA256_PATTERN, error="Not a SHA-256 digest in lowercase hex."),
        metadata={"description": "SHA-256 of the whole package; the broker measures and compares"},
    )


class PackageSchema(Schema):
    """A package as its parties see it; `chunks_received` tells an interrupted upload where to resume."""

    id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    state = fields.Enum(EvidenceState, by_value=True, required=True)
    file_name = fields.String(required=True)
    declared_size = fields.Integer(required=True)
    declared_sha256 = fields.String(required=True)
    chunk_size = fields.Integer(required=True)
    chunk_count = fields.Integer(required=True)
    chunks_received = fields.List(fields.Integer(), required=True)
    size = fields.Integer(allow_none=True, metadata={"description": "Measured by the broker once assembled"})
    sha256 = fields.String(allow_none=True, metadata={"description": "Measured by the broker once assembled"})
    manifest_message_id = fields.UUID(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    uploaded_at = fields.AwareDateTime(allow_none=True)
    sealed_at = fields.AwareDateTime(allow_none=True)
    retained_until = fields.AwareDateTime(
        allow_none=True, metadata={"description": "When the broker deletes the sealed ciphertext"}
    )
    deleted_at = fields.AwareDateTime(allow_none=True)
    deletion_reason = fields.String(allow_none=True)
    decryption_outcome = fields.Enum(DecryptionOutcome, by_value=True, allow_none=True)
    decryption_reported_at = fields.AwareDateTime(allow_none=True)


class ChunkSchema(Schema):
    """A chunk the broker stored: its number, size and the SHA-256 it measured, and how far the package is.

    Which chunks arrived (to resume an upload) is in GET on the package.
    """

    index = fields.Integer(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    package_id = fields.UUID(required=True)
    chunk_count = fields.Integer(required=True)
    chunks_received_count = fields.Integer(required=True)


class PackageListSchema(Schema):
    """Every package of an order that the caller may know of, oldest first."""

    items = fields.List(fields.Nested(PackageSchema), required=True)


class DecryptionReportSchema(Schema):
    """The issuing authority's word after fetching: decrypted and every hash matched, or not."""

    outcome = choice(DecryptionOutcome, required=True)
    detail = fields.String(validate=validate.Length(min=1, max=2000))
