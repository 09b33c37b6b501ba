"""Idempotency-Key: a retried request returns the first answer and changes nothing twice."""

import uuid
from datetime import timedelta

import pytest

from broker.parties import operations
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import Role

ORDERS = "/api/v1/orders"


def draft_body(network, drafts, addressee=None, **changes):
    addressee = addressee or network.addressees["provider"]
    return {"order_type": "epoc", "certificate": drafts.epoc(addressee, **changes)}


def post_draft(client, party, body, key):
    return client.post(ORDERS, json=body, headers={**party.headers, "Idempotency-Key": key})


def post_jose(client, path, jws, party, key):
    return client.post(
        path, data=jws, content_type="application/jose", headers={**party.headers, "Idempotency-Key": key}
    )


def test_a_retried_draft_returns_the_first_answer_and_creates_one_order(client, network, drafts, rows, clock):
    prosecutor = network["prosecutor"]
    body = draft_body(network, drafts)
    first = post_draft(client, prosecutor, body, "draft-2026-001")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers

    clock.advance(minutes=3)
    retry = post_draft(client, prosecutor, body, "draft-2026-001")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.mimetype == "application/json"
    assert retry.get_data() == first.get_data()
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert rows("orders") == 1
    listed = client.get(ORDERS, headers=prosecutor.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [first.get_json()["id"]]


def test_a_draft_without_a_key_is_not_deduplicated(client, network, drafts, rows):
    body = draft_body(network, drafts)
    for _ in range(2):
        assert client.post(ORDERS, json=body, headers=network["prosecutor"].headers).status_code == 201
    assert rows("orders") == 2


def test_the_same_key_with_a_different_body_is_refused(client, network, drafts, rows):
    prosecutor = network["prosecutor"]
    first = post_draft(client, prosecutor, draft_body(network, drafts), "draft-2026-002")
    assert first.status_code == 201

    other = draft_body(network, drafts, case_summary="Another case altogether, same key by mistake.")
    response = post_draft(client, prosecutor, other, "draft-2026-002")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + "idempotency-key-reused"
    assert "draft-2026-002" in problem["detail"]
    assert "Idempotent-Replayed" not in response.headers
    assert rows("orders") == 1
    assert rows("idempotency_records") == 1


def test_the_same_key_on_another_endpoint_is_refused(client, network, drafts, exchange, rows):
    prosecutor = network["prosecutor"]
    assert post_draft(client, prosecutor, draft_body(network, drafts), "shared-key").status_code == 201
    order = exchange.draft()
    jws = prosecutor.sign("epoc", order["certificate"], order["provider"]["id"])
    response = post_jose(client, f"{ORDERS}/{order['id']}/issue", jws, prosecutor, "shared-key")
    assert response.status_code == 422
    assert response.get_json()["type"] == PROBLEM_BASE + "idempotency-key-reused"
    assert client.get(f"{ORDERS}/{order['id']}", headers=prosecutor.headers).json["state"] == "draft"
    assert rows("messages") == 0


def test_keys_belong_to_one_organisation(client, network, drafts, rows):
    """Another office choosing the same key neither gets the first office's order nor is refused."""
    body = draft_body(network, drafts)
    mine = post_draft(client, network["prosecutor"], body, "2026-001")
    theirs = post_draft(client, network["other_authority"], body, "2026-001")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert theirs.get_json()["issuing_authority"]["id"] == network["other_authority"].organisation_id
    assert rows("orders") == 2

    again = post_draft(client, network["other_authority"], body, "2026-001")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == theirs.get_json()["id"]


def test_a_failed_first_attempt_is_not_remembered(client, network, drafts, rows):
    prosecutor = network["prosecutor"]
    broken = draft_body(network, drafts, emergency="no")
    failed = post_draft(client, prosecutor, broken, "draft-2026-003")
    assert failed.status_code == 422
    assert failed.get_json()["type"] == PROBLEM_BASE + "validation-error"
    assert rows("idempotency_records") == 0

    corrected = post_draft(client, prosecutor, draft_body(network, drafts), "draft-2026-003")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected.headers
    assert rows("orders") == 1


def test_a_first_attempt_refused_inside_the_transaction_is_not_remembered(client, network, drafts, rows):
    """Refused by the operation (unknown addressee), not the schema: the rollback takes the record too."""
    prosecutor = network["prosecutor"]
    failed = post_draft(
        client, prosecutor, draft_body(network, drafts, addressee=str(uuid.uuid4())), "draft-2026-004"
    )
    assert failed.status_code == 422
    assert failed.get_json()["type"] == PROBLEM_BASE + "invalid-reference"
    assert rows("idempotency_records") == 0
    assert post_draft(client, prosecutor, draft_body(network, drafts), "draft-2026-004").status_code == 201


def test_a_retried_issue_returns_the_first_answer_instead_of_a_replay_error(
    client, network, exchange, rows, clock
):
    prosecutor = network["prosecutor"]
    order = exchange.draft()
    jws = prosecutor.sign("epoc", order["certificate"], order["provider"]["id"])
    path = f"{ORDERS}/{order['id']}/issue"
    first = post_jose(client, path, jws, prosecutor, "issue-1")
    assert first.status_code == 200

    clock.advance(minutes=1)
    retry = post_jose(client, path, jws, prosecutor, "issue-1")
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_data() == first.get_data()
    assert retry.get_json()["state"] == "issued"
    assert rows("messages") == 1

    # Without the key the same retry is what it is: the order was already issued.
    unkeyed = client.post(path, data=jws, content_type="application/jose", headers=prosecutor.headers)
    assert unkeyed.status_code == 409


def test_a_retried_response_returns_the_first_answer_instead_of_a_replay_error(
    client, network, exchange, rows
):
    provider = network["provider"]
    order = exchange.receive(exchange.issue(exchange.draft()))
    jws = exchange.response_jws(order)
    path = f"{ORDERS}/{order['id']}/responses"
    first = post_jose(client, path, jws, provider, "response-1")
    assert first.status_code == 201

    retry = post_jose(client, path, jws, provider, "response-1")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_data() == first.get_data()
    assert retry.get_json()["state"] == "produced"
    assert rows("messages") == 2


def test_a_retried_receipt_keeps_the_first_receipt(client, network, exchange, clock):
    provider = network["provider"]
    issued = exchange.issue(exchange.draft())
    path = f"{ORDERS}/{issued['id']}/receive"
    headers = {**provider.headers, "Idempotency-Key": "receive-1"}
    first = client.post(path, headers=headers)
    clock.advance(hours=1)
    retry = client.post(path, headers=headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["received_at"] == first.get_json()["received_at"]


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("k" * 201, id="over 200 characters"),
        pytest.param("caf\u00e9", id="not ASCII"),
        pytest.param("tab\there", id="not printable"),
    ],
)
def test_an_unusable_key_is_refused_naming_the_header(client, network, drafts, rows, key):
    response = post_draft(client, network["prosecutor"], draft_body(network, drafts), key)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    assert "Idempotency-Key" in problem["errors"]
    assert rows("orders") == 0
    assert rows("idempotency_records") == 0


def test_a_key_of_exactly_200_characters_is_accepted(client, network, drafts):
    response = post_draft(client, network["prosecutor"], draft_body(network, drafts), "k" * 200)
    assert response.status_code == 201


def test_a_colleague_cannot_collect_another_users_answer(client, network, drafts, rows, database, clock):
    """Keys belong to the user: an auditor replaying a caseworker's key and body is refused, not served."""
    with database.transaction() as session:
        office = session.get(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
        auditor = operations.create_user(
            session, clock, organisation=office, email="auditor@parquet.test", name="A", role=Role.AUDITOR
        )
        _, token = operations.issue_token(session, clock, user=auditor, label="t", lifetime=timedelta(days=1))
    body = draft_body(network, drafts)
    assert post_draft(client, network["prosecutor"], body, "shared-key").status_code == 201
    answer = client.post(
        ORDERS, json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "shared-key"}
    )
    assert answer.status_code == 403
    assert answer.get_json()["type"] == PROBLEM_BASE + "forbidden"
    assert rows("orders") == 1
