"""What each organisation can see of its notifications: every message, every attempt, and the key."""

import json

import pytest

from broker import crypto
from broker.app import create_app
from broker.problems import PROBLEM_BASE

DELIVERIES = "/api/v1/webhooks/deliveries"
OK, FAILING, REMOVED = (
    "https://ok.examplemail.test/hook",
    "https://failing.examplemail.test/hook",
    "https://removed.examplemail.test/hook",
)


def deliveries(client, party, **query):
    response = client.get(DELIVERIES, query_string=query, headers=party.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_delivery_shows_each_attempt_and_the_document_sent(
    client, network, hook, notify, receiver, deliver, clock, order
):
    endpoint = hook("provider", OK)
    receiver.post(OK, status=500)
    receiver.post(OK, status=202)
    (message,) = notify("provider", event="order.issued", order=order, emergency=True)
    deliver()
    clock.advance(seconds=30)
    deliver()

    (item,) = deliveries(client, network["provider"])["items"]

    assert item == {
        "id": str(message.id),
        "endpoint_id": str(endpoint.id),
        "event": "order.issued",
        "order_id": str(order.id),
        "emergency": True,
        "status": "delivered",
        "attempts": 2,
        "created_at": "2026-11-24T09:00:00+00:00",
        "next_attempt_at": "2026-11-24T09:00:30+00:00",
        "delivered_at": "2026-11-24T09:00:30+00:00",
        "failed_at": None,
        "last_error": None,
        "history": [
            {
                "number": 1,
                "attempted_at": "2026-11-24T09:00:00+00:00",
                "status_code": 500,
                "error": "HTTP 500 Internal Server Error",
            },
            {"number": 2, "attempted_at": "2026-11-24T09:00:30+00:00", "status_code": 202, "error": None},
        ],
        "document": json.loads(message.payload),
    }


@pytest.fixture
def three(client, network, hook, notify, receiver, deliver):
    """One message delivered, one being retried, one failed: {status: outbox id}."""
    ok, failing, removed = hook("provider", OK), hook("provider", FAILING), hook("provider", REMOVED)
    receiver.post(OK, status=200)
    receiver.post(FAILING, status=503)
    by_endpoint = {message.endpoint_id: str(message.id) for message in notify("provider")}
    client.delete(f"/api/v1/webhooks/{removed.id}", headers=network["provider"].headers)
    deliver()
    return {
        "delivered": by_endpoint[ok.id],
        "pending": by_endpoint[failing.id],
        "failed": by_endpoint[removed.id],
    }


@pytest.mark.parametrize("status", ["delivered", "pending", "failed"])
def test_deliveries_filter_by_status(client, network, three, status):
    page = deliveries(client, network["provider"], status=status)
    assert [(item["id"], item["status"]) for item in page["items"]] == [(three[status], status)]
    assert page["total"] == 1


def test_deliveries_are_paginated(client, network, three):
    everything = deliveries(client, network["provider"])
    assert {item["id"] for item in everything["items"]} == set(three.values())
    first = deliveries(client, network["provider"], per_page=2)
    second = deliveries(client, network["provider"], per_page=2, page=2)
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert {i["id"] for i in first["items"] + second["items"]} == set(three.values())


def test_an_organisation_sees_none_of_another_ones_deliveries(client, network, three):
    for who in ("prosecutor", "other_provider", "oversight"):
        assert deliveries(client, network[who]) == {"items": [], "page": 1, "per_page": 25, "total": 0}


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"status": ""}, {"page": 0}, {"per_page": 101}, {"kind": "x"}],
)
def test_a_bad_query_is_a_validation_error_naming_it(client, network, query):
    response = client.get(DELIVERIES, query_string=query, headers=network["provider"].headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["type"] == PROBLEM_BASE + "validation-error"
    assert set(body["errors"]) == set(query)


def test_the_signing_key_is_the_brokers_public_key(client, network, signer):
    response = client.get("/api/v1/webhooks/signing-key", headers=network["enforcing"].headers)
    assert response.status_code == 200
    published = response.get_json()
    assert set(published) == {"kid", "jwk"}
    assert published["jwk"] == {
        **crypto.public_jwk(signer.private_key),
        "kid": published["kid"],
        "alg": "EdDSA",
        "use": "sig",
    }
    assert crypto.validate_public_jwk(published["jwk"]) == crypto.public_jwk(signer.private_key)
    assert published["kid"] == crypto.jwk_thumbprint(crypto.public_jwk(signer.private_key))


def test_without_a_key_the_signing_key_is_unavailable(database, clock, network):
    keyless = create_app({"TESTING": True, "KEY_FILE": None}, clock=clock, database=database)
    response = keyless.test_client().get("/api/v1/webhooks/signing-key", headers=network["provider"].headers)
    assert response.status_code == 503
    assert response.get_json()["type"] == PROBLEM_BASE + "signing-unavailable"
