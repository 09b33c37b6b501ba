"""Every event is one log entry, written in the same transaction as the change, and holds no order content."""

import hashlib
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from broker import crypto
from broker import translog
from broker.audit import operations as log
from broker.audit import queries
from broker.audit.models import AuditEntry
from broker.audit.models import AuditSubtree
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties import operations
from broker.vocabulary import OrganisationKind

PARTY = ["organisation.registered", "user.created", "token.issued", "key.registered"]
PROVIDER = [*PARTY, "addressee.registered"]
# The `network` fixture: prosecutor, judge, other_authority, provider, other_provider, enforcing, oversight.
REGISTRY = PARTY * 3 + PROVIDER * 2 + PARTY * 2
# The provider's signed response is logged as the message it is; the state it led to is in the details.
EXCHANGE = ["order.drafted", "order.issued", "order.received", "order.response"]

# Distinctive strings of the certificate that `exchange.draft()` sends (tests/conftest.py epoc_draft).
ORDER_CONTENT = [
    "suspect@examplemail.test",  # the target
    "Victims paid into accounts",  # the case summary
    "Online investment fraud",  # the offence
    "313-1",  # the legal provision
    "The account is the only lead",  # necessity and proportionality
    "Would alert the suspect",  # why the user is not told
    "PARQUET-2026-001",  # the file number
]


def stored_entries(database):
    with database.transaction() as session:
        return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index)))


def log_size(database):
    with database.transaction() as session:
        return queries.log_size(session)


def events(database):
    return [json.loads(entry.leaf) for entry in stored_entries(database)]


def test_registry_and_an_exchange_are_logged_in_order_without_gaps(database, network, exchange):
    order = exchange.draft()
    answered = exchange.respond(exchange.receive(exchange.issue(order)))

    entries = stored_entries(database)
    assert [entry.action for entry in entries] == REGISTRY + EXCHANGE
    assert [entry.index for entry in entries] == list(range(len(REGISTRY) + len(EXCHANGE)))
    assert log_size(database) == len(entries)

    documents = [json.loads(entry.leaf) for entry in entries]
    assert [d["index"] for d in documents] == [entry.index for entry in entries]
    assert [d["action"] for d in documents] == [entry.action for entry in entries]
    assert all(d["actor"] == {"system": "operator"} for d in documents[: len(REGISTRY)])
    assert all(entry.organisation_id is None for entry in entries[: len(REGISTRY)])

    drafted, issued, received, answered_event = documents[len(REGISTRY) :]
    assert {d["object"]["id"] for d in (drafted, issued, received, answered_event)} == {order["id"]}
    assert {d["object"]["type"] for d in (drafted, issued, received, answered_event)} == {"order"}
    assert drafted["actor"]["organisation"] == network["prosecutor"].organisation_id
    assert drafted["details"]["order_type"] == "epoc"
    assert issued["actor"]["organisation"] == network["prosecutor"].organisation_id
    assert issued["details"]["state"] == {"from": "draft", "to": "issued"}
    assert received["actor"]["organisation"] == network["provider"].organisation_id
    assert received["details"] == {"state": {"from": "issued", "to": "received"}}
    assert "message_sha256" not in received
    assert answered_event["actor"]["organisation"] == network["provider"].organisation_id
    assert answered_event["details"]["state"] == {"from": "received", "to": "produced"}

    # order.issued names the signed certificate by its hash, the same one stored with the message.
    certificate, response = answered["messages"]
    with database.transaction() as session:
        stored = session.get_one(Message, uuid.UUID(certificate["id"]))
        assert issued["message_sha256"] == stored.sha256
        assert stored.sha256 == hashlib.sha256(stored.jws.encode("ascii")).hexdigest()
    assert issued["message_sha256"] == certificate["sha256"]
    assert issued["details"]["message"] == {"id": certificate["id"], "type": "epoc"}
    assert answered_event["message_sha256"] == response["sha256"]
    assert answered_event["details"]["message"] == {"id": response["id"], "type": "response"}


def test_an_order_not_executed_is_logged_as_rejected(database, exchange):
    received = exchange.receive(exchange.issue(exchange.draft()))
    exchange.respond(
        received,
        {
            "outcome": "not_executed",
            "reason": "data_not_stored",
            "explanation": "The account was deleted in 2025; no data were stored at receipt.",
            "data_preserved": False,
        },
    )
    last = events(database)[-1]
    assert last["action"] == "order.response"
    assert last["details"]["state"] == {"from": "received", "to": "not_executed"}


def test_every_leaf_is_the_canonical_json_whose_hash_is_stored(database, network, exchange):
    exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    entries = stored_entries(database)
    assert entries
    for entry in entries:
        leaf = entry.leaf.encode("utf-8")
        assert crypto.canonicalize(json.loads(leaf)) == leaf, entry.index
        assert entry.leaf_hash == translog.leaf_hash(leaf), entry.index
        assert entry.leaf_hash == hashlib.sha256(b"\x00" + leaf).digest(), entry.index


def test_no_entry_holds_order_content(database, network, exchange, client):
    order = exchange.draft()
    exchange.respond(exchange.receive(exchange.issue(order)))
    client.get(f"/api/v1/orders/{order['id']}", headers=network["oversight"].headers)
    client.get("/api/v1/orders", headers=network["prosecutor"].headers)

    # The strings are really in the order, so their absence from the log means something.
    with database.transaction() as session:
        certificate = json.dumps(
            session.get_one(Order, uuid.UUID(order["id"])).certificate, ensure_ascii=False
        )
    assert all(text in certificate for text in ORDER_CONTENT)

    leaves = [entry.leaf for entry in stored_entries(database)]
    assert any(json.loads(leaf)["action"] == "order.viewed" for leaf in leaves)
    for leaf in leaves:
        for text in ORDER_CONTENT:
            assert text not in leaf, (text, leaf)


# Each refusal prepares its set-up (a draft, an event of its own) and returns the refused request.
def issue_with_a_bad_signature(client, network, exchange, drafts):
    order = exchange.draft()
    prosecutor = network["prosecutor"]
    jws = prosecutor.sign(
        "epoc",
        order["certificate"],
        order["provider"]["id"],
        private_key=crypto.generate_private_key("EdDSA"),
    )
    return lambda: client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=prosecutor.headers,
    )


def draft_without_data_categories(client, network, exchange, drafts):
    exchange.draft()
    certificate = drafts.epoc(network.addressees["provider"])
    del certificate["data_categories"]
    return lambda: client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["prosecutor"].headers,
    )


def draft_by_a_provider(client, network, exchange, drafts):
    exchange.draft()
    certificate = drafts.epoc(network.addressees["provider"])
    return lambda: client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["provider"].headers,
    )


def read_an_order_of_another_authority(client, network, exchange, drafts):
    order = exchange.draft()
    return lambda: client.get(f"/api/v1/orders/{order['id']}", headers=network["other_authority"].headers)


def receive_a_draft(client, network, exchange, drafts):
    order = exchange.draft()
    return lambda: client.post(f"/api/v1/orders/{order['id']}/receive", headers=network["provider"].headers)


def respond_with_an_outcome_an_epoc_cannot_have(client, network, exchange, drafts):
    order = exchange.receive(exchange.issue(exchange.draft()))
    jws = exchange.response_jws(order, {"outcome": "preserved", "data_preserved": True})
    return lambda: client.post(
        f"/api/v1/orders/{order['id']}/responses",
        data=jws,
        content_type="application/jose",
        headers=network["provider"].headers,
    )


@pytest.mark.parametrize(
    ("refusal", "status", "problem", "says"),
    [
        (issue_with_a_bad_signature, 422, "invalid-signature", "signature does not verify"),
        (draft_without_data_categories, 422, "validation-error", "data_categories"),
        (draft_by_a_provider, 403, "forbidden", "you act for a provider"),
        (read_an_order_of_another_authority, 404, "not-found", "that you may see"),
        (receive_a_draft, 404, "not-found", "that you may see"),
        (respond_with_an_outcome_an_epoc_cannot_have, 422, "validation-error", "'preserved'"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_a_refused_request_leaves_no_entry(
    database, network, exchange, client, rows, drafts, refusal, status, problem, says
):
    """No entry without its event: a refused request adds nothing to the log."""
    request = refusal(client, network, exchange, drafts)
    last = events(database)[-1]
    before = (log_size(database), rows("audit_entries"), rows("audit_subtrees"))

    response = request()
    assert response.status_code == status, response.get_json()
    assert response.get_json()["type"].endswith(":" + problem)
    assert says in json.dumps(response.get_json())
    assert (log_size(database), rows("audit_entries"), rows("audit_subtrees")) == before
    assert events(database)[-1] == last


def test_an_event_whose_transaction_fails_leaves_no_entry(database, clock, network):
    size = log_size(database)
    with pytest.raises(RuntimeError), database.transaction() as session:
        operations.create_organisation(
            session, clock, name="Rolled Back", kind=OrganisationKind.OVERSIGHT_BODY, country="DE"
        )
        assert queries.pending_count(session) == 1
        raise RuntimeError("the change failed after its entry was sequenced")
    with database.transaction() as session:
        assert queries.pending_count(session) == 0
        assert log.integrate(session) == 0
    assert log_size(database) == size
    assert [e["action"] for e in events(database)] == REGISTRY
    with database.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditSubtree)) >= size
        assert session.get(AuditSubtree, (0, size)) is None
        log.record(session, clock, action="test.after", object_type="test", object_id="x", actor=None)
    log.integrate_all(database)
    # The next event takes the index the failed one would have had.
    assert stored_entries(database)[-1].index == size
    assert events(database)[-1]["action"] == "test.after"


def test_reading_an_order_is_logged_with_the_reader(database, network, exchange, client):
    order = exchange.issue(exchange.draft())
    size = log_size(database)

    for reader in ("oversight", "provider", "prosecutor"):
        response = client.get(f"/api/v1/orders/{order['id']}", headers=network[reader].headers)
        assert response.status_code == 200
    viewed = events(database)[size:]
    assert [e["action"] for e in viewed] == ["order.viewed"] * 3
    assert [e["actor"]["organisation"] for e in viewed] == [
        network[reader].organisation_id for reader in ("oversight", "provider", "prosecutor")
    ]
    assert [e["actor"]["kind"] for e in viewed] == ["oversight_body", "provider", "issuing_authority"]
    assert {e["object"]["id"] for e in viewed} == {order["id"]}
    with database.transaction() as session:
        assert [e.organisation_id for e in queries.entries_about(session, "order", order["id"])][-3:] == [
            uuid.UUID(network[reader].organisation_id) for reader in ("oversight", "provider", "prosecutor")
        ]


def test_listing_orders_logs_one_entry_per_request_naming_the_orders_shown(
    database, network, exchange, client, clock
):
    first = exchange.draft()
    clock.advance(minutes=1)
    second = exchange.draft()
    exchange.draft(author="other_authority")
    size = log_size(database)

    page = client.get("/api/v1/orders", headers=network["prosecutor"].headers).get_json()
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]
    (listed,) = events(database)[size:]
    assert listed["action"] == "orders.listed"
    assert listed["object"] == {"type": "listing", "id": "orders"}
    assert listed["actor"]["organisation"] == network["prosecutor"].organisation_id
    assert listed["details"] == {"orders": [second["id"], first["id"]]}

    # A page showing nothing records nothing.
    size = log_size(database)
    assert client.get("/api/v1/orders", headers=network["judge"].headers).get_json()["items"] == []
    assert log_size(database) == size


def test_stored_subtrees_give_the_root_of_every_prefix(database, network, exchange):
    exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    hashes = [translog.leaf_hash(entry.leaf.encode()) for entry in stored_entries(database)]
    assert len(hashes) > 32  # past a power of two, so several subtree shapes are exercised
    with database.transaction() as session:
        for size in range(1, len(hashes) + 1):
            assert queries.root(session, size) == translog.root_hash(hashes[:size]), size
        n = len(hashes)
        for index in range(0, n, 7):
            assert queries.inclusion_proof(session, index, n) == translog.inclusion_proof(hashes, index)
        for old in range(1, n, 5):
            assert queries.consistency_proof(session, old, n) == translog.consistency_proof(hashes, old)


def test_concurrent_appends_and_integrations_give_consecutive_unique_indexes(database, clock):
    """Writers only queue their entries; racing integrators still give each one index, in queue order."""
    start = log_size(database)
    per_thread = 12
    barrier = threading.Barrier(2)

    def append(name):
        barrier.wait(timeout=30)
        for i in range(per_thread):
            with database.transaction() as session:
                for j in range(1 + i % 2):
                    log.record(
                        session,
                        clock,
                        action="test.concurrent",
                        object_type="test",
                        object_id=f"{name}-{i % 3}",
                        actor=None,
                        details={"step": i, "part": j},
                    )
            with database.transaction() as session:
                log.integrate(session, wait=i % 2 == 0)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(append, ["a", "b"]))
    log.integrate_all(database)

    total = 2 * sum(1 + i % 2 for i in range(per_thread))
    entries = stored_entries(database)
    assert [entry.index for entry in entries] == list(range(start + total))
    assert log_size(database) == start + total
    documents = [json.loads(entry.leaf) for entry in entries]
    for entry, document in zip(entries, documents, strict=True):
        assert document["index"] == entry.index
    # Each writer's entries keep the order in which it committed them.
    for name in ("a", "b"):
        mine = [
            (d["details"]["step"], d["details"]["part"]) for d in documents if d["object"]["id"][0] == name
        ]
        assert mine == sorted(mine) and len(mine) == total // 2
    # Every entry points at the previous entry about the same object, and the first at nothing.
    last: dict[str, int] = {}
    for document in documents[start:]:
        assert document["previous"] == last.get(document["object"]["id"])
        last[document["object"]["id"]] = document["index"]
    hashes = [translog.leaf_hash(entry.leaf.encode()) for entry in entries]
    assert [entry.leaf_hash for entry in entries] == hashes
    with database.transaction() as session:
        for size in range(1, len(hashes) + 1):
            assert queries.root(session, size) == translog.root_hash(hashes[:size]), size


def test_entries_about_an_object_form_a_chain(database, network, exchange, client):
    order = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    client.get(f"/api/v1/orders/{order['id']}", headers=network["oversight"].headers)
    about = [d for d in events(database) if d["object"] == {"type": "order", "id": order["id"]}]
    assert [d["action"] for d in about] == [*EXCHANGE, "order.viewed"]
    assert about[0]["previous"] is None
    assert [d["previous"] for d in about[1:]] == [d["index"] for d in about[:-1]]


def test_an_entry_waits_in_the_queue_until_integrated_and_the_timeline_shows_it_meanwhile(
    database, network, exchange, client, clock
):
    order = exchange.draft()
    with database.transaction() as session:
        log.record(
            session,
            clock,
            action="test.queued",
            object_type="order",
            object_id=order["id"],
            actor=None,
        )
    size = log_size(database)
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline", headers=network["prosecutor"].headers)
    actions = [(event["action"], event["index"]) for event in timeline.get_json()["events"]]
    # The timeline request itself integrated the queue after it answered: the queued entry came first.
    assert ("test.queued", None) in actions
    assert [d["action"] for d in events(database)[size:]] == ["test.queued", "order.viewed"]
