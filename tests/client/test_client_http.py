"""The client's transport: problems become ProblemError, broken connections are retried, and every
POST carries one Idempotency-Key per logical request, the same on each retry. Outbound HTTP is mocked
with `responses`; nothing leaves the process.
"""

import json
from collections.abc import Iterator

import pytest
import requests
import responses

from broker.client import BrokerClient
from broker.client import ClientError
from broker.client import ConnectionFailed
from broker.client import ProblemError
from broker.client import http

BASE = "https://broker.test"
API = f"{BASE}/api/v1"


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> BrokerClient:
    return BrokerClient(BASE, "ebt_test")


PROBLEMS = [
    pytest.param(
        401,
        {"type": "urn:eevidence-broker:problem:unauthenticated", "title": "Authentication required",
         "status": 401, "detail": "send an API token as 'Authorization: Bearer <token>'"},
        "unauthenticated", {}, id="unauthenticated",
    ),
    pytest.param(
        422,
        {"type": "urn:eevidence-broker:problem:validation-error", "title": "Invalid request", "status": 422,
         "detail": "the request does not satisfy its schema", "errors": {"per_page": ["Must be less than or equal to 100."]}},
        "validation-error", {"per_page": ["Must be less than or equal to 100."]}, id="validation error",
    ),
    pytest.param(
        409,
        {"type": "urn:eevidence-broker:problem:transfer-held", "status": 409, "detail": "the enforcing authority may object",
         "held_until": "2026-12-04T12:35:06Z"},
        "transfer-held", {}, id="extension member",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("status", "problem", "name", "errors"), PROBLEMS)
def test_a_problem_answer_becomes_a_typed_error(mocked, client, status, problem, name, errors):
    mocked.get(f"{API}/inbox", json=problem, status=status, content_type="application/problem+json")

    with pytest.raises(ProblemError) as raised:
        client.inbox()

    error = raised.value
    assert (error.status, error.name, error.type) == (status, name, problem["type"])
    assert error.detail == problem["detail"]
    assert error.errors == errors
    assert error.problem == problem
    assert str(error).startswith(f"GET /inbox answered {status}: {problem['detail']}")


def test_an_answer_that_is_not_json_still_becomes_a_problem(mocked, client):
    mocked.get(f"{API}/me", body="<html>Bad gateway</html>", status=502)

    with pytest.raises(ProblemError, match="502: <html>Bad gateway</html>") as raised:
        client.me()

    assert raised.value.type == "about:blank"


def test_every_post_gets_a_fresh_idempotency_key(mocked, client):
    mocked.post(f"{API}/orders/check", json={"blocking": False, "findings": []})
    draft = {"order_type": "epoc", "certificate": {}}

    client.check_draft(draft)
    client.check_draft(draft)

    keys = [call.request.headers["Idempotency-Key"] for call in mocked.calls]
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(len(key) == 36 for key in keys)


def test_a_get_carries_no_idempotency_key_but_the_token(mocked, client):
    mocked.get(f"{API}/me", json={"organisation": {"id": "o"}})

    client.me()

    request = mocked.calls[0].request
    assert "Idempotency-Key" not in request.headers
    assert request.headers["Authorization"] == "Bearer ebt_test"


def test_a_post_retried_after_a_broken_connection_reuses_its_key(mocked, client):
    answers: list[object] = [requests.ConnectionError("reset by peer"), requests.Timeout("read timed out")]

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if answers:
            raise answers.pop(0)  # type: ignore[misc]
        return 201, {}, json.dumps({"id": "order-1", "state": "draft"})

    mocked.add_callback(responses.POST, f"{API}/orders", callback=answer)

    created = client.draft_order({"order_type": "epoc", "certificate": {}}, idempotency_key=None)

    assert created == {"id": "order-1", "state": "draft"}
    keys = {call.request.headers["Idempotency-Key"] for call in mocked.calls}
    assert len(mocked.calls) == 3 and len(keys) == 1


def test_a_given_idempotency_key_is_sent_as_it_is(mocked, client):
    mocked.post(f"{API}/orders", json={"id": "order-1"}, status=201)

    client.draft_order({"order_type": "epoc", "certificate": {}}, idempotency_key="draft-PARQUET-2026-04417")

    assert mocked.calls[0].request.headers["Idempotency-Key"] == "draft-PARQUET-2026-04417"


def test_giving_up_after_the_retries_says_to_run_again(mocked, client):
    mocked.get(f"{API}/me", body=requests.ConnectionError("refused"))

    with pytest.raises(ConnectionFailed, match="run the same command again"):
        client.me()

    assert len(mocked.calls) == http.RETRIES + 1


def test_a_streamed_body_is_not_sent_twice(mocked, client):
    mocked.put(f"{API}/upload", body=requests.ConnectionError("reset"))

    with pytest.raises(ConnectionFailed):
        client.request("PUT", "/upload", data=iter([b"chunk"]))

    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("base_url", "token"),
    [("broker.test", "ebt_x"), ("ftp://broker.test", "ebt_x"), (BASE, "")],
    ids=["no scheme", "not http", "no token"],
)
def test_a_client_without_a_usable_url_or_token_is_refused_at_once(base_url, token):
    with pytest.raises(ClientError):
        BrokerClient(base_url, token)
