"""The audit API: signed checkpoints, entries, proofs and case files, each checked with translog alone."""

import base64
import json
import uuid

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker import translog
from broker.app import create_app
from broker.audit import verify
from broker.audit.models import AuditEntry
from broker.orders.casefile import render_markdown
from broker.problems import PROBLEM_BASE

AUDIT = "/api/v1/audit"


def assert_problem(response, status, slug):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + slug
    assert problem["status"] == status
    assert problem["detail"].strip()
    return problem


def b64(value):
    return base64.b64decode(value, validate=True)


def leaf_hashes(database):
    with database.transaction() as session:
        return [
            translog.leaf_hash(leaf.encode())
            for leaf in session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index))
        ]


def get(client, network, path, party="oversight", **query):
    return client.get(AUDIT + path, query_string=query, headers=network[party].headers)


@pytest.fixture
def exchanged(exchange):
    """A network and one order taken from draft to answered."""
    return exchange.respond(exchange.receive(exchange.issue(exchange.draft())))


def view(client, network, order, party="prosecutor"):
    """One more event: a party reads the order."""
    assert client.get(f"/api/v1/orders/{order['id']}", headers=network[party].headers).status_code == 200


def test_a_checkpoint_opens_with_the_published_key_and_commits_to_every_entry(
    client, network, exchanged, database, checkpoint, signer
):
    key = get(client, network, "/key", party="provider")
    assert key.status_code == 200
    assert key.get_json() == {"origin": "broker.test/log", "vkey": signer.vkey}
    vkey = key.get_json()["vkey"]
    assert vkey.startswith("broker.test/log+")

    signed = checkpoint()
    hashes = leaf_hashes(database)
    assert signed["size"] == len(hashes)
    assert b64(signed["root_hash"]) == translog.root_hash(hashes)
    opened = translog.open_checkpoint(signed["note"].encode(), vkey)
    assert opened == translog.Checkpoint("broker.test/log", len(hashes), translog.root_hash(hashes))
    assert signed["note"].startswith(f"broker.test/log\n{len(hashes)}\n{signed['root_hash']}\n\n\u2014 ")
    assert signed["created_at"] == "2026-11-24T09:00:00+00:00"


def test_signing_again_without_new_entries_returns_the_same_checkpoint(
    client, network, exchanged, checkpoint, rows
):
    first = checkpoint()
    assert checkpoint() == first
    assert rows("audit_checkpoints") == 1

    view(client, network, exchanged)
    third = checkpoint()
    assert third["id"] != first["id"]
    assert third["size"] == first["size"] + 1
    assert rows("audit_checkpoints") == 2


def test_checkpoints_are_listed_newest_first_in_pages(client, network, exchanged, checkpoint, clock):
    assert_problem(get(client, network, "/checkpoints/latest", party="provider"), 404, "not-found")
    signed = []
    for _ in range(3):
        signed.append(checkpoint())
        view(client, network, exchanged)
        clock.advance(minutes=1)
    assert [c["size"] for c in signed] == [signed[0]["size"] + i for i in range(3)]

    latest = get(client, network, "/checkpoints/latest", party="provider")
    assert latest.status_code == 200
    assert latest.get_json() == signed[-1]

    first_page = get(client, network, "/checkpoints", party="provider", per_page=2).get_json()
    second_page = get(client, network, "/checkpoints", party="provider", per_page=2, page=2).get_json()
    assert first_page["total"] == second_page["total"] == 3
    assert first_page["items"] == [signed[2], signed[1]]
    assert second_page["items"] == [signed[0]]


def test_entries_are_served_in_pages_exactly_as_stored(client, network, exchanged, database):
    with database.transaction() as session:
        stored = [
            {"index": e.index, "leaf": e.leaf, "leaf_hash": base64.b64encode(e.leaf_hash).decode()}
            for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index))
        ]
    served, start = [], 0
    while True:
        page = get(client, network, "/entries", start=start, limit=7).get_json()
        assert page["size"] == len(stored)
        if not page["entries"]:
            break
        assert len(page["entries"]) <= 7
        served += page["entries"]
        start += len(page["entries"])
    assert served == stored
    assert get(client, network, "/entries").get_json()["entries"] == stored  # default: from 0, 100 at most

    for index in (0, 5, len(stored) - 1):
        one = get(client, network, f"/entries/{index}")
        assert one.status_code == 200
        assert one.get_json() == stored[index]


def test_every_entry_has_an_inclusion_proof_in_the_latest_checkpoint(
    client, network, exchanged, checkpoint, vkey
):
    checkpoint()
    view(client, network, exchanged)  # after the checkpoint: proofs are for the checkpoint's size
    note = get(client, network, "/checkpoints/latest", party="provider").get_json()["note"]
    signed = translog.open_checkpoint(note.encode(), vkey)
    for index in range(signed.size):
        entry = get(client, network, f"/entries/{index}").get_json()
        answer = get(client, network, "/proofs/inclusion", index=index, size=signed.size)
        assert answer.status_code == 200
        proof = answer.get_json()
        assert proof["index"] == index and proof["size"] == signed.size
        assert b64(proof["root_hash"]) == signed.root
        leaf_hash = translog.leaf_hash(entry["leaf"].encode())
        assert b64(proof["leaf_hash"]) == leaf_hash
        translog.verify_inclusion(
            leaf_hash, index, signed.size, [b64(h) for h in proof["proof"]], signed.root
        )
    # A proof for another entry's place does not verify: the check has teeth.
    with pytest.raises(translog.ProofError):
        translog.verify_inclusion(leaf_hash, 0, signed.size, [b64(h) for h in proof["proof"]], signed.root)


def test_a_later_checkpoint_is_proved_consistent_with_an_earlier_one(
    client, network, exchange, exchanged, checkpoint, vkey, database
):
    old = translog.open_checkpoint(checkpoint()["note"].encode(), vkey)
    view(client, network, exchanged)
    exchange.issue(exchange.draft())
    new = translog.open_checkpoint(checkpoint()["note"].encode(), vkey)
    assert new.size == old.size + 3

    answer = get(client, network, "/proofs/consistency", old_size=old.size, new_size=new.size)
    assert answer.status_code == 200
    proof = answer.get_json()
    assert (proof["old_size"], proof["new_size"]) == (old.size, new.size)
    assert (b64(proof["old_root"]), b64(proof["new_root"])) == (old.root, new.root)
    hashes = [b64(h) for h in proof["proof"]]
    translog.verify_consistency(old.size, new.size, old.root, new.root, hashes)
    assert hashes == translog.consistency_proof(leaf_hashes(database)[: new.size], old.size)
    with pytest.raises(translog.RootMismatchError):
        translog.verify_consistency(old.size, new.size, new.root, new.root, hashes)

    same = get(client, network, "/proofs/consistency", old_size=new.size, new_size=new.size).get_json()
    assert same["proof"] == []
    translog.verify_consistency(new.size, new.size, new.root, new.root, [])


BAD_INPUT = [
    # (path, query, status, problem, what the detail or errors must name)
    ("/entries/{past}", {}, 422, "invalid-range", "the log has {size} entries; there is no index {past}"),
    ("/entries/{huge}", {}, 422, "invalid-range", "there is no index {huge}"),
    ("/proofs/inclusion", {"index": "{size}", "size": "{size}"}, 422, "invalid-range", "index {size}"),
    ("/proofs/inclusion", {"index": 3, "size": 2}, 422, "invalid-range", "not in a tree of size 2"),
    ("/proofs/inclusion", {"index": 0, "size": "{past}"}, 422, "invalid-range", "the log's size {size}"),
    ("/proofs/inclusion", {"index": 0, "size": "{huge}"}, 422, "invalid-range", "the log's size {size}"),
    ("/proofs/inclusion", {"index": "{huge}", "size": 1}, 422, "invalid-range", "index {huge}"),
    ("/proofs/inclusion", {"index": 0, "size": 0}, 422, "validation-error", "size"),
    ("/proofs/inclusion", {"index": -1, "size": 1}, 422, "validation-error", "index"),
    ("/proofs/inclusion", {"index": 0}, 422, "validation-error", "size"),
    ("/proofs/inclusion", {"index": "one", "size": 2}, 422, "validation-error", "index"),
    ("/proofs/consistency", {"old_size": 5, "new_size": 4}, 422, "invalid-range", "new size 4, not 5"),
    ("/proofs/consistency", {"old_size": 1, "new_size": "{past}"}, 422, "invalid-range", "size {size}"),
    ("/proofs/consistency", {"old_size": 0, "new_size": 4}, 422, "validation-error", "old_size"),
    ("/proofs/consistency", {"old_size": 1, "new_size": "4.5"}, 422, "validation-error", "new_size"),
    ("/entries", {"start": "abc"}, 422, "validation-error", "start"),
    ("/entries", {"start": -1}, 422, "validation-error", "start"),
    ("/entries", {"start": "{huge}"}, 422, "validation-error", "start"),
    ("/entries", {"limit": 0}, 422, "validation-error", "limit"),
    ("/entries", {"limit": 1001}, 422, "validation-error", "limit"),
    ("/checkpoints", {"page": "x"}, 422, "validation-error", "page"),
]


@pytest.mark.parametrize(("path", "query", "status", "slug", "names"), BAD_INPUT)
def test_bad_input_gets_a_problem_naming_what_is_wrong(
    client, network, exchanged, database, path, query, status, slug, names
):
    size = len(leaf_hashes(database))
    values = {"size": size, "past": size + 1, "huge": 2**70}
    path = path.format(**values)
    query = {name: str(value).format(**values) for name, value in query.items()}
    problem = assert_problem(get(client, network, path, **query), status, slug)
    expected = names.format(**values)
    if slug == "validation-error":
        assert expected in problem["errors"], problem
    else:
        assert expected in problem["detail"], problem


def test_the_first_index_past_the_end_is_refused_with_the_size(client, database, network):
    size = len(leaf_hashes(database))
    assert get(client, network, f"/entries/{size - 1}").status_code == 200
    problem = assert_problem(get(client, network, f"/entries/{size}"), 422, "invalid-range")
    assert problem["detail"] == f"the log has {size} entries; there is no index {size}"


@pytest.mark.parametrize("party", ["prosecutor", "provider", "enforcing"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/checkpoints"),
        ("GET", "/entries"),
        ("GET", "/entries/0"),
        ("GET", "/proofs/inclusion?index=0&size=1"),
        ("GET", "/proofs/consistency?old_size=1&new_size=2"),
        ("GET", "/orders/{order}/case-file"),
    ],
)
def test_only_an_oversight_body_reads_the_log(client, network, exchanged, rows, party, method, path):
    before = (rows("audit_entries"), rows("audit_checkpoints"))
    response = client.open(
        AUDIT + path.format(order=exchanged["id"]), method=method, headers=network[party].headers
    )
    problem = assert_problem(response, 403, "forbidden")
    assert "only oversight bodies may" in problem["detail"]
    assert (rows("audit_entries"), rows("audit_checkpoints")) == before


def test_without_a_key_the_broker_logs_but_cannot_sign(database, clock, network, exchange, rows, monkeypatch):
    monkeypatch.delenv("BROKER_KEY_FILE", raising=False)
    unsigned = create_app({"TESTING": True}, clock=clock, database=database).test_client()
    oversight = network["oversight"].headers

    for method, path in (("GET", "/key"), ("POST", "/checkpoints")):
        problem = assert_problem(
            unsigned.open(AUDIT + path, method=method, headers=oversight), 503, "signing-unavailable"
        )
        assert "KEY_FILE" in problem["detail"]
    assert rows("audit_checkpoints") == 0

    # Events are still logged, and the case file says it has nothing to prove its entries against.
    order = exchange.draft()
    case_file = unsigned.get(f"{AUDIT}/orders/{order['id']}/case-file", headers=oversight).get_json()
    assert case_file["checkpoint"] is None
    assert [json.loads(e["leaf"])["action"] for e in case_file["entries"]] == [
        "order.drafted",
        "order.case_file_exported",
    ]
    assert all(e["proof"] is None for e in case_file["entries"])
    with pytest.raises(verify.AuditVerificationError, match="no checkpoint"):
        verify.verify_case_file(case_file, "broker.test/log+00000000+AQ==")
    assert "not yet in a checkpoint" in render_markdown(case_file)


def test_the_case_file_proves_the_orders_timeline(client, network, exchange, exchanged, vkey, clock):
    other = exchange.draft()  # another order's events are not in this one's timeline
    clock.advance(minutes=1)
    view(client, network, exchanged, "oversight")
    answer = get(client, network, f"/orders/{exchanged['id']}/case-file")
    assert answer.status_code == 200
    case_file = answer.get_json()

    actions = [json.loads(entry["leaf"])["action"] for entry in case_file["entries"]]
    assert actions == [
        "order.drafted",
        "order.issued",
        "order.received",
        "order.response",
        "order.viewed",
        "order.case_file_exported",
    ]
    assert all(json.loads(e["leaf"])["object"]["id"] == exchanged["id"] for e in case_file["entries"])
    assert other["id"] not in json.dumps(case_file["entries"])

    signed = translog.open_checkpoint(case_file["checkpoint"]["note"].encode(), vkey)
    assert case_file["entries"][-1]["index"] == signed.size - 1  # the export itself is proved too
    for entry in case_file["entries"]:
        assert json.loads(entry["leaf"])["index"] == entry["index"]
        leaf_hash = translog.leaf_hash(entry["leaf"].encode())
        assert b64(entry["leaf_hash"]) == leaf_hash
        translog.verify_inclusion(
            leaf_hash, entry["index"], signed.size, [b64(h) for h in entry["proof"]], signed.root
        )

    order = case_file["order"]
    assert order["id"] == exchanged["id"]
    assert order["state"] == "produced"
    assert [m["sha256"] for m in order["messages"]] == [m["sha256"] for m in exchanged["messages"]]

    proved = verify.verify_case_file(case_file, vkey)
    assert proved.checkpoint == signed
    assert proved.checked == f"6 timeline entries of order {exchanged['id']}"

    markdown = render_markdown(case_file)
    assert markdown.startswith(f"# Case file: EPOC {exchanged['id']}\n")
    timeline = markdown.split("## Timeline", 1)[1]
    for entry, action in zip(case_file["entries"], actions, strict=True):
        assert f"- #{entry['index']} 2026-11-24T09:0" in timeline
        assert f" {action} by " in timeline
        assert f"proof of {len(entry['proof'])} hashes" in timeline
    assert f"checkpoint of size {signed.size}" in markdown
    assert "by operator" not in timeline
    assert f"provider {network['provider'].organisation_id} (legal_officer)" in timeline


def test_an_edited_case_file_does_not_verify(client, network, exchanged, vkey, signer):
    case_file = get(client, network, f"/orders/{exchanged['id']}/case-file").get_json()
    verify.verify_case_file(case_file, vkey)

    edited = json.loads(json.dumps(case_file))
    target = edited["entries"][1]
    target["leaf"] = target["leaf"].replace("order.issued", "order.iss")
    target["leaf_hash"] = base64.b64encode(translog.leaf_hash(target["leaf"].encode())).decode()
    with pytest.raises(verify.AuditVerificationError, match=rf"entry {target['index']} of the case file"):
        verify.verify_case_file(edited, vkey)

    unproved = json.loads(json.dumps(case_file))
    unproved["entries"][0]["proof"] = None  # hide that the order was drafted before the checkpoint
    with pytest.raises(verify.AuditVerificationError, match=r"entry \d+ of the case file carries no proof"):
        verify.verify_case_file(unproved, vkey)

    other_key = translog.verifier_key("broker.test/log", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(verify.AuditVerificationError, match="checkpoint does not verify"):
        verify.verify_case_file(case_file, other_key)


def test_a_case_file_for_an_unknown_order_is_not_found(client, network, rows):
    before = rows("audit_entries")
    assert_problem(get(client, network, f"/orders/{uuid.uuid4()}/case-file"), 404, "not-found")
    assert rows("audit_entries") == before
