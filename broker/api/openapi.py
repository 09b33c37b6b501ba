"""OpenAPI 3 description generated from the views' EndpointSpec and their marshmallow schemas."""

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import json

from broker import problems
from broker.api.endpoint import JOSE_MEDIA_TYPE
from broker.api.endpoint import EndpointSpec
from broker.api.schemas.common import ProblemSchema

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

COMMON_PROBLEMS = (
    problems.Unauthenticated,
    problems.TokenExpired,
    problems.TokenRevoked,
    problems.PayloadTooLarge,
)

PATH_TYPES = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer", "minimum": 0}}
BINARY = {"type": "string", "format": "binary"}


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI description of API v1 (public, no token needed)."""
    return Response(json.dumps(build_spec(current_app)), mimetype="application/json")


# Not wrapped in @endpoint (it needs no transaction), but described like every other route.
openapi_document.endpoint_spec = EndpointSpec(  # type: ignore[attr-defined]
    summary="This OpenAPI description of API v1 (public, no token needed)", tag="meta", public=True
)


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk the URL map and describe every view that carries an EndpointSpec."""
    spec = APISpec(
        title="e-Evidence request broker",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Signed EPOC / EPOC-PR exchange under Regulation (EU) 2023/1543. "
            "Errors are RFC 9457 problem+json; signed messages are JWS compact over RFC 8785 JSON."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    from broker.api.schemas.orders import EpocDraftSchema
    from broker.api.schemas.orders import EpocPrDraftSchema

    spec.components.schema("EpocDraft", schema=EpocDraftSchema)
    spec.components.schema("EpocPrDraft", schema=EpocPrDraftSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        endpoint_spec: EndpointSpec | None = getattr(view, "endpoint_spec", None)
        if endpoint_spec is None:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        converters = {
            name: converter for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule.rule)
        }
        operations = {
            method.lower(): _operation(rule.endpoint, endpoint_spec, converters)
            for method in sorted(rule.methods or ())
            if method not in {"HEAD", "OPTIONS"}
        }
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(endpoint: str, spec: EndpointSpec, path_arguments: dict[str, str]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": [
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": PATH_TYPES.get(converter, PATH_TYPES["uuid"]),
            }
            for name, converter in path_arguments.items()
        ],
        "responses": {},
    }
    if spec.query is not None:
        operation["parameters"].append({"in": "query", "schema": spec.query})
    operation["parameters"] += [{"in": "header", **header} for header in spec.headers]
    if spec.idempotent:
        operation["parameters"].append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Retrying with the same key returns the first answer and changes nothing twice.",
            }
        )
    if spec.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": spec.body}}}
    if spec.signed:
        operation["requestBody"] = {
            "required": True,
            "content": {
                JOSE_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "description": "JWS compact serialization over the RFC 8785 canonical JSON of an "
                        "envelope (schemas/envelope.v1.json)",
                    }
                }
            },
        }
    if spec.raw_body is not None:
        operation["requestBody"] = {"required": True, "content": {spec.raw_body: {"schema": BINARY}}}
    success: dict[str, Any] = {"description": "Success"}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": spec.response}}
    if spec.raw_response is not None:
        success["content"] = {spec.raw_response: {"schema": BINARY}}
        operation["responses"]["206"] = {
            "description": "Partial content: the byte range asked for with Range",
            "content": {spec.raw_response: {"schema": BINARY}},
        }
    operation["responses"][str(spec.status)] = success
    if not spec.public:
        operation["security"] = [{"bearer": []}]
    listed = dict.fromkeys(spec.problems + _implied_problems(spec) + (() if spec.public else COMMON_PROBLEMS))
    by_status: dict[int, list[type[problems.Problem]]] = {}
    for problem in listed:
        by_status.setdefault(problem.status, []).append(problem)
    for status, kinds in sorted(by_status.items()):
        operation["responses"][str(status)] = {
            "description": "; ".join(f"{problems.PROBLEM_BASE}{kind.slug}" for kind in kinds),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return operation


def _implied_problems(spec: EndpointSpec) -> tuple[type[problems.Problem], ...]:
    """The problems endpoint.py itself raises for what the spec declares, so no view has to list them."""
    implied: list[type[problems.Problem]] = []
    if spec.body is not None:
        implied += [problems.MalformedJSON, problems.UnsupportedMediaType, problems.ValidationFailed]
    if spec.query is not None:
        implied.append(problems.ValidationFailed)
    if spec.signed:
        implied += [problems.MalformedMessage, problems.UnsupportedMediaType]
    if spec.idempotent:
        implied += [problems.ValidationFailed, problems.IdempotencyKeyReused]
    return tuple(implied)
