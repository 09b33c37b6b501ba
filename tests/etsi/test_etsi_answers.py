"""Every kind of provider answer travels as HI-1 and becomes the order's lifecycle message, checked against its JWS."""

import base64
import hashlib
import io
import uuid
from typing import Any

import pyrage
import pytest
from lxml import etree

from broker.client import age
from broker.etsi import hi1
from broker.etsi import provider
from broker.etsi.hi1 import Endpoint
from broker.parties import operations
from broker.parties.models import Organisation

ANSWERS: dict[str, tuple[str, str, dict[str, Any], str]] = {
    # name: (order type, message type, body, state after)
    "not executed, data not stored": (
        "epoc",
        "response",
        {
            "outcome": "not_executed",
            "reason": "data_not_stored",
            "explanation": "No account under that address.",
            "data_preserved": False,
        },
        "not_executed",
    ),
    "partially produced, other reason": (
        "epoc",
        "response",
        {"outcome": "partially_produced", "reason": "other", "explanation": "Part.", "data_preserved": True},
        "partially_produced",
    ),
    "conflict of laws": (
        "epoc",
        "third-country-objection",
        {
            "third_country": "US",
            "law": "Stored Communications Act",
            "provision": "18 U.S.C. 2702(a)",
            "applicability": "The data are held by a US provider.",
            "nature_of_conflict": "Disclosure of content is barred.",
        },
        "suspended",
    ),
    "clarification": (
        "epoc",
        "clarification-request",
        {"reason": "incomplete_or_manifest_error", "explanation": "Which account?"},
        "clarification_requested",
    ),
    "immunity": ("epoc", "immunity-concern", {"explanation": "A journalist's account."}, "under_review"),
    "preserved": ("epoc-pr", "response", {"outcome": "preserved", "data_preserved": True}, "preserved"),
    "preservation notice": (
        "epoc",
        "preservation-notice",
        {"preserved_at": "2026-09-01T10:00:00Z"},
        "preserved",
    ),
}


def _endpoints(app: Any, network: Any) -> tuple[Endpoint, Endpoint]:
    return Endpoint("US", network["provider"].organisation_id), Endpoint("EU", app.config["LOG_ORIGIN"])


def _post(client: Any, party: Any, data: bytes) -> list[etree._Element]:
    response = client.post(
        "/api/v1/etsi/hi1", data=data, content_type="application/xml", headers=party.headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    root = hi1.read(response.get_data()).root
    return list(root.iterfind(hi1.path_of("Payload/ResponsePayload/ActionResponses/ActionResponse")))


def _errors(replies: list[etree._Element]) -> list[str]:
    return [
        r.findtext(hi1.path_of("ErrorInformation/ErrorDescription")) or ""
        for r in replies
        if r.find(hi1.path_of("ErrorInformation")) is not None
    ]


def _answer(
    app: Any, network: Any, exchange: Any, order: dict[str, Any], kind: str, body: dict[str, Any]
) -> tuple[bytes, str]:
    """The provider's signed `kind` in reply to the certificate, as its HI-1 system sends it, and the JWS."""
    party = network["provider"]
    certificate = next(m for m in order["messages"] if m["type"] == order["order_type"])
    jws = party.sign(kind, body, order["issuing_authority"]["id"], in_reply_to=certificate["id"])
    sender, broker = _endpoints(app, network)
    return provider.answer(sender, broker, order, jws, exchange.network.clock()), jws


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_in_hi1_becomes_the_orders_message(app, client, network, exchange, name: str) -> None:
    order_type, kind, body, state = ANSWERS[name]
    order = exchange.receive(exchange.issue(exchange.draft(order_type=order_type)))
    party = network["provider"]
    message, jws = _answer(app, network, exchange, order, kind, body)
    assert _errors(_post(client, party, message)) == []
    shown = client.get(f"/api/v1/orders/{order['id']}", headers=party.headers).get_json()
    assert (shown["state"], shown["messages"][-1]["type"], shown["messages"][-1]["jws"]) == (state, kind, jws)


def test_objects_that_say_other_than_the_jws_are_refused_by_element_and_change_nothing(
    app, client, network, exchange, rows
) -> None:
    order = exchange.receive(exchange.issue(exchange.draft()))
    body = {
        "outcome": "not_executed",
        "reason": "data_not_stored",
        "explanation": "None.",
        "data_preserved": False,
    }
    root = etree.fromstring(_answer(app, network, exchange, order, "response", body)[0])
    reason = root.find(".//" + hi1.clark("form3:Reasons"))
    reason.text = "CONFLICT_OF_LAWS"
    before = rows("messages")
    errors = _errors(_post(client, network["provider"], etree.tostring(root)))
    assert errors and all("form3:NonExecutionReasons/form3:Reasons" in e for e in errors), errors
    assert all("'third_country_conflict'" in e and "'data_not_stored'" in e for e in errors)
    assert rows("messages") == before


def test_a_document_whose_checksum_is_not_its_contents_is_refused(
    app, client, network, exchange, rows
) -> None:
    order = exchange.receive(exchange.issue(exchange.draft()))
    message, _ = _answer(app, network, exchange, order, "acknowledgement", {"addressee_file_number": "EM-8"})
    root = etree.fromstring(message)
    root.find(".//" + hi1.clark("doc:Checksum")).text = "0" * 64
    before = rows("messages")
    response = client.post(
        "/api/v1/etsi/hi1",
        data=etree.tostring(root),
        content_type="application/xml",
        headers=network["provider"].headers,
    )
    description = hi1.value(
        hi1.read(response.get_data()).root, "Payload/ResponsePayload/ErrorInformation/ErrorDescription"
    )
    assert description is not None and description.endswith(
        "doc:Checksum: is not the SHA-256 of the Contents"
    )
    assert rows("messages") == before


def test_a_retried_answer_is_refused_as_a_replay_and_changes_nothing(
    app, client, network, exchange, rows
) -> None:
    """Why the door takes no Idempotency-Key: the signed message's id already makes a retry harmless."""
    order = exchange.receive(exchange.issue(exchange.draft()))
    message, _ = _answer(app, network, exchange, order, "acknowledgement", {"addressee_file_number": "EM-9"})
    assert _errors(_post(client, network["provider"], message)) == []
    before = (rows("messages"), rows("outbox_messages"))
    errors = _errors(_post(client, network["provider"], message))
    assert errors and all("replayed-message" in e and "already received" in e for e in errors)
    assert (rows("messages"), rows("outbox_messages")) == before


def test_a_delivery_in_hi1_seals_the_uploaded_package(
    app, client, network, exchange, database, clock
) -> None:
    order = exchange.receive(exchange.issue(exchange.draft()))
    party = network["provider"]
    identity = pyrage.x25519.Identity.generate()
    with database.transaction() as session:
        owner = session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
        operations.register_recipient(session, clock, organisation=owner, recipient=str(identity.to_public()))
    plaintext = b"From suspect@examplemail.test\n" * 10
    encrypted = io.BytesIO()
    age.encrypt_stream(io.BytesIO(plaintext), encrypted, [age.recipient_of(str(identity))])
    data = encrypted.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    announced = client.post(
        f"/api/v1/orders/{order['id']}/evidence",
        json={"file_name": "mailbox.mbox.age", "size": len(data), "sha256": digest},
        headers=party.headers,
    ).get_json()
    base = f"/api/v1/orders/{order['id']}/evidence/{announced['id']}"
    for index in range(announced["chunk_count"]):
        chunk = data[index * announced["chunk_size"] : (index + 1) * announced["chunk_size"]]
        header = "sha-256=:" + base64.b64encode(hashlib.sha256(chunk).digest()).decode() + ":"
        sent = client.put(
            f"{base}/chunks/{index}", data=chunk, headers={**party.headers, "Content-Digest": header}
        )
        assert sent.status_code == 200, sent.get_json()
    package = client.post(f"{base}/complete", headers=party.headers).get_json()
    manifest = {
        "data_categories": order["certificate"]["data_categories"],
        "time_range": order["certificate"]["time_range"],
        "recipient": age.recipient_of(str(identity)),
        "files": [
            {
                "name": "mailbox.mbox",
                "size": len(plaintext),
                "sha256": hashlib.sha256(plaintext).hexdigest(),
                "package": {"id": package["id"], "size": package["size"], "sha256": package["sha256"]},
            }
        ],
    }
    message, _ = _answer(app, network, exchange, order, "evidence-manifest", manifest)
    assert b"urn:eevidence-broker:evidence:" + package["id"].encode() in message
    assert _errors(_post(client, party, message)) == []
    assert client.get(base, headers=party.headers).get_json()["state"] == "sealed"
