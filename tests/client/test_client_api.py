"""`BrokerClient` sends exactly the requests docs/api.md describes (paths, media types, bodies, query).

Mocked with `responses`; tests/client/test_client_cli.py runs the same calls against a real broker.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from responses import matchers

from broker import crypto
from broker.client import BrokerClient
from broker.client import ClientError
from broker.client import KeySigner
from broker.client import seal_message

BASE = "https://broker.test"
API = f"{BASE}/api/v1"
ORDER = "446173fd-48fb-4ddb-989d-0338c3d35e51"
AUTHORITY = "6af218b1-1abb-40b9-8706-69f3f9c7aa0b"
PROVIDER = "d672d192-52c7-4ba6-be8b-81bff7f50604"
DRAFT = {"order_type": "epoc", "certificate": {"instrument": "reg-2023-1543"}}


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def client() -> BrokerClient:
    return BrokerClient(BASE, "ebt_test")


@pytest.fixture
def signer() -> KeySigner:
    return KeySigner(crypto.generate_private_key("EdDSA"))


def _draft_order() -> dict[str, Any]:
    return {
        "id": ORDER,
        "order_type": "epoc",
        "state": "draft",
        "issuing_authority": {"id": AUTHORITY, "name": "Parquet de Paris"},
        "provider": {"id": PROVIDER, "name": "Example Mail"},
        "certificate": {"instrument": "reg-2023-1543", "language": "en"},
        "messages": [],
    }


JSON_POSTS = [
    pytest.param("check_draft", (DRAFT,), "/orders/check", DRAFT, 200, id="check a draft"),
    pytest.param("draft_order", (DRAFT,), "/orders", DRAFT, 201, id="draft an order"),
    pytest.param("check_order", (ORDER,), f"/orders/{ORDER}/check", None, 200, id="check a stored draft"),
    pytest.param("receive", (ORDER,), f"/orders/{ORDER}/receive", None, 200, id="receive"),
]


@pytest.mark.parametrize(("method", "arguments", "path", "body", "status"), JSON_POSTS)
def test_json_posts(mocked, client, method, arguments, path, body, status):
    match = [matchers.json_params_matcher(body)] if body is not None else []
    mocked.post(f"{API}{path}", json={"ok": True}, status=status, match=match)

    assert getattr(client, method)(*arguments) == {"ok": True}

    assert "Idempotency-Key" in mocked.calls[0].request.headers


def test_a_certificate_alone_is_not_a_draft(client):
    with pytest.raises(ClientError, match="order_type"):
        client.draft_order(DRAFT["certificate"])


def test_issuing_sends_the_signed_certificate_as_jose_keyed_by_its_message_id(mocked, client, signer):
    message_id = "3c6f8e2a-7b1d-4a9e-b5c4-d2e1f0a9b8c7"
    jws = seal_message(
        signer, message_type="epoc", body={}, sender=AUTHORITY, recipient=PROVIDER, message_id=message_id
    )
    mocked.post(
        f"{API}/orders/{ORDER}/issue",
        json={"state": "issued"},
        match=[
            matchers.header_matcher(
                {"Content-Type": "application/jose", "Idempotency-Key": f"issue-{message_id}"}
            )
        ],
    )

    assert client.issue(ORDER, jws + "\n") == {"state": "issued"}

    assert mocked.calls[0].request.body == jws.encode("ascii")


def test_sign_and_issue_signs_the_stored_certificate_unchanged(mocked, client, signer):
    mocked.get(f"{API}/orders/{ORDER}", json=_draft_order())
    mocked.post(f"{API}/orders/{ORDER}/issue", json={"state": "issued"})

    client.sign_and_issue(ORDER, signer)

    sent = mocked.calls[1].request.body.decode("ascii")
    opened = crypto.verify_jws(sent, signer.public_jwk)
    envelope = json.loads(opened)
    assert envelope["body"] == _draft_order()["certificate"]
    assert (envelope["type"], envelope["in_reply_to"]) == ("epoc", None)
    assert envelope["sender"] == {"organisation": AUTHORITY, "kid": signer.kid}
    assert envelope["recipient"] == {"organisation": PROVIDER}


def test_sending_the_same_message_twice_uses_the_same_key(mocked, client, signer):
    jws = seal_message(signer, message_type="acknowledgement", body={}, sender=PROVIDER, recipient=AUTHORITY)
    mocked.post(f"{API}/orders/{ORDER}/messages", json={"state": "acknowledged"}, status=201)
    mocked.post(f"{API}/orders/{ORDER}/messages", json={"state": "acknowledged"}, status=201)

    client.send_message(ORDER, jws)
    client.send_message(ORDER, jws)

    keys = [call.request.headers["Idempotency-Key"] for call in mocked.calls]
    assert keys[0] == keys[1] and keys[0].startswith("message-")


INBOX = [
    pytest.param({}, {}, id="the first page"),
    pytest.param({"unread": True}, {"unread": "true"}, id="unread"),
    pytest.param(
        {"overdue": True, "cursor": "c2", "per_page": 10},
        {"overdue": "true", "cursor": "c2", "per_page": "10"},
        id="overdue, the page after cursor c2, ten a page",
    ),
]


@pytest.mark.parametrize(("arguments", "query"), INBOX)
def test_inbox_filters_and_pages(mocked, client, arguments, query):
    mocked.get(f"{API}/inbox", json={"items": []}, match=[matchers.query_param_matcher(query)])

    client.inbox(**arguments)


def test_inbox_items_walks_every_page(mocked, client):
    pages = ((None, [1, 2], "c1"), ("c1", [3, 4], "c2"), ("c2", [5], None))
    for cursor, items, following in pages:
        asked = {"per_page": "2", **({"cursor": cursor} if cursor else {})}
        mocked.get(
            f"{API}/inbox",
            json={"items": items, "per_page": 2, "next_cursor": following},
            match=[matchers.query_param_matcher(asked)],
        )

    assert list(client.inbox_items(per_page=2)) == [1, 2, 3, 4, 5]


def test_the_organisation_is_asked_once(mocked, client):
    mocked.get(f"{API}/me", json={"organisation": {"id": PROVIDER}})

    assert client.organisation_id() == client.organisation_id() == PROVIDER

    assert len(mocked.calls) == 1


def test_keys_of_reads_the_api_key_set(mocked, client, signer):
    jwk = signer.public_jwk
    listed = {"kid": signer.kid, "alg": "EdDSA", "jwk": jwk, "valid_from": "2026-01-01T00:00:00Z"}
    mocked.get(f"{API}/organisations/{PROVIDER}/keys", json={"organisation": PROVIDER, "keys": [listed]})

    (key,) = client.keys_of(PROVIDER)

    assert (key.kid, key.organisation, key.jwk) == (signer.kid, PROVIDER, jwk)
