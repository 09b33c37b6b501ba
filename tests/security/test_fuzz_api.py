"""Property-based fuzzing of every operation against the published OpenAPI document (schemathesis).

Each operation of GET /api/v1/openapi.json is one test. Schemathesis generates its path, query,
headers and body from the document, valid and invalid alike; each example is sent, in process, to a
broker with the test network registered (every kind of party, tokens and keys) and a few real
objects (a draft, an issued and a received order, a webhook, a checkpoint), as one of the parties
(or with no token, or a wrong one), with path ids sometimes swapped for those real objects so that
examples get past "not found". An application/jose body is, by turns, what schemathesis made of
the document's string schema, random text, or a properly signed envelope (`broker.wire.envelope`)
whose body was generated from the message type's JSON Schema in schemas/, signed by the party the
token belongs to or by another, to the order's parties or to strangers.

A test fails on any 5xx (`not_a_server_error`) and on any answer that breaks the document: a status
it does not list, another media type, a body or a header its schema does not allow
(`*_conformance`), and on an operation that ignores its bearer token (`ignored_auth`). Every answer
also passes the suite's own contract check (tests/contract/live_openapi.py).

The budget is fixed: EXAMPLES per operation (twice that for the signed routes), derandomized (the
same inputs every run), no example database and no shrinking (a failure is reported as generated,
with the request as a curl command); so the run is repeatable, and takes about three minutes of one
core on this project's machine. BROKER_FUZZ_EXAMPLES sets another budget for a longer run by hand.
"""

import json
import os
import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from broker import crypto
from broker.api.openapi import build_spec
from broker.app import create_app
from broker.wire import envelope

# Examples per operation (twice that for the signed routes): about three minutes of one core in all.
EXAMPLES = int(os.environ.get("BROKER_FUZZ_EXAMPLES", "25"))
SEED = 20261206
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
PARTIES = ("prosecutor", "judge", "other_authority", "provider", "other_provider", "enforcing", "oversight")
ANONYMOUS, FORGED = "anonymous", "forged-token"
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.ignored_auth,
]


def openapi_document() -> dict[str, Any]:
    """The document the broker serves, built as GET /api/v1/openapi.json builds it (no database needed)."""
    with tempfile.TemporaryDirectory(prefix="broker-fuzz-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/unused.sqlite3", "EVIDENCE_FOLDER": folder})
        document = build_spec(app)
        app.extensions["broker"].database.dispose()
    return document


def schemathesis_config() -> schemathesis.Config:
    """Seeded and deterministic, with no cache written anywhere; the budget is hypothesis' settings below."""
    return schemathesis.Config.from_dict(
        {"seed": SEED, "cache": {"enabled": False}, "generation": {"deterministic": True}}
    )


# Read once to name the tests; each test fuzzes the document its own broker serves (the same one).
DOCUMENT = openapi_document()


@schemathesis.serializer("application/jose")
def _jose(ctx: Any, value: Any) -> bytes:
    """A JWS compact string goes on the wire as its ASCII bytes (anything else as UTF-8, to test refusal)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


# --- Signed envelopes with generated bodies ------------------------------------------------------


@cache
def _json_schemas() -> dict[str, dict[str, Any]]:
    documents = [json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.v1.json"))]
    return {document["$id"]: document for document in documents}


def _inlined(node: Any, base: dict[str, Any]) -> Any:
    """A JSON Schema with every $ref (to schemas/common.v1.json or within itself) replaced by its target."""
    if isinstance(node, list):
        return [_inlined(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        uri, _, fragment = node["$ref"].partition("#")
        document = _json_schemas()[uri] if uri else base
        target: Any = document
        for part in filter(None, fragment.split("/")):
            target = target[part]
        rest = {name: value for name, value in node.items() if name != "$ref"}
        return {**_inlined(target, document), **_inlined(rest, base)}
    return {
        name: _inlined(value, base) for name, value in node.items() if name not in ("$schema", "$id", "$defs")
    }


@cache
def _bodies() -> Any:
    """A schemathesis schema with one operation per message type, whose JSON body is that type's schema.

    Drawing its operations' cases is how bodies are generated from schemas/ with schemathesis' own
    JSON Schema generator (public API: `APIOperation.as_strategy`), so no second generator is needed.
    """
    paths = {}
    for uri, document in _json_schemas().items():
        name = uri.split(":")[-2]
        if name in ("common", "envelope"):
            continue
        content = {"application/json": {"schema": _inlined(document, document)}}
        paths[f"/{name}"] = {
            "post": {
                "requestBody": {"required": True, "content": content},
                "responses": {"200": {"description": "-"}},
            }
        }
    raw = {"openapi": "3.1.0", "info": {"title": "message bodies", "version": "1"}, "paths": paths}
    return schemathesis.openapi.from_dict(
        raw, config=schemathesis.Config.from_dict({"cache": {"enabled": False}})
    )


def body_of(message_type: str) -> st.SearchStrategy[Any]:
    """Bodies valid against the type's JSON Schema, and now and then ones that are not."""
    operation = _bodies()[f"/{message_type}"]["POST"]
    # Only what RFC 8785 can canonicalise can be signed (integers beyond 2**53 cannot).
    valid = operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: case.body).filter(_is_json)
    # Negative bodies may also come as bytes for the wire; an envelope holds only JSON values.
    invalid = operation.as_strategy(GenerationMode.NEGATIVE).map(lambda case: case.body).filter(_is_json)
    return st.one_of(valid, valid, invalid)


def _is_json(value: Any) -> bool:
    try:
        crypto.canonicalize(value)
    except crypto.CanonicalizationError:
        return False
    return True


def message_types(operation: dict[str, Any]) -> list[str]:
    """The message types an application/jose operation takes, as the document lists them (x-message-types)."""
    return sorted(
        entry["type"] for entry in operation["requestBody"]["content"]["application/jose"]["x-message-types"]
    )


def signed_envelope(rng: random.Random, world: "World", message_type: str, body: Any, role: str) -> str:
    """A JWS over a well-formed envelope around `body`: mostly right, now and then one thing wrong.

    The signer is the token's party (or another), the sender its organisation (or the provider's),
    the key its own (or another's), the recipient a party (or nobody known), the reply a real
    message (or none, or an unknown one), issued now (or up to two hours before, ten minutes after).
    """
    signer = role if role in PARTIES and rng.random() < 0.8 else rng.choice(PARTIES)
    party = world.network[signer]
    sender = party.organisation_id if rng.random() < 0.9 else world.network["provider"].organisation_id
    recipients = [world.network[handle].organisation_id for handle in PARTIES]
    stranger = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    recipient = rng.choice(recipients) if rng.random() < 0.9 else stranger
    replies = [None, *world.message_ids, stranger]
    sealed = envelope.new_envelope(
        message_type=message_type,
        body=body,
        sender=sender,
        kid=party.kid,
        recipient=recipient,
        issued_at=world.clock() + timedelta(seconds=rng.choice([0, 0, 0, -60, -7200, 600])),
        in_reply_to=rng.choice(replies),
        message_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    key = party.private_key if rng.random() < 0.9 else world.network["other_provider"].private_key
    return envelope.seal(sealed, key, party.kid)


# --- The world each operation is fuzzed against ------------------------------------------------


@dataclass
class World:
    """An app on the test database, its parties and the ids of real objects to aim at."""

    app: Any
    network: Any
    clock: Any
    ids: dict[str, list[str]]
    message_ids: list[str]

    def headers(self, role: str) -> dict[str, str]:
        if role == ANONYMOUS:
            return {}
        if role == FORGED:
            return {"Authorization": "Bearer ebt_forged"}
        return self.network[role].headers


@pytest.fixture
def app(database, clock, broker_key_file, tmp_path):
    """The suite's app, with rate limits no fuzzing run reaches: a 429 would hide what is behind it."""
    generous = "1000000/minute"
    settings = {
        "TESTING": True,
        "KEY_FILE": str(broker_key_file),
        "LOG_ORIGIN": "broker.test/log",
        "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "EVIDENCE_CHUNK_SIZE": 1024,
        "RATE_LIMIT_KEY_PREFIX": f"fuzz-{uuid.uuid4()}",
        "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": generous,
        "RATE_LIMIT_AUTH_FAILURES_PER_TOKEN": generous,
        "RATE_LIMIT_PER_TOKEN": generous,
        "RATE_LIMIT_EXPENSIVE": generous,
    }
    return create_app(settings, clock=clock, database=database)


@pytest.fixture
def world(app, client, network, exchange, clock) -> World:
    """The network, a draft, an issued and a received order, an evidence package, a webhook, a checkpoint."""
    draft = exchange.draft()
    issued = exchange.issue(exchange.draft())
    received = exchange.receive(exchange.issue(exchange.draft(author="judge"), author="judge"))
    hook = client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.examplemail.test/broker"},
        headers=network["provider"].headers,
    )
    checkpoint = client.post("/api/v1/audit/checkpoints", headers=network["oversight"].headers)
    package = client.post(
        f"/api/v1/orders/{received['id']}/evidence",
        json={"file_name": "evidence.age", "size": 3000, "sha256": "ab" * 32},
        headers=network["provider"].headers,
    )
    assert (hook.status_code, checkpoint.status_code, package.status_code) == (201, 201, 201), (
        package.get_json()
    )
    orders = [draft["id"], issued["id"], received["id"]]
    ids = {
        "order_id": orders,
        "organisation_id": [network[handle].organisation_id for handle in PARTIES],
        "webhook_id": [hook.get_json()["id"]],
        "package_id": [package.get_json()["id"]],
        "index": ["0", "1", str(checkpoint.get_json()["size"] - 1)],
    }
    messages = [message["id"] for order in (issued, received) for message in order["messages"]]
    return World(app, network, clock, ids, messages)


OPERATIONS = [
    (path, method.upper())
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in ("get", "put", "post", "delete", "patch")
]


@pytest.mark.parametrize(
    ("path", "method"), OPERATIONS, ids=[f"{method} {path}" for path, method in OPERATIONS]
)
def test_every_operation_keeps_its_contract(path, method, world):
    served = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app, config=schemathesis_config())
    assert served.raw_schema == DOCUMENT
    operation = served[path][method]
    described = DOCUMENT["paths"][path][method.lower()]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        # The signed routes get twice the examples: their bodies are where the most can go wrong.
        max_examples=EXAMPLES * (2 if "application/jose" in str(described.get("requestBody")) else 1),
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking, no explaining: a failure is reported as generated (derandomized, so it recurs),
        # which keeps a failing run as short as a passing one.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=cases, data=st.data())
    def example(case: Any, data: Any) -> None:
        # Choices about the world are made by a Random seeded with what schemathesis generated, not drawn
        # from strategies, which lean to the simplest value (the first party, no real id) and would leave
        # the rest untried; seeded from the example alone, it makes the same choices when hypothesis
        # replays the example.
        generated = (case.path_parameters, case.query, case.headers, case.body, data.draw(st.integers()))
        rng = random.Random(f"{SEED}:{method} {path}:{generated!r}")
        # Mostly a party (three in four), so that examples get past authentication to what lies behind.
        role = rng.choice(PARTIES) if rng.random() < 0.75 else rng.choice([ANONYMOUS, FORGED])
        for name in list(case.path_parameters or {}):
            real = world.ids.get(name)
            # Mostly a real object (four in five), so that examples get past "not found".
            if real and rng.random() < 0.8:
                case.path_parameters[name] = rng.choice(real)
        if case.media_type == "application/jose":
            kind = rng.choice(["generated", "text", "signed", "signed", "signed"])
            if kind == "text":
                case.body = data.draw(st.text(max_size=300), label="text")
            elif kind == "signed":
                message_type = rng.choice(message_types(described))
                body = data.draw(body_of(message_type), label="body")
                case.body = signed_envelope(rng, world, message_type, body, role)
            if rng.random() < 0.5:  # a well-formed key half the time: the body is what is under test
                case.headers = {**(case.headers or {}), "Idempotency-Key": f"fuzz-{rng.getrandbits(64)}"}
        case.call_and_validate(app=world.app, headers=world.headers(role), checks=CHECKS)

    example()
