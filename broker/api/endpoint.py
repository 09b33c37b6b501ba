"""One decorator per API view: who is asking, input parsing, the transaction discipline, idempotency, output.

Every route goes through it, in one of two shapes:

- an ordinary view runs inside ONE transaction that authenticates the caller, parses the input,
  replays a repeated Idempotency-Key, calls the view, stores the answer for the key, and commits;
- a streaming view (`stream=True`: evidence bytes) gets a `Call` instead: the caller is
  authenticated (and a repeated key replayed) in a short transaction first, the view moves bytes
  with no transaction open and opens its own short ones with `call.transaction()`, and
  `call.answer(session, result)` stores the answer in the transaction that records the outcome.

The same marshmallow schemas that validate a request describe it in the OpenAPI document, so the
description cannot drift from the behaviour (see broker/api/openapi.py).
"""

import functools
import json
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
from broker.audit import operations as audit
from broker.parties.operations import authenticate
from broker.problems import Problem
from broker.services import Services
from broker.wire.registry import shared

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
    # Request headers the view reads, as OpenAPI parameter objects without "in" (name, required, …).
    headers: tuple[dict[str, Any], ...] = ()


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
    return current_app.extensions["broker"]


def endpoint(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Wrap a view: it receives `session`, `actor` and its parsed `body` / `query` / `jws`, or a `call`."""
    spec = EndpointSpec(**options)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Response:
            if spec.stream:
                return _handle_stream(spec, view, path_args)
            return _handle(spec, view, path_args)

        wrapper.endpoint_spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _handle(spec: EndpointSpec, view: Callable[..., Any], path_args: dict[str, Any]) -> Response:
    broker = services()
    with broker.database.transaction() as session:
        response = _respond(session, broker, spec, view, path_args)
        integrate_log(session)
    return response


def _respond(
    session: orm.Session,
    broker: Services,
    spec: EndpointSpec,
    view: Callable[..., Any],
    path_args: dict[str, Any],
) -> Response:
    # Who is asking comes first: an anonymous or expired caller learns nothing about its body.
    actor = None if spec.public else authenticate(session, broker.clock, bearer_token())
    arguments: dict[str, Any] = dict(path_args)
    if spec.query is not None:
        arguments["query"] = _load(spec.query, request.args.to_dict(flat=True), "query")
    if spec.body is not None:
        arguments["body"] = _load(spec.body, _json_body(), "body")
    if spec.signed:
        arguments["jws"] = _jose_body()
    key, fingerprint = _idempotency(spec, actor)
    if key is not None and actor is not None and fingerprint is not None:
        replay = replayed(session, actor, key, fingerprint)
        if replay is not None:
            return replay
    result = view(session=session, actor=actor, **arguments)
    return _answer(session, spec, broker, actor, key, fingerprint, result)


def integrate_log(session: orm.Session) -> None:
    """Last step of a transaction that recorded log entries: integrate the queue into the tree.

    Done inside the transaction, it costs no commit of its own, and the request's entries carry their
    index when it answers. When another transaction is integrating (PostgreSQL), it does not wait:
    that one, the next request or the worker integrates what is left.
    """
    if session.info.get(audit.APPENDED, False):
        audit.integrate(session, wait=False)


def _handle_stream(spec: EndpointSpec, view: Callable[..., Any], path_args: dict[str, Any]) -> Response:
    broker = services()
    with broker.database.transaction() as session:
        actor = authenticate(session, broker.clock, bearer_token())
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
    body = json.dumps(shared(spec.response).dump(result) if spec.response else result, ensure_ascii=False)
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


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, value in pairs:
        if name in document:
            raise problems.MalformedJSON(f"member {name!r} appears twice in one object")
        document[name] = value
    return document


def _reject_constant(name: str) -> None:
    raise problems.MalformedJSON(f"{name} is not a JSON number")


def _json_body() -> Any:
    if request.mimetype != "application/json":
        raise problems.UnsupportedMediaType(
            f"send this request as application/json, not {request.mimetype or 'without a Content-Type'}"
        )
    raw = request.get_data()
    try:
        return json.loads(raw, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise problems.MalformedJSON(f"the body is not valid JSON: {error}") from error


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
