"""The foundation lifecycle through the API: draft -> issued -> received -> answered | rejected."""

import pytest

from broker import crypto
from broker.wire import envelope


def test_prosecutor_drafts_an_epoc_completed_from_the_registry(exchange, network):
    order = exchange.draft()
    certificate = order["certificate"]
    assert order["state"] == "draft"
    assert certificate["issuing_authority"] == {
        "organisation": network["prosecutor"].organisation_id,
        "name": "Parquet de Paris",
        "authority_type": "public_prosecutor",
        "country": "FR",
        "file_number": "PARQUET-2026-001",
    }
    assert certificate["addressee"]["id"] == network.addressees["provider"]
    assert certificate["addressee"]["country"] == "IE"
    assert certificate["addressee"]["provider"] == {
        "organisation": network["provider"].organisation_id,
        "name": "Example Mail",
    }
    assert order["provider"]["id"] == network["provider"].organisation_id


def test_validating_authority_is_filled_in_from_the_registry(exchange, network):
    order = exchange.draft(
        validating_authority={"organisation": network["judge"].organisation_id, "file_number": "JI-7"}
    )
    assert order["certificate"]["validating_authority"]["authority_type"] == "investigating_judge"
    assert order["certificate"]["validating_authority"]["file_number"] == "JI-7"


def test_an_epoc_travels_from_prosecutor_to_provider_and_back(exchange, network, client, clock):
    order = exchange.draft()
    issued = exchange.issue(order)
    assert issued["state"] == "issued"
    assert issued["issued_at"] == "2026-11-24T09:00:00+00:00"

    inbox = client.get("/api/v1/inbox", headers=network["provider"].headers).get_json()
    assert [item["id"] for item in inbox["items"]] == [order["id"]]

    clock.advance(minutes=5)
    received = exchange.receive(issued)
    assert received["state"] == "received"
    assert received["received_at"] == "2026-11-24T09:05:00+00:00"

    clock.advance(hours=2)
    answered = exchange.respond(received)
    assert answered["state"] == "produced"
    assert [m["type"] for m in answered["messages"]] == ["epoc", "response"]

    seen_by_authority = client.get(
        f"/api/v1/orders/{order['id']}", headers=network["prosecutor"].headers
    ).get_json()
    assert seen_by_authority["state"] == "produced"
    unread = client.get("/api/v1/inbox?unread=true", headers=network["prosecutor"].headers).get_json()
    assert [item["id"] for item in unread["items"]] == [], "the authority has just read it"


def test_stored_messages_verify_without_the_broker(exchange, network, client):
    """Anyone holding the sender's published key can re-verify the stored message, byte for byte."""
    answered = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    keys = client.get(
        f"/api/v1/organisations/{network['prosecutor'].organisation_id}/keys",
        headers=network["provider"].headers,
    ).get_json()["keys"]
    certificate_message = next(message for message in answered["messages"] if message["type"] == "epoc")
    jwk = next(k["jwk"] for k in keys if k["kid"] == certificate_message["sender_kid"])
    opened = envelope.open_sealed(certificate_message["jws"], jwk)
    assert opened["body"] == answered["certificate"]
    assert opened["id"] == certificate_message["id"]
    assert crypto.jwk_thumbprint(jwk) == certificate_message["sender_kid"]


def test_receiving_twice_keeps_the_first_receipt_time(exchange, clock):
    issued = exchange.issue(exchange.draft())
    first = exchange.receive(issued)
    clock.advance(hours=1)
    assert exchange.receive(issued)["received_at"] == first["received_at"]


def test_provider_that_does_not_execute_rejects_the_order_with_a_reason(exchange):
    received = exchange.receive(exchange.issue(exchange.draft()))
    rejected = exchange.respond(
        received,
        {
            "outcome": "not_executed",
            "reason": "data_not_stored",
            "explanation": "The account was deleted in 2025; no data were stored at receipt.",
            "data_preserved": False,
        },
    )
    assert rejected["state"] == "not_executed"


def test_epoc_pr_is_answered_with_preservation(exchange):
    received = exchange.receive(exchange.issue(exchange.draft(order_type="epoc-pr")))
    assert received["order_type"] == "epoc-pr"
    answered = exchange.respond(received, {"outcome": "preserved", "data_preserved": True})
    assert answered["state"] == "preserved"


def test_orders_are_listed_newest_first_with_filters_and_pages(exchange, network, client, clock):
    ids = []
    for _ in range(3):
        ids.append(exchange.draft()["id"])
        clock.advance(minutes=1)
    exchange.issue(
        {**client.get(f"/api/v1/orders/{ids[0]}", headers=network["prosecutor"].headers).get_json()}
    )
    headers = network["prosecutor"].headers
    page = client.get("/api/v1/orders?per_page=2", headers=headers).get_json()
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    assert (page["total"], page["per_page"], page["page"]) == (3, 2, 1)
    assert [
        i["id"] for i in client.get("/api/v1/orders?per_page=2&page=2", headers=headers).get_json()["items"]
    ] == [ids[0]]
    assert [
        i["id"] for i in client.get("/api/v1/orders?state=issued", headers=headers).get_json()["items"]
    ] == [ids[0]]
    assert client.get("/api/v1/orders?state=produced", headers=headers).get_json()["total"] == 0


def test_the_inbox_pages_by_cursor_emergencies_first_without_counting(client, network, exchange, clock):
    """Keyset pages: each order once, in order (emergency, then most recently changed), to the end."""
    ids = []
    for number in range(7):
        clock.advance(minutes=1)
        emergency = (
            {"emergency": True, "emergency_justification": "A threat to life."} if number % 3 == 0 else {}
        )
        order = exchange.issue(exchange.draft(**emergency))
        ids.append((order["emergency"], order["updated_at"], order["id"]))
    expected = [order_id for _, _, order_id in sorted(ids, reverse=True)]
    seen, cursor = [], None
    while True:
        query = {"per_page": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/inbox", query_string=query, headers=network["provider"].headers).get_json()
        assert set(page) == {"items", "per_page", "next_cursor"}
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert [order_id for _, _, order_id in sorted(ids, reverse=True)[:3]] == seen[:3]


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJ4IiwgMSwgMl0", "!!!"])
def test_a_cursor_the_api_did_not_give_is_refused(client, network, cursor):
    response = client.get(f"/api/v1/inbox?cursor={cursor}", headers=network["provider"].headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"cursor": ["not a cursor of this listing"]}
