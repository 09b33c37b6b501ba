"""Bad input gets its own clear problem+json answer and leaves no partial order, message or side effect.

Every refusal is checked the same way: status, media type, the exact problem type URI, a detail, the
offending field for validation errors, and a snapshot of orders, messages, idempotency records and
the order itself (as its issuer reads it) taken before and after the request.
"""

import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from broker import crypto
from broker.crypto._b64 import b64url_encode
from broker.crypto.jws import _sign_with_header
from broker.orders import operations as order_operations
from broker.parties import operations
from broker.parties.models import ApiToken
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.wire import envelope

ORDERS = "/api/v1/orders"


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The response is an RFC 9457 document of type `slug` with `status` and a detail."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + slug
    assert problem["status"] == status
    assert isinstance(problem["detail"], str)
    assert problem["detail"].strip()
    return problem


def error_at(problem: dict[str, Any], path: str) -> Any:
    """The messages `errors` holds for a dotted field path (list indexes as numbers)."""
    node: Any = problem["errors"]
    for part in path.split("."):
        assert isinstance(node, dict), f"errors stop before {part!r} in {path!r}: {problem['errors']}"
        assert part in node, f"{path!r} is not named in errors: {problem['errors']}"
        node = node[part]
    assert node, f"no message for {path!r}"
    return node


@pytest.fixture
def nothing_changes(client, network, rows):
    """`with nothing_changes(order, ...):` asserts the block left every table and order as it was."""

    def snapshot(orders: tuple[dict[str, Any], ...]) -> Any:
        seen = []
        for order in orders:
            response = client.get(f"{ORDERS}/{order['id']}", headers=network["prosecutor"].headers)
            assert response.status_code == 200
            seen.append(response.get_json())
        return {
            "orders": rows("orders"),
            "messages": rows("messages"),
            "idempotency_records": rows("idempotency_records"),
            "seen": seen,
        }

    @contextmanager
    def check(*orders: dict[str, Any]) -> Iterator[None]:
        before = snapshot(orders)
        yield
        assert snapshot(orders) == before

    return check


def draft_request(network, drafts, addressee: str | None = None, **changes: Any) -> dict[str, Any]:
    """A valid POST /orders body for an EPOC to Example Mail; `changes` replace certificate members."""
    return {
        "order_type": "epoc",
        "certificate": drafts.epoc(addressee or network.addressees["provider"], **changes),
    }


def post_jose(client, path: str, jws: str, party) -> Any:
    return client.post(path, data=jws, content_type="application/jose", headers=party.headers)


# ---------------------------------------------------------------------------------------------------------
# Request bodies that are not the JSON they should be
# ---------------------------------------------------------------------------------------------------------

DELETE = object()


def set_at(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        pytest.param("colour", "blue", "colour", id="unknown top-level field"),
        pytest.param("certificate.colour", "blue", "certificate.colour", id="unknown certificate field"),
        pytest.param(
            "certificate.offence.severity",
            "high",
            "certificate.offence.severity",
            id="unknown nested field",
        ),
        pytest.param("certificate.emergency", "false", "certificate.emergency", id="string for emergency"),
        pytest.param("certificate.targets", 3, "certificate.targets", id="number for targets"),
        pytest.param(
            "certificate.offence.maximum_penalty_months",
            "sixty",
            "certificate.offence.maximum_penalty_months",
            id="string for a nested number",
        ),
        pytest.param(
            "certificate.targets.0.type",
            "pigeon",
            "certificate.targets.0.type",
            id="enum value in a list item not in the vocabulary",
        ),
        pytest.param("certificate.case_summary", DELETE, "certificate.case_summary", id="missing field"),
        pytest.param(
            "certificate.offence.description",
            DELETE,
            "certificate.offence.description",
            id="missing nested field",
        ),
        pytest.param("certificate", DELETE, "certificate", id="missing certificate"),
        pytest.param("order_type", "epo", "order_type", id="order type not in the list"),
        pytest.param("certificate.purpose", "curiosity", "certificate.purpose", id="purpose not in the list"),
        pytest.param("certificate", [], "certificate", id="certificate is a list"),
        pytest.param(
            "certificate.addressee", "not-a-uuid", "certificate.addressee", id="addressee not a uuid"
        ),
    ],
)
def test_a_draft_that_does_not_satisfy_the_schema_is_refused_naming_the_field(
    client, network, drafts, nothing_changes, path, value, named
):
    body = draft_request(network, drafts)
    set_at(body, path, value)
    with nothing_changes():
        response = client.post(ORDERS, json=body, headers=network["prosecutor"].headers)
        problem = assert_problem(response, 422, "validation-error")
    error_at(problem, named)


def test_a_draft_naming_an_unknown_addressee_is_refused(client, network, drafts, nothing_changes):
    body = draft_request(network, drafts, addressee=str(uuid.uuid4()))
    with nothing_changes():
        response = client.post(ORDERS, json=body, headers=network["prosecutor"].headers)
        problem = assert_problem(response, 422, "invalid-reference")
    error_at(problem, "addressee")


@pytest.mark.parametrize(
    ("data", "content_type", "status", "slug"),
    [
        pytest.param(
            b'{"order_type": "epoc",', "application/json", 400, "malformed-json", id="malformed JSON"
        ),
        pytest.param(
            b'{"order_type": "epoc", "order_type": "epoc-pr", "certificate": {}}',
            "application/json",
            400,
            "malformed-json",
            id="duplicate member",
        ),
        pytest.param(
            b'{"order_type": "epoc", "certificate": {"x": NaN}}',
            "application/json",
            400,
            "malformed-json",
            id="NaN is not JSON",
        ),
        pytest.param(b"\xff\xfe{}", "application/json", 400, "malformed-json", id="not UTF-8"),
        pytest.param(b"", "application/json", 400, "malformed-json", id="empty body"),
        pytest.param(b"[]", "application/json", 422, "validation-error", id="JSON array instead of object"),
        pytest.param(b'{"order_type": "epoc"}', "text/plain", 415, "unsupported-media-type", id="text/plain"),
        pytest.param(
            b"order_type=epoc",
            "application/x-www-form-urlencoded",
            415,
            "unsupported-media-type",
            id="form encoded",
        ),
        pytest.param(b"{}", None, 415, "unsupported-media-type", id="no Content-Type"),
    ],
)
def test_a_body_that_is_not_json_is_refused(
    client, network, nothing_changes, data, content_type, status, slug
):
    headers = dict(network["prosecutor"].headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    with nothing_changes():
        response = client.post(ORDERS, data=data, headers=headers)
        assert_problem(response, status, slug)


def test_a_body_over_the_size_limit_is_refused(app, client, network, nothing_changes):
    limit = app.config["MAX_CONTENT_LENGTH"]
    with nothing_changes():
        response = client.post(
            ORDERS,
            data=b" " * (limit + 1),
            content_type="application/json",
            headers=network["prosecutor"].headers,
        )
        problem = assert_problem(response, 413, "payload-too-large")
    assert str(limit) in problem["detail"]


def test_a_signed_message_over_the_size_limit_is_refused(app, client, network, exchange, nothing_changes):
    order = exchange.draft()
    limit = app.config["MAX_CONTENT_LENGTH"]
    with nothing_changes(order):
        response = post_jose(
            client, f"{ORDERS}/{order['id']}/issue", "a" * (limit + 1), network["prosecutor"]
        )
        assert_problem(response, 413, "payload-too-large")


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/plain", id="text/plain"),
        pytest.param("application/json", id="application/json"),
        pytest.param(None, id="no Content-Type"),
    ],
)
def test_a_signed_message_sent_as_another_media_type_is_refused(
    client, network, exchange, nothing_changes, content_type
):
    order = exchange.draft()
    prosecutor = network["prosecutor"]
    jws = prosecutor.sign("epoc", order["certificate"], order["provider"]["id"])
    headers = dict(prosecutor.headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    with nothing_changes(order):
        response = client.post(f"{ORDERS}/{order['id']}/issue", data=jws, headers=headers)
        problem = assert_problem(response, 415, "unsupported-media-type")
    assert "application/jose" in problem["detail"]


# ---------------------------------------------------------------------------------------------------------
# Signed messages that must not issue a draft
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Forge:
    """What a bad message is made from: the parties, the draft it targets, the clock and the database."""

    network: Any
    order: dict[str, Any]
    clock: Any
    database: Any

    @property
    def prosecutor(self):
        return self.network["prosecutor"]

    def envelope(self, **changes: Any) -> dict[str, Any]:
        sealed = envelope.new_envelope(
            message_type=self.order["order_type"],
            body=self.order["certificate"],
            sender=self.prosecutor.organisation_id,
            kid=self.prosecutor.kid,
            recipient=self.order["provider"]["id"],
            issued_at=self.clock(),
        )
        sealed.update(changes)
        return sealed

    def sign(self, **overrides: Any) -> str:
        order = self.order
        return self.prosecutor.sign(
            order["order_type"], order["certificate"], order["provider"]["id"], **overrides
        )

    def register_key(self, **validity: Any) -> Any:
        """A second key for the prosecutor's organisation; returns its private half and kid."""
        private_key = crypto.generate_private_key("EdDSA")
        with self.database.transaction() as session:
            organisation = session.get_one(Organisation, uuid.UUID(self.prosecutor.organisation_id))
            key = operations.register_key(
                session, self.clock, organisation=organisation, jwk=crypto.public_jwk(private_key), **validity
            )
            kid = key.kid
        return private_key, kid


def _signed_with(forge: Forge, private_key: Any, kid: str, **envelope_changes: Any) -> str:
    sealed = forge.envelope(sender={"organisation": forge.prosecutor.organisation_id, "kid": kid})
    sealed.update(envelope_changes)
    return envelope.seal(sealed, private_key, kid)


def alg_none(forge: Forge) -> str:
    header = b64url_encode(crypto.canonicalize({"alg": "none", "kid": forge.prosecutor.kid}))
    payload = b64url_encode(crypto.canonicalize(forge.envelope()))
    return f"{header}.{payload}."


def non_canonical_payload(forge: Forge) -> str:
    payload = json.dumps(forge.envelope(), indent=2).encode()
    assert payload != crypto.canonicalize(forge.envelope())
    return crypto.sign_jws(payload, forge.prosecutor.private_key, forge.prosecutor.kid)


def header_kid_differs_from_envelope(forge: Forge) -> str:
    """Signed with the header's key, a valid one of the sender's, but the envelope names another of its keys."""
    _, second_kid = forge.register_key()
    payload = crypto.canonicalize(
        forge.envelope(sender={"organisation": forge.prosecutor.organisation_id, "kid": second_kid})
    )
    return _sign_with_header(
        payload, forge.prosecutor.private_key, {"alg": "EdDSA", "kid": forge.prosecutor.kid}
    )


def header_names_another_organisations_key(forge: Forge) -> str:
    """The key is looked up by the header's kid before the payload is read: another party's is unknown here."""
    payload = crypto.canonicalize(forge.envelope())
    return _sign_with_header(
        payload, forge.prosecutor.private_key, {"alg": "EdDSA", "kid": forge.network["judge"].kid}
    )


def envelope_with_unknown_member(forge: Forge) -> str:
    return envelope.seal(forge.envelope(priority="high"), forge.prosecutor.private_key, forge.prosecutor.kid)


def payload_not_an_object(forge: Forge) -> str:
    return crypto.sign_jws(b"[1,2,3]", forge.prosecutor.private_key, forge.prosecutor.kid)


def impostor_key_claiming_registered_kid(forge: Forge) -> str:
    return forge.sign(private_key=crypto.generate_private_key("EdDSA"))


def unregistered_kid(forge: Forge) -> str:
    private_key = crypto.generate_private_key("EdDSA")
    return _signed_with(forge, private_key, crypto.jwk_thumbprint(crypto.public_jwk(private_key)))


def kid_of_another_organisation(forge: Forge) -> str:
    judge = forge.network["judge"]
    return _signed_with(forge, judge.private_key, judge.kid)


def revoked_key(forge: Forge) -> str:
    with forge.database.transaction() as session:
        operations.revoke_key(session, forge.clock, kid=forge.prosecutor.kid, reason="laptop stolen")
    return forge.sign()


def expired_key(forge: Forge) -> str:
    now = forge.clock()
    private_key, kid = forge.register_key(
        valid_from=now - timedelta(days=30), valid_until=now - timedelta(days=1)
    )
    return _signed_with(forge, private_key, kid)


def key_not_yet_valid(forge: Forge) -> str:
    now = forge.clock()
    private_key, kid = forge.register_key(valid_from=now + timedelta(days=1))
    return _signed_with(forge, private_key, kid)


def sender_is_another_organisation(forge: Forge) -> str:
    return forge.sign(sender=forge.network["judge"].organisation_id)


def recipient_is_another_provider(forge: Forge) -> str:
    order = forge.order
    return forge.prosecutor.sign(
        order["order_type"], order["certificate"], forge.network["other_provider"].organisation_id
    )


def response_instead_of_certificate(forge: Forge) -> str:
    return forge.prosecutor.sign(
        "response", {"outcome": "produced", "data_preserved": True}, forge.order["provider"]["id"]
    )


def epoc_pr_instead_of_epoc(forge: Forge) -> str:
    certificate = copy.deepcopy(forge.order["certificate"])
    del certificate["user_information"], certificate["similar_domestic_order_possible"]
    certificate["subsequent_request"] = "epo"
    return forge.prosecutor.sign("epoc-pr", certificate, forge.order["provider"]["id"])


def certificate_differs_from_draft(forge: Forge) -> str:
    certificate = copy.deepcopy(forge.order["certificate"])
    certificate["case_summary"] = "A different story than the one drafted."
    return forge.prosecutor.sign("epoc", certificate, forge.order["provider"]["id"])


def certificate_body_invalid(forge: Forge) -> str:
    certificate = copy.deepcopy(forge.order["certificate"])
    certificate["offence"]["maximum_penalty_months"] = -1
    return forge.prosecutor.sign("epoc", certificate, forge.order["provider"]["id"])


def issued_too_long_ago(forge: Forge) -> str:
    return forge.sign(issued_at=forge.clock() - timedelta(hours=1, seconds=1))


def issued_too_far_ahead(forge: Forge) -> str:
    return forge.sign(issued_at=forge.clock() + timedelta(minutes=5, seconds=1))


def signed_then_held_back(forge: Forge) -> str:
    jws = forge.sign()
    forge.clock.advance(hours=2)
    return jws


def in_reply_to_on_a_certificate(forge: Forge) -> str:
    return forge.sign(in_reply_to=str(uuid.uuid4()))


BAD_CERTIFICATE_MESSAGES = [
    # Not a JWS at all
    pytest.param(lambda forge: "", 400, "malformed-message", None, id="empty body"),
    pytest.param(lambda forge: "abc.def", 400, "malformed-message", None, id="two parts"),
    pytest.param(lambda forge: "a.b.c.d", 400, "malformed-message", None, id="four parts"),
    pytest.param(lambda forge: "!!!.***.###", 400, "malformed-message", None, id="garbage base64"),
    pytest.param(lambda forge: "Ωmega.b.c", 400, "malformed-message", None, id="not ASCII"),
    pytest.param(payload_not_an_object, 400, "malformed-message", None, id="payload not an object"),
    pytest.param(non_canonical_payload, 400, "malformed-message", None, id="payload not canonical JSON"),
    pytest.param(
        header_kid_differs_from_envelope,
        400,
        "malformed-message",
        None,
        id="header kid differs from envelope",
    ),
    pytest.param(
        envelope_with_unknown_member, 400, "malformed-message", "priority", id="unknown envelope member"
    ),
    # Signed by whom?
    pytest.param(alg_none, 422, "invalid-signature", None, id="unsigned (alg none)"),
    pytest.param(
        impostor_key_claiming_registered_kid, 422, "invalid-signature", None, id="signed by an impostor key"
    ),
    pytest.param(unregistered_kid, 422, "unknown-key", None, id="kid not registered"),
    pytest.param(
        header_names_another_organisations_key,
        422,
        "unknown-key",
        None,
        id="header names another organisation's key",
    ),
    pytest.param(kid_of_another_organisation, 422, "unknown-key", None, id="kid of another organisation"),
    pytest.param(revoked_key, 422, "key-revoked", None, id="revoked key"),
    pytest.param(expired_key, 422, "key-not-valid", None, id="key past its validity"),
    pytest.param(key_not_yet_valid, 422, "key-not-valid", None, id="key not yet valid"),
    pytest.param(
        sender_is_another_organisation, 403, "wrong-sender", None, id="sender is another organisation"
    ),
    # Signed, but not this certificate for this provider now
    pytest.param(recipient_is_another_provider, 422, "wrong-recipient", None, id="wrong recipient"),
    pytest.param(
        response_instead_of_certificate, 422, "unexpected-message-type", None, id="response to /issue"
    ),
    pytest.param(epoc_pr_instead_of_epoc, 422, "unexpected-message-type", None, id="epoc-pr for an epoc"),
    pytest.param(
        certificate_differs_from_draft, 422, "certificate-mismatch", None, id="differs from the draft"
    ),
    pytest.param(
        certificate_body_invalid,
        422,
        "validation-error",
        "body.offence.maximum_penalty_months",
        id="certificate body invalid",
    ),
    pytest.param(
        in_reply_to_on_a_certificate, 422, "validation-error", "in_reply_to", id="certificate in reply"
    ),
    pytest.param(issued_too_long_ago, 422, "stale-message", None, id="issued_at too old"),
    pytest.param(issued_too_far_ahead, 422, "stale-message", None, id="issued_at too far ahead"),
    pytest.param(signed_then_held_back, 422, "stale-message", None, id="held back past the window"),
]


@pytest.mark.parametrize(("forge_message", "status", "slug", "named"), BAD_CERTIFICATE_MESSAGES)
def test_a_bad_signed_certificate_does_not_issue_the_draft(
    client, network, exchange, clock, database, nothing_changes, forge_message, status, slug, named
):
    order = exchange.draft()
    jws = forge_message(Forge(network, order, clock, database))
    with nothing_changes(order):
        response = post_jose(client, f"{ORDERS}/{order['id']}/issue", jws, network["prosecutor"])
        problem = assert_problem(response, status, slug)
    if named is not None:
        error_at(problem, named)
    assert (
        client.get(f"{ORDERS}/{order['id']}", headers=network["prosecutor"].headers).json["state"] == "draft"
    )


def test_a_certificate_signed_with_a_valid_second_key_issues_the_draft(
    client, network, exchange, clock, database
):
    """The key checks above refuse for the stated reason, not because any second key is refused."""
    order = exchange.draft()
    forge = Forge(network, order, clock, database)
    private_key, kid = forge.register_key(valid_from=clock() - timedelta(days=1))
    response = post_jose(
        client, f"{ORDERS}/{order['id']}/issue", _signed_with(forge, private_key, kid), network["prosecutor"]
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["messages"][0]["sender_kid"] == kid


# ---------------------------------------------------------------------------------------------------------
# Signed responses that must not answer the order
# ---------------------------------------------------------------------------------------------------------


def response_in_reply_to_something_else(exchange, order, network) -> str:
    return network["provider"].sign(
        "response",
        {"outcome": "produced", "data_preserved": True},
        order["issuing_authority"]["id"],
        in_reply_to=str(uuid.uuid4()),
    )


def response_in_reply_to_nothing(exchange, order, network) -> str:
    return network["provider"].sign(
        "response", {"outcome": "produced", "data_preserved": True}, order["issuing_authority"]["id"]
    )


def response_missing_reason(exchange, order, network) -> str:
    return exchange.response_jws(
        order, {"outcome": "not_executed", "explanation": "x" * 10, "data_preserved": False}
    )


def response_with_outcome_for_another_order_type(exchange, order, network) -> str:
    return exchange.response_jws(order, {"outcome": "preserved", "data_preserved": True})


def response_to_the_wrong_authority(exchange, order, network) -> str:
    certificate_message = order["messages"][0]
    return network["provider"].sign(
        "response",
        {"outcome": "produced", "data_preserved": True},
        network["other_authority"].organisation_id,
        in_reply_to=certificate_message["id"],
    )


def certificate_instead_of_response(exchange, order, network) -> str:
    return network["provider"].sign(
        "epoc", order["certificate"], order["issuing_authority"]["id"], in_reply_to=order["messages"][0]["id"]
    )


def response_signed_for_another_provider(exchange, order, network) -> str:
    return exchange.response_jws(order, sender=network["other_provider"].organisation_id)


def response_issued_too_long_ago(exchange, order, network) -> str:
    return exchange.response_jws(order, issued_at=network.clock() - timedelta(hours=2))


@pytest.mark.parametrize(
    ("forge_response", "status", "slug", "named"),
    [
        pytest.param(
            response_in_reply_to_something_else,
            422,
            "validation-error",
            "in_reply_to",
            id="in_reply_to wrong",
        ),
        pytest.param(
            response_in_reply_to_nothing, 422, "validation-error", "in_reply_to", id="in_reply_to missing"
        ),
        pytest.param(response_missing_reason, 422, "validation-error", "body.reason", id="body invalid"),
        pytest.param(
            response_with_outcome_for_another_order_type,
            422,
            "validation-error",
            "body.outcome",
            id="preserved answers no epoc",
        ),
        pytest.param(response_to_the_wrong_authority, 422, "wrong-recipient", None, id="wrong recipient"),
        pytest.param(
            certificate_instead_of_response, 422, "unexpected-message-type", None, id="not a response"
        ),
        pytest.param(response_signed_for_another_provider, 403, "wrong-sender", None, id="wrong sender"),
        pytest.param(response_issued_too_long_ago, 422, "stale-message", None, id="stale"),
    ],
)
def test_a_bad_signed_response_does_not_answer_the_order(
    client, network, exchange, nothing_changes, forge_response, status, slug, named
):
    order = exchange.receive(exchange.issue(exchange.draft()))
    jws = forge_response(exchange, order, network)
    with nothing_changes(order):
        response = post_jose(client, f"{ORDERS}/{order['id']}/responses", jws, network["provider"])
        problem = assert_problem(response, status, slug)
    if named is not None:
        error_at(problem, named)
    assert (
        client.get(f"{ORDERS}/{order['id']}", headers=network["provider"].headers).json["state"] == "received"
    )


# ---------------------------------------------------------------------------------------------------------
# Replays and steps out of turn
# ---------------------------------------------------------------------------------------------------------


def test_a_certificate_replayed_to_another_draft_is_refused_and_the_draft_stays_a_draft(
    client, network, exchange, nothing_changes
):
    first, second = exchange.draft(), exchange.draft()
    prosecutor = network["prosecutor"]
    jws = prosecutor.sign("epoc", first["certificate"], first["provider"]["id"])
    assert post_jose(client, f"{ORDERS}/{first['id']}/issue", jws, prosecutor).status_code == 200
    with nothing_changes(first, second):
        response = post_jose(client, f"{ORDERS}/{second['id']}/issue", jws, prosecutor)
        problem = assert_problem(response, 409, "replayed-message")
    assert envelope.read_unverified(jws)["id"] in problem["detail"]
    assert client.get(f"{ORDERS}/{second['id']}", headers=prosecutor.headers).json["state"] == "draft"


def test_the_same_signed_response_sent_twice_is_refused_the_second_time(
    client, network, exchange, nothing_changes
):
    order = exchange.receive(exchange.issue(exchange.draft()))
    jws = exchange.response_jws(order)
    path = f"{ORDERS}/{order['id']}/responses"
    assert post_jose(client, path, jws, network["provider"]).status_code == 201
    answered = client.get(f"{ORDERS}/{order['id']}", headers=network["prosecutor"].headers).get_json()
    with nothing_changes(answered):
        assert_problem(post_jose(client, path, jws, network["provider"]), 409, "replayed-message")


def test_a_new_response_to_an_answered_order_is_not_allowed(client, network, exchange, nothing_changes):
    order = exchange.receive(exchange.issue(exchange.draft()))
    path = f"{ORDERS}/{order['id']}/responses"
    assert post_jose(client, path, exchange.response_jws(order), network["provider"]).status_code == 201
    answered = client.get(f"{ORDERS}/{order['id']}", headers=network["prosecutor"].headers).get_json()
    with nothing_changes(answered):
        problem = assert_problem(
            post_jose(client, path, exchange.response_jws(order), network["provider"]),
            409,
            "transition-not-allowed",
        )
    assert problem["state"] == "produced"


def test_a_signed_response_replayed_to_another_order_is_refused(client, network, exchange, nothing_changes):
    first = exchange.receive(exchange.issue(exchange.draft()))
    second = exchange.receive(exchange.issue(exchange.draft()))
    jws = exchange.response_jws(first)
    assert post_jose(client, f"{ORDERS}/{first['id']}/responses", jws, network["provider"]).status_code == 201
    with nothing_changes(first, second):
        response = post_jose(client, f"{ORDERS}/{second['id']}/responses", jws, network["provider"])
        assert_problem(response, 409, "replayed-message")


def test_responding_before_receiving_is_not_allowed(client, network, exchange, nothing_changes):
    issued = exchange.issue(exchange.draft())
    jws = exchange.response_jws(issued)
    with nothing_changes(issued):
        response = post_jose(client, f"{ORDERS}/{issued['id']}/responses", jws, network["provider"])
        problem = assert_problem(response, 409, "transition-not-allowed")
    assert problem["state"] == "issued"


def test_issuing_twice_is_not_allowed(client, network, exchange, nothing_changes):
    draft = exchange.draft()
    issued = exchange.issue(draft)
    with nothing_changes(issued):
        jws = network["prosecutor"].sign("epoc", draft["certificate"], draft["provider"]["id"])
        response = post_jose(client, f"{ORDERS}/{draft['id']}/issue", jws, network["prosecutor"])
        problem = assert_problem(response, 409, "transition-not-allowed")
    assert problem["state"] == "issued"


# ---------------------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------------------


def _token_id(database, token: str) -> uuid.UUID:
    with database.engine.connect() as connection:
        return connection.scalar(
            sa.select(ApiToken.id).where(ApiToken.token_sha256 == operations.hash_token(token))
        )


def revoked_token(network, clock, database) -> dict[str, str]:
    prosecutor = network["prosecutor"]
    with database.transaction() as session:
        operations.revoke_token(session, clock, _token_id(database, prosecutor.token))
    return prosecutor.headers


def expired_token(network, clock, database) -> dict[str, str]:
    clock.advance(days=31)
    return network["prosecutor"].headers


def token_of_a_disabled_user(network, clock, database) -> dict[str, str]:
    from broker.parties.models import User

    prosecutor = network["prosecutor"]
    with database.transaction() as session:
        user = session.scalar(sa.select(User).where(User.email == "prosecutor@example.test"))
        user.disabled_at = clock()
    return prosecutor.headers


@pytest.mark.parametrize(
    ("credentials", "slug"),
    [
        pytest.param(lambda network, clock, database: {}, "unauthenticated", id="no Authorization header"),
        pytest.param(
            lambda network, clock, database: {"Authorization": "Bearer ebt_not-a-token-anyone-was-given"},
            "unauthenticated",
            id="unknown token",
        ),
        pytest.param(
            lambda network, clock, database: {"Authorization": "Bearer "}, "unauthenticated", id="empty token"
        ),
        pytest.param(
            lambda network, clock, database: {"Authorization": f"Basic {network['prosecutor'].token}"},
            "unauthenticated",
            id="not a bearer token",
        ),
        pytest.param(expired_token, "token-expired", id="expired token"),
        pytest.param(revoked_token, "unauthenticated", id="revoked token, told as unknown"),
        pytest.param(token_of_a_disabled_user, "unauthenticated", id="disabled user"),
    ],
)
def test_a_request_without_a_usable_token_is_unauthenticated(
    client, network, clock, database, drafts, nothing_changes, credentials, slug
):
    headers = credentials(network, clock, database)
    with nothing_changes():
        response = client.post(ORDERS, json=draft_request(network, drafts), headers=headers)
        assert_problem(response, 401, slug)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# ---------------------------------------------------------------------------------------------------------
# Another party's order is no order at all
# ---------------------------------------------------------------------------------------------------------


def _issue_request(client, network, order, who: str, order_id: str) -> Any:
    party = network[who]
    jws = party.sign(order["order_type"], order["certificate"], order["provider"]["id"])
    return post_jose(client, f"{ORDERS}/{order_id}/issue", jws, party)


def _respond_request(client, network, order, who: str, order_id: str) -> Any:
    party = network[who]
    jws = party.sign(
        "response",
        {"outcome": "produced", "data_preserved": True},
        order["issuing_authority"]["id"],
        in_reply_to=order["messages"][0]["id"] if order["messages"] else None,
    )
    return post_jose(client, f"{ORDERS}/{order_id}/responses", jws, party)


@pytest.mark.parametrize(
    ("stage", "who", "send"),
    [
        pytest.param(
            "issued",
            "other_authority",
            lambda client, network, order, who, order_id: client.get(
                f"{ORDERS}/{order_id}", headers=network[who].headers
            ),
            id="another authority reads",
        ),
        pytest.param(
            "issued",
            "other_provider",
            lambda client, network, order, who, order_id: client.get(
                f"{ORDERS}/{order_id}", headers=network[who].headers
            ),
            id="another provider reads",
        ),
        pytest.param(
            "issued",
            "enforcing",
            lambda client, network, order, who, order_id: client.get(
                f"{ORDERS}/{order_id}", headers=network[who].headers
            ),
            id="an enforcing authority reads",
        ),
        pytest.param("draft", "other_authority", _issue_request, id="another authority issues"),
        pytest.param(
            "issued",
            "other_provider",
            lambda client, network, order, who, order_id: client.post(
                f"{ORDERS}/{order_id}/receive", headers=network[who].headers
            ),
            id="another provider receives",
        ),
        pytest.param("received", "other_provider", _respond_request, id="another provider responds"),
    ],
)
def test_another_partys_order_is_indistinguishable_from_a_missing_one(
    client, network, exchange, nothing_changes, stage, who, send
):
    order = exchange.draft()
    if stage in ("issued", "received"):
        order = exchange.issue(order)
    if stage == "received":
        order = exchange.receive(order)
    missing = str(uuid.uuid4())
    with nothing_changes(order):
        theirs = assert_problem(send(client, network, order, who, order["id"]), 404, "not-found")
        nobodys = assert_problem(send(client, network, order, who, missing), 404, "not-found")
    assert json.dumps(theirs).replace(order["id"], "ID") == json.dumps(nobodys).replace(missing, "ID")


# ---------------------------------------------------------------------------------------------------------
# Routing and the unexpected
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", f"{ORDERS}/not-a-uuid", id="malformed uuid"),
        pytest.param("POST", f"{ORDERS}/12345/issue", id="malformed uuid on a write"),
        pytest.param("GET", "/api/v1/nothing-here", id="unknown route under the API"),
        pytest.param("GET", "/elsewhere", id="unknown route outside the API"),
    ],
)
def test_an_unknown_path_is_a_not_found_problem(client, network, nothing_changes, method, path):
    with nothing_changes():
        response = client.open(path, method=method, headers=network["prosecutor"].headers)
        assert_problem(response, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("DELETE", ORDERS, {"GET", "POST"}, id="DELETE the order list"),
        pytest.param("PUT", f"{ORDERS}/{uuid.uuid4()}", {"GET"}, id="PUT an order"),
        pytest.param("GET", f"{ORDERS}/{uuid.uuid4()}/issue", {"POST"}, id="GET a write"),
        pytest.param("POST", "/api/v1/me", {"GET"}, id="POST a read"),
    ],
)
def test_a_wrong_method_is_refused_with_the_allowed_ones(
    client, network, nothing_changes, method, path, allowed
):
    with nothing_changes():
        response = client.open(path, method=method, headers=network["prosecutor"].headers)
        assert_problem(response, 405, "method-not-allowed")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert method not in response.headers["Allow"]


def test_an_unexpected_error_is_a_500_problem_that_reveals_nothing(
    client, network, drafts, nothing_changes, monkeypatch
):
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret connection string postgresql://admin:hunter2@db")

    monkeypatch.setattr(order_operations, "create_draft", explode)
    with nothing_changes():
        response = client.post(
            ORDERS, json=draft_request(network, drafts), headers=network["prosecutor"].headers
        )
        assert_problem(response, 500, "internal-error")
    body = response.get_data(as_text=True)
    for leak in ("secret", "hunter2", "RuntimeError", "Traceback", "explode"):
        assert leak not in body


def test_validation_errors_send_every_offending_field_at_once(client, network, drafts, nothing_changes):
    body = draft_request(network, drafts, emergency="no", targets=3)
    body["certificate"]["offence"]["maximum_penalty_months"] = "sixty"
    with nothing_changes():
        problem = assert_problem(
            client.post(ORDERS, json=body, headers=network["prosecutor"].headers), 422, "validation-error"
        )
    for path in (
        "certificate.emergency",
        "certificate.targets",
        "certificate.offence.maximum_penalty_months",
    ):
        error_at(problem, path)
