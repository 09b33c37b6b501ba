"""One decorator per API view: who is asking, input parsing, the transaction discipline, idempotency, output.

Every route goes through it, in one of two shapes:

- an ordinary view runs inside ONE transaction that authenticates the caller, parses the input,
  replays a repeated Idempotency-Key, calls the view, stores the answer for the key, and commits;
- a streaming view (`stream=True`: evidence bytes) gets a `Call` instead: the caller is
  authenticated (and a repeated key replayed) in a short transaction first, the view moves bytes
  with no transaction open and opens its own short ones with `call.transaction()`, and
  `call.answer(session, result)` stores the answer in the transaction that records the outcome.

Before either opens a transaction, the caller's bearer token is read and the rate limits are
applied (broker/api/ratelimit.py), so a refused caller costs no database work; a token that does
not authenticate is counted against its address and itself.

Everything a caller sends is read within limits: JSON bodies by `broker.crypto.jsonlimits` (depth,
number length, duplicate members), and every string of a body, a query or a signed envelope must
be text the broker can store and answer with: no NUL, no lone surrogate (`invalid-text`, naming
where). SQLite would store either and PostgreSQL refuse them, so both databases answer alike.

The same marshmallow schemas that validate a request describe it in the OpenAPI document, so the
description cannot drift from the behaviour (see broker/api/openapi.py).
"""

import functools
import json
import logging
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Response
from flask import current_app
from flask import request
from marshmallow import Schema
from marshmallow import ValidationError
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api import idempotency
from broker.api import ratelimit
from broker.audit import operations as audit
from broker.crypto import jsonlimits
from broker.parties.operations import authenticate
from broker.problems import Problem
from broker.services import Services
from broker.wire.registry import shared

log = logging.getLogger(__name__)

JOSE_MEDIA_TYPE = "application/jose"


@dataclass(frozen=True)
class EndpointSpec:
    """What the decorator does for a view, and what the OpenAPI generator says about it."""

    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    signed: bool = False
    idempotent: bool = False
    public: bool = False
    # The view moves bytes outside any transaction and receives a Call (see the module docstring).
    stream: bool = False
    problems: tuple[type[Problem], ...] = field(default_factory=tuple)
    # Media types of a streamed request body or response (evidence bytes), which no schema describes.
    raw_body: str | None = None
    raw_response: str | None = None
    # A non-streaming view with raw_body gets the whole body as `raw` bytes (read_body), of that media
    # type and at most raw_body_limit bytes; a view that builds a non-JSON answer itself returns a
    # Response, whose media type response_media names for the OpenAPI document.
    raw_body_limit: int = 1_048_576
    response_media: str | None = None
    # Request headers the view reads, as OpenAPI parameter objects without "in" (name, required, …).
    headers: tuple[dict[str, Any], ...] = ()
    # Costly for the broker (legal checks, reports, proofs, downloads): limited per token on its own.
    expensive: bool = False


@dataclass
class Call:
    """A streaming view's request: who asks, short transactions, and the answer kept for its key."""

    spec: EndpointSpec
    actor: Actor
    services: Services
    key: str | None
    fingerprint: str | None

    @contextmanager
    def transaction(self) -> Iterator[orm.Session]:
        """A short transaction, committed when the block ends without an exception."""
        with self.services.database.transaction() as session:
            yield session
            integrate_log(session)

    def answer(self, session: orm.Session, result: Any) -> Response:
        """The view's answer, remembered for a repeated Idempotency-Key inside `session`'s transaction."""
        return _answer(session, self.spec, self.services, self.actor, self.key, self.fingerprint, result)


def services() -> Services:
    """The database, clock and settings of the running app."""
    broker: Services = current_app.extensions["broker"]
    return broker


def endpoint(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Wrap a view: it receives `session`, `actor` and its parsed `body` / `query` / `jws`, or a `call`."""
    spec = EndpointSpec(**options)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Response:
            token = _admit(spec)
            if spec.stream:
                if token is None:
                    raise TypeError(f"streaming view {view.__name__} cannot be public")
                return _handle_stream(spec, view, path_args, token)
            return _handle(spec, view, path_args, token)

        wrapper.endpoint_spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _admit(spec: EndpointSpec) -> str | None:
    """Before any database work: the caller's bearer token (none for a public view), within the rate limits."""
    if spec.public:
        return None
    token = bearer_token()
    ratelimit.limits().admit(
        address=client_address(), token=token, route=request.endpoint if spec.expensive else None
    )
    return token


def client_address() -> str:
    """The caller's address: the peer's, or the one the trusted proxies forwarded (TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def _authenticate(session: orm.Session, broker: Services, token: str) -> Actor:
    """The actor behind `token`; a token that does not authenticate is counted against the rate limits."""
    try:
        return authenticate(session, broker.clock, token)
    except (problems.Unauthenticated, problems.TokenExpired):
        ratelimit.limits().failed_authentication(address=client_address(), token=token)
        raise


def _handle(
    spec: EndpointSpec, view: Callable[..., Any], path_args: dict[str, Any], token: str | None
) -> Response:
    broker = services()
    with broker.database.transaction() as session:
        response = _respond(session, broker, spec, view, path_args, token)
        integrate_log(session)
    return response


def _respond(
    session: orm.Session,
    broker: Services,
    spec: EndpointSpec,
    view: Callable[..., Any],
    path_args: dict[str, Any],
    token: str | None,
) -> Response:
    # Who is asking comes first: an anonymous or expired caller learns nothing about its body.
    actor = None if token is None else _authenticate(session, broker, token)
    arguments: dict[str, Any] = dict(path_args)
    if spec.query is not None:
        arguments["query"] = _load(spec.query, _query(), "query")
    if spec.body is not None:
        arguments["body"] = _load(spec.body, _json_body(), "body")
    if spec.signed:
        arguments["jws"] = _jose_body()
    if spec.raw_body is not None:
        arguments["raw"] = read_body(spec.raw_body, spec.raw_body_limit)
    key, fingerprint = _idempotency(spec, actor)
    if key is not None and actor is not None and fingerprint is not None:
        replay = replayed(session, actor, key, fingerprint)
        if replay is not None:
            return replay
    result = view(session=session, actor=actor, **arguments)
    if isinstance(result, Response):  # a non-JSON answer the view built (response_media)
        return result
    return _answer(session, spec, broker, actor, key, fingerprint, result)


def integrate_log(session: orm.Session) -> None:
    """Last step of a transaction that recorded log entries: integrate the queue into the tree.

    Done inside the transaction, it costs no commit of its own, and the request's entries carry their
    index when it answers. When another transaction is integrating (PostgreSQL), it does not wait:
    that one, the next request or the worker integrates what is left.
    """
    if session.info.get(audit.APPENDED, False):
        audit.integrate(session, wait=False)


def _handle_stream(
    spec: EndpointSpec, view: Callable[..., Any], path_args: dict[str, Any], token: str
) -> Response:
    broker = services()
    with broker.database.transaction() as session:
        actor = _authenticate(session, broker, token)
        # The fingerprint covers method, path and query: a streamed body is never read twice.
        key, fingerprint = _idempotency(spec, actor, body=b"")
        if key is not None and fingerprint is not None:
            replay = replayed(session, actor, key, fingerprint)
            if replay is not None:
                return replay
    response = view(call=Call(spec, actor, broker, key, fingerprint), **path_args)
    if not isinstance(response, Response):
        raise TypeError(f"streaming view {view.__name__} must return call.answer(…) or a Response")
    return response


def _idempotency(
    spec: EndpointSpec, actor: Actor | None, *, body: bytes | None = None
) -> tuple[str | None, str | None]:
    """The request's Idempotency-Key (checked) and what makes a retry "the same request"."""
    key = request.headers.get("Idempotency-Key") if spec.idempotent and actor is not None else None
    if key is None:
        return None, None
    idempotency.check_key(key)
    raw = request.get_data() if body is None else body
    return key, idempotency.fingerprint(request.method, request.path, request.query_string, raw)


def _answer(
    session: orm.Session,
    spec: EndpointSpec,
    broker: Services,
    actor: Actor | None,
    key: str | None,
    fingerprint: str | None,
    result: Any,
) -> Response:
    document = shared(spec.response).dump(result) if spec.response else result
    body = json.dumps(document, ensure_ascii=False)
    try:
        # Encoded here, inside the transaction: an answer that cannot be sent must not follow a commit.
        body.encode("utf-8")
    except UnicodeEncodeError:
        # Only text stored before the door refused it can get here; JSON escapes keep it readable.
        log.warning("answer of %s %s holds unencodable text; sent escaped", request.method, request.path)
        body = json.dumps(document, ensure_ascii=True)
    if key is not None and actor is not None and fingerprint is not None:
        idempotency.remember(session, actor.user_id, key, fingerprint, spec.status, body, broker.clock())
    return _json_response(body, spec.status)


def replayed(session: orm.Session, actor: Actor, key: str, fingerprint: str) -> Response | None:
    """The first answer to this user's request with this Idempotency-Key, if there was one."""
    record = idempotency.find(session, actor.user_id, idempotency.check_key(key), fingerprint)
    if record is None:
        return None
    replay = _json_response(record.response_body, record.status_code)
    replay.headers["Idempotent-Replayed"] = "true"
    return replay


def _json_response(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="application/json")


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise problems.Unauthenticated("send an API token as 'Authorization: Bearer <token>'")
    return token.strip()


def _json_body() -> Any:
    """The JSON body, read within jsonlimits' bounds; every string must be acceptable text."""
    if request.mimetype != "application/json":
        raise problems.UnsupportedMediaType(
            f"send this request as application/json, not {request.mimetype or 'without a Content-Type'}"
        )
    try:
        return jsonlimits.loads(request.get_data())
    except jsonlimits.JSONRefused as error:
        raise problems.MalformedJSON(f"the body is not valid JSON: {error}") from error
    except jsonlimits.TextRefused as refused:
        raise problems.InvalidText(
            f"the body holds text that cannot be accepted: {refused}",
            errors=problems.text_errors(refused.fields),
        ) from refused


def _query() -> dict[str, str]:
    """The query parameters; every name and value must be acceptable text (URL decoding can yield NUL)."""
    refused = jsonlimits.refused_pairs(request.args.items(multi=True))
    if refused:
        first, why = next(iter(refused.items()))
        raise problems.InvalidText(f"the query parameter {first} {why}", errors=problems.text_errors(refused))
    return request.args.to_dict(flat=True)


def read_body(media_type: str, limit: int) -> bytes:
    """A whole non-JSON body (XML) of `media_type`, refused unread above `limit` bytes.

    The decorator reads it for a view with `raw_body` (as `raw`); a streaming view that wants the
    whole body after all (the HI-1 door, which opens a transaction per action) calls it itself.
    """
    if request.mimetype != media_type:
        raise problems.UnsupportedMediaType(
            f"send this request as {media_type}, not {request.mimetype or 'without a Content-Type'}"
        )
    if request.content_length is not None and request.content_length > limit:
        raise problems.PayloadTooLarge(
            f"the body is {request.content_length} bytes; at most {limit} are accepted"
        )
    request.max_content_length = limit
    return request.get_data()


def _jose_body() -> str:
    if request.mimetype != JOSE_MEDIA_TYPE:
        raise problems.UnsupportedMediaType(
            f"send the signed message as {JOSE_MEDIA_TYPE} (JWS compact serialization), "
            f"not {request.mimetype or 'without a Content-Type'}"
        )
    try:
        return request.get_data().decode("ascii").strip()
    except UnicodeDecodeError as error:
        raise problems.MalformedMessage("a JWS compact serialization is ASCII only") from error


def _load(schema: type[Schema], data: Any, location: str) -> Any:
    try:
        return shared(schema).load(data)
    except ValidationError as error:
        raise problems.ValidationFailed(
            f"the request {location} is invalid", errors=error.messages
        ) from error
