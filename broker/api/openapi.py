"""OpenAPI 3.1 description generated from the views' EndpointSpec, their marshmallow schemas and broker/problems.py.

Besides what each EndpointSpec declares, the document says what the layers around every view do, so
that it describes every status, header and problem a route can really answer with:

- endpoint.py authenticates (401), parses bodies and queries (400, 413, 415, 422) and replays an
  Idempotency-Key (the replay carries Idempotent-Replayed; a reused key is 422, a race 409);
- routing refuses a path value its converter does not take (404): a log index that is not a whole
  number, an order id that is not a UUID;
- errors.py turns anything unexpected into internal-error (500), adds WWW-Authenticate to a 401 and
  Allow to a 405;
- a streamed download carries ETag, Repr-Digest, Accept-Ranges and Content-Disposition, a 206
  Content-Range, and its 416 Content-Range too;
- headers.py adds X-Content-Type-Options, Cache-Control and Referrer-Policy to every response, and
  Strict-Transport-Security over TLS;
- endpoint.py refuses text no field may hold (422 invalid-text) in bodies, queries and envelopes.

tests/contract/live_openapi.py checks every response the test suite produces against this document.
"""

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
from broker.vocabulary import MessageType
from broker.wire.registry import BODY_SCHEMAS
from broker.wire.registry import NOTIFICATION_BODY_SCHEMAS
from broker.wire.registry import REMOVAL_BODY_SCHEMAS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Who is asking (401) and how often (429): the door every request with a token passes, before its view.
DOOR_STATUSES = (401, 429)

PATH_TYPES = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer", "minimum": 0}}
BINARY = {"type": "string", "format": "binary"}
# Three base64url parts; the payload is the RFC 8785 canonical JSON of an envelope.
JWS_COMPACT = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
SCHEMA_ID = "urn:eevidence-broker:schema:{name}:v{version}"
SCHEMA_FILE = "schemas/{name}.v{version}.json"

# The orders themselves, each signed by its issuer: the certificates, the removal order and the UK's
# overseas production order.
ORDERS = (
    MessageType.EPOC,
    MessageType.EPOC_PR,
    MessageType.REMOVAL_ORDER,
    MessageType.OVERSEAS_PRODUCTION_ORDER,
)
# Which message types each signed route takes (the operations refuse the others as
# unexpected-message-type); a signed route missing here stops the document from being built.
MESSAGE_TYPES: dict[str, tuple[MessageType, ...]] = {
    "orders.issue_order": ORDERS,
    "orders.respond": (MessageType.RESPONSE,),
    "orders.send_message": tuple(
        kind for kind in MessageType if kind not in ORDERS and kind is not MessageType.THREAT_NOTIFICATION
    ),
    # Regulation (EU) 2022/2065, Art. 18: a notification that belongs to no order.
    "threats.notify": (MessageType.THREAT_NOTIFICATION,),
}
ENVELOPE_VERSION = (
    3  # version 3 admits every removal message, scrutiny and preservation too (schemas/envelope.v3.json)
)

# Response headers the broker sends, each always (required) or never on the responses that list it.
HEADERS: dict[str, dict[str, Any]] = {
    "WWW-Authenticate": {
        "description": "On every 401: the scheme to authenticate with (RFC 9110)",
        "required": True,
        "schema": {"const": 'Bearer realm="eevidence-broker"'},
    },
    "Allow": {
        "description": "On a 405 and an answer to OPTIONS: the methods the path takes",
        "required": True,
        "schema": {"type": "string"},
    },
    "Content-Range": {
        "description": "On a 206, the range sent (bytes first-last/size); on a 416, bytes */size",
        "required": True,
        "schema": {"type": "string", "pattern": r"^bytes (\d+-\d+|\*)/\d+$"},
    },
    "ETag": {
        "description": "The package's SHA-256 in lowercase hex, quoted: send it as If-Range to resume",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'},
    },
    "Repr-Digest": {
        "description": "RFC 9530: the whole package's SHA-256, base64 (also on a 206)",
        "required": True,
        "schema": {"type": "string", "pattern": "^sha-256=:[A-Za-z0-9+/]{43}=:$"},
    },
    "Accept-Ranges": {
        "description": "Byte ranges are served",
        "required": True,
        "schema": {"const": "bytes"},
    },
    "Content-Disposition": {
        "description": "attachment; filename=<package id>.age",
        "required": True,
        "schema": {"type": "string", "pattern": '^attachment; filename="[0-9a-f-]{36}\\.age"$'},
    },
    "Retry-After": {
        "description": "On a 429: whole seconds to wait before asking again (RFC 9110)",
        "required": True,
        "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
    },
    "Idempotent-Replayed": {
        "description": "The first answer to this Idempotency-Key, replayed: nothing was done twice",
        "required": False,
        "schema": {"const": "true"},
    },
    # Sent with every response by broker/api/headers.py, whatever the route and status.
    "X-Content-Type-Options": {
        "description": "On every response: browsers must not guess the media type",
        "required": True,
        "schema": {"const": "nosniff"},
    },
    "Cache-Control": {
        "description": "On every response: no browser or proxy may keep an answer",
        "required": True,
        "schema": {"const": "no-store"},
    },
    "Referrer-Policy": {
        "description": "On every response: nothing the broker serves names itself to the next site",
        "required": True,
        "schema": {"const": "no-referrer"},
    },
    "Strict-Transport-Security": {
        "description": "On every response to a request that came over TLS (behind BROKER_TRUSTED_PROXIES proxies)",
        "required": False,
        "schema": {"type": "string", "pattern": "^max-age=[0-9]+"},
    },
}
# Headers broker/api/headers.py adds to every response, listed on every response of the document.
EVERY_RESPONSE_HEADERS = (
    "X-Content-Type-Options",
    "Cache-Control",
    "Referrer-Policy",
    "Strict-Transport-Security",
)
# Headers errors.py and the download add to problem responses of these statuses.
PROBLEM_HEADERS = {
    401: ("WWW-Authenticate",),
    405: ("Allow",),
    416: ("Content-Range",),
    429: ("Retry-After",),
}
# Headers of a streamed download (raw_response), whole (200) or partial (206).
DOWNLOAD_HEADERS = ("ETag", "Repr-Digest", "Accept-Ranges", "Content-Disposition")

DESCRIPTION = """\
Signed EPOC / EPOC-PR exchange under Regulation (EU) 2023/1543. Signed messages are JWS compact over \
RFC 8785 JSON (their message types: `x-message-types` on each application/jose body, each with its \
JSON Schema in the repository's schemas/ folder).

Errors are RFC 9457 problem+json: each response lists the problem types it can carry, one schema per \
type (components/schemas/*Problem) with its extension members. A path not listed here answers \
`UnknownPath` (404 not-found); a method a path does not list answers `MethodNotAllowed` (405, with \
Allow), OPTIONS answers `Options` (200, Allow, no body); HEAD is GET without a body. Every operation \
can fail with internal-error (500).\
"""


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI description of API v1 (public, no token needed).

    Built on the first request and kept on the app: an app's routes and settings do not change once it
    serves, and building walks every route's schemas (a third of a second).
    """
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = json.dumps(build_spec(current_app))
    return Response(document, mimetype="application/json")


# Not wrapped in @endpoint (it needs no transaction), but described like every other route.
openapi_document.endpoint_spec = EndpointSpec(  # type: ignore[attr-defined]
    summary="This OpenAPI description of API v1 (public, no token needed)", tag="meta", public=True
)
# What the document itself answers with (it has no marshmallow schema).
DOCUMENT_SCHEMA = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "description": "This OpenAPI 3.1 document",
}


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk the URL map and describe every view that carries an EndpointSpec."""
    spec = APISpec(
        title="e-Evidence request broker",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    for kind in problems.problem_types():
        spec.components.schema(problem_schema_name(kind), component=problem_schema(kind))
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    spec.components.response("UnknownPath", _problem_response((problems.NotFound,), "A path not listed here"))
    spec.components.response(
        "MethodNotAllowed", _problem_response((problems.MethodNotAllowed,), "A method the path does not list")
    )
    spec.components.response(
        "Options",
        {
            "description": "OPTIONS on a listed path: its methods, no body",
            "headers": {"Allow": _ref("headers", "Allow")},
        },
    )
    from broker.api.schemas.orders import EpocDraftSchema
    from broker.api.schemas.orders import EpocPrDraftSchema
    from broker.api.schemas.orders import OverseasProductionOrderDraftSchema
    from broker.api.schemas.orders import RemovalOrderDraftSchema

    spec.components.schema("EpocDraft", schema=EpocDraftSchema)
    spec.components.schema("EpocPrDraft", schema=EpocPrDraftSchema)
    spec.components.schema("RemovalOrderDraft", schema=RemovalOrderDraftSchema)
    spec.components.schema("OverseasProductionOrderDraft", schema=OverseasProductionOrderDraftSchema)
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
    return _with_every_response_headers(spec.to_dict())


def _with_every_response_headers(document: dict[str, Any]) -> dict[str, Any]:
    """List the headers every response carries (EVERY_RESPONSE_HEADERS) on every response of `document`."""
    responses = list(document["components"]["responses"].values())
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                responses += operation["responses"].values()
    for response in responses:
        response.setdefault("headers", {}).update(
            {name: _ref("headers", name) for name in EVERY_RESPONSE_HEADERS}
        )
    return document


def problem_schema_name(kind: type[problems.Problem]) -> str:
    """The component name of a problem type's schema: transfer-held -> TransferHeldProblem."""
    return "".join(part.capitalize() for part in kind.slug.split("-")) + "Problem"


def problem_schema(kind: type[problems.Problem]) -> dict[str, Any]:
    """A problem type's schema: the shared members, its fixed type and status, its own members, nothing else."""
    status: dict[str, Any] = {"const": kind.status}
    if kind is problems.HttpError:  # the status the HTTP layer chose
        status = {"type": "integer", "minimum": 400, "maximum": 599}
    schema: dict[str, Any] = {
        "description": f"{problems.PROBLEM_BASE}{kind.slug}: {kind.title}",
        "allOf": [{"$ref": "#/components/schemas/Problem"}],
        "properties": {
            "type": {"const": problems.PROBLEM_BASE + kind.slug},
            "status": status,
            **{name: dict(member) for name, member in kind.members.items()},
        },
        "unevaluatedProperties": False,
    }
    if kind.required_members:
        schema["required"] = sorted(kind.required_members)
    return schema


def _ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def _problem_response(kinds: tuple[type[problems.Problem], ...], description: str = "") -> dict[str, Any]:
    """One status's error response: the problem types it can carry, and the headers sent with them."""
    refs = {problems.PROBLEM_BASE + kind.slug: _ref("schemas", problem_schema_name(kind)) for kind in kinds}
    schema: dict[str, Any] = next(iter(refs.values()))
    if len(refs) > 1:
        mapping = {uri: ref["$ref"] for uri, ref in refs.items()}
        schema = {"oneOf": list(refs.values()), "discriminator": {"propertyName": "type", "mapping": mapping}}
    response: dict[str, Any] = {
        "description": description or "; ".join(refs),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }
    headers = PROBLEM_HEADERS.get(kinds[0].status, ())
    if headers:
        response["headers"] = {name: _ref("headers", name) for name in headers}
    return response


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
        operation["requestBody"] = _signed_body(endpoint)
    if spec.raw_body is not None:
        operation["requestBody"] = {"required": True, "content": {spec.raw_body: {"schema": BINARY}}}
    operation["responses"] = _success(endpoint, spec)
    if not spec.public:
        operation["security"] = [{"bearer": []}]
    listed = dict.fromkeys(spec.problems + _implied_problems(spec, bool(path_arguments)))
    by_status: dict[int, list[type[problems.Problem]]] = {}
    for problem in listed:
        by_status.setdefault(problem.status, []).append(problem)
    for status, kinds in sorted(by_status.items()):
        operation["responses"][str(status)] = _problem_response(tuple(kinds))
    return operation


def _success(endpoint: str, spec: EndpointSpec) -> dict[str, Any]:
    """The success responses: their content and the headers sent with them."""
    success: dict[str, Any] = {"description": "Success"}
    responses = {str(spec.status): success}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": spec.response}}
    if endpoint == "openapi.openapi_document":
        success["content"] = {"application/json": {"schema": DOCUMENT_SCHEMA}}
    if spec.idempotent:
        success["headers"] = {"Idempotent-Replayed": _ref("headers", "Idempotent-Replayed")}
    if spec.response_media is not None:  # a non-JSON document the view builds (HI-1 XML)
        success["content"] = {spec.response_media: {"schema": {"type": "string"}}}
    if spec.raw_response is not None:
        success["content"] = {spec.raw_response: {"schema": BINARY}}
        success["headers"] = {name: _ref("headers", name) for name in DOWNLOAD_HEADERS}
        responses["206"] = {
            "description": "Partial content: the byte range asked for with Range",
            "content": {spec.raw_response: {"schema": BINARY}},
            "headers": {name: _ref("headers", name) for name in (*DOWNLOAD_HEADERS, "Content-Range")},
        }
    return responses


def _signed_body(endpoint: str) -> dict[str, Any]:
    """A JWS compact serialization, described by the envelope and the message types the route takes.

    OpenAPI cannot look inside a JWS (contentSchema would claim the string itself is JSON), so the
    schemas of what it carries are named in extensions and published as files in schemas/.
    """
    if endpoint not in MESSAGE_TYPES:
        raise LookupError(f"signed route {endpoint} must say which message types it takes (MESSAGE_TYPES)")
    accepted = [
        {
            "type": kind.value,
            "version": version,
            "schema": SCHEMA_ID.format(name=kind.value, version=version),
            "file": SCHEMA_FILE.format(name=kind.value, version=version),
        }
        for kind in MESSAGE_TYPES[endpoint]
        for body_kind, version in (*BODY_SCHEMAS, *REMOVAL_BODY_SCHEMAS, *NOTIFICATION_BODY_SCHEMAS)
        if body_kind == kind
    ]
    names = ", ".join(kind.value for kind in MESSAGE_TYPES[endpoint])
    return {
        "required": True,
        "description": f"A signed message of type {names}",
        "content": {
            JOSE_MEDIA_TYPE: {
                "schema": {
                    "type": "string",
                    "pattern": JWS_COMPACT,
                    "description": "JWS compact serialization (ASCII) whose payload is the RFC 8785 canonical "
                    f"JSON of an envelope (schemas/envelope.v{ENVELOPE_VERSION}.json); the envelope's body is the message "
                    f"type's document: {names}",
                },
                "x-envelope": {
                    "schema": SCHEMA_ID.format(name="envelope", version=ENVELOPE_VERSION),
                    "file": SCHEMA_FILE.format(name="envelope", version=ENVELOPE_VERSION),
                },
                "x-message-types": accepted,
            }
        },
    }


def _implied_problems(spec: EndpointSpec, has_path_arguments: bool) -> tuple[type[problems.Problem], ...]:
    """The problems the layers around a view raise for what its spec declares, so no view has to list them."""
    implied: list[type[problems.Problem]] = [problems.Problem]  # internal-error, on any route
    if not spec.public:
        implied += [kind for kind in problems.problem_types() if kind.status in DOOR_STATUSES]
    if has_path_arguments:
        implied.append(problems.NotFound)  # a path value its converter refuses
    if spec.body is not None:
        implied += [
            problems.MalformedJSON,
            problems.UnsupportedMediaType,
            problems.ValidationFailed,
            problems.InvalidText,
            problems.PayloadTooLarge,
        ]
    if spec.query is not None:
        implied += [problems.ValidationFailed, problems.InvalidText]
    if spec.signed:
        implied += [
            problems.MalformedMessage,
            problems.UnsupportedMediaType,
            problems.InvalidText,
            problems.PayloadTooLarge,
        ]
    if spec.idempotent:
        implied += [problems.ValidationFailed, problems.IdempotencyKeyReused, problems.Conflict]
        if not spec.stream:  # the Idempotency-Key's fingerprint reads the body
            implied.append(problems.PayloadTooLarge)
    return tuple(implied)
