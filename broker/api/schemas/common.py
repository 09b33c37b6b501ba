"""Schemas shared by every API resource: problems, pagination."""

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is returned: the members every problem type shares.

    Open to extension members: each problem type's own schema in the OpenAPI document (generated from
    broker/problems.py) declares which it carries, and closes the list.
    """

    class Meta:
        # Extension members pass (without additionalProperties, which would mark them evaluated and
        # open every problem type's unevaluatedProperties: false).
        unknown = EXCLUDE

    type = fields.String(
        required=True,
        metadata={"description": "Stable URI of the kind of problem: switch on it, never on title or detail"},
    )
    title = fields.String(required=True, metadata={"description": "The problem type's summary, for people"})
    status = fields.Integer(
        required=True,
        validate=validate.Range(min=400, max=599),
        metadata={"description": "The HTTP status, repeated"},
    )
    detail = fields.String(required=True, metadata={"description": "What went wrong this time, for people"})
    instance = fields.String(metadata={"description": "The request path"})


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
