"""Schemas shared by every API resource: problems, pagination."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is returned."""

    type = fields.String(required=True, metadata={"description": "Stable URI of the kind of problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "For validation errors: every offending field and why"})


class PageQuerySchema(Schema):
    """page / per_page for every list endpoint."""

    # Capped so that page * per_page stays far inside a 64-bit OFFSET on every database.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000_000))
    per_page = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "Items per page, at most the deployment's PAGE_SIZE_MAX (100 by default)"},
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A paginated list of `item`."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=name,
    )
