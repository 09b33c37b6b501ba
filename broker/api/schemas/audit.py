"""API representations of the transparency log; hashes travel as standard base64."""

import base64
from typing import Any

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from broker.api.schemas.common import PageQuerySchema
from broker.api.schemas.common import page_schema


class Base64Bytes(fields.Field[bytes]):
    """Bytes on the wire as standard base64 (as in C2SP checkpoints)."""

    def _serialize(self, value: bytes | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else base64.b64encode(value).decode("ascii")


class EntrySchema(Schema):
    index = fields.Integer(dump_only=True)
    leaf = fields.String(dump_only=True, metadata={"description": "The RFC 8785 JSON that was hashed"})
    leaf_hash = Base64Bytes(dump_only=True, metadata={"description": "SHA-256(0x00 || leaf), base64"})


class EntryPageSchema(Schema):
    size = fields.Integer(dump_only=True, metadata={"description": "The log's size now"})
    entries = fields.List(fields.Nested(EntrySchema), dump_only=True)


# Indexes are stored as BIGINT; a larger start is refused here rather than failing in the database.
MAX_INDEX = 2**63 - 1


class EntryQuerySchema(Schema):
    start = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INDEX))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class CheckpointSchema(Schema):
    id = fields.Integer(dump_only=True)
    size = fields.Integer(dump_only=True)
    root_hash = Base64Bytes(dump_only=True)
    note = fields.String(dump_only=True, metadata={"description": "C2SP signed note, verify with the vkey"})
    created_at = fields.AwareDateTime(dump_only=True)


CheckpointPageSchema = page_schema(CheckpointSchema, "CheckpointPage")


class SigningKeyInfoSchema(Schema):
    origin = fields.String(dump_only=True)
    vkey = fields.String(dump_only=True, metadata={"description": "C2SP signed-note verifier key"})


class InclusionQuerySchema(Schema):
    index = fields.Integer(required=True, validate=validate.Range(min=0))
    size = fields.Integer(required=True, validate=validate.Range(min=1))


class InclusionProofSchema(Schema):
    index = fields.Integer(dump_only=True)
    size = fields.Integer(dump_only=True)
    leaf_hash = Base64Bytes(dump_only=True)
    root_hash = Base64Bytes(dump_only=True)
    proof = fields.List(Base64Bytes(), dump_only=True)


class ConsistencyQuerySchema(Schema):
    old_size = fields.Integer(required=True, validate=validate.Range(min=1))
    new_size = fields.Integer(required=True, validate=validate.Range(min=1))


class ConsistencyProofSchema(Schema):
    old_size = fields.Integer(dump_only=True)
    new_size = fields.Integer(dump_only=True)
    old_root = Base64Bytes(dump_only=True)
    new_root = Base64Bytes(dump_only=True)
    proof = fields.List(Base64Bytes(), dump_only=True)


class TimelineEntrySchema(EntrySchema):
    proof = fields.List(
        Base64Bytes(),
        dump_only=True,
        allow_none=True,
        metadata={"description": "Inclusion proof in the checkpoint; null for an entry recorded after it"},
    )


class QueuedEntrySchema(Schema):
    document = fields.String(
        dump_only=True,
        metadata={
            "description": "The entry as queued, JSON without its index and previous, which integration adds"
        },
    )


class CaseFileSchema(Schema):
    order = fields.Dict(
        dump_only=True, metadata={"description": "The order's metadata and checks, no evidence"}
    )
    checkpoint = fields.Nested(CheckpointSchema, dump_only=True, allow_none=True)
    entries = fields.List(
        fields.Nested(TimelineEntrySchema),
        dump_only=True,
        metadata={
            "description": "Every integrated entry about the order, in log order; each leaf names the "
            "previous entry about the order (null for the first), so a gap shows"
        },
    )
    queued = fields.List(
        fields.Nested(QueuedEntrySchema),
        dump_only=True,
        metadata={"description": "Entries about the order recorded but not yet integrated into the log"},
    )


class CheckpointQuerySchema(PageQuerySchema):
    pass
