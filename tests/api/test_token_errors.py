"""What a caller learns about a token that does not work (issue 12, defect 8; docs/problems.md, "Who is asking").

Decision: a revoked token, an unknown one and one whose user is disabled get the same answer, byte for
byte; only an expired token says so (`token-expired`). Revocation is what an operator does on finding
a theft, so telling the holder helps a thief more than the rightful user, who needs a new token from
the administrator either way; the operator is told instead, in the log. Expiry is the end the
administrator scheduled: it tells a thief nothing, and lets a party's system renew in time.
"""

import logging
import uuid

import pytest
import sqlalchemy as sa

from broker.parties import operations
from broker.parties.models import ApiToken
from broker.parties.models import User
from broker.problems import PROBLEM_BASE

ME = "/api/v1/me"


def _revoke(network, database, clock, handle: str) -> None:
    with database.transaction() as session:
        token_id = session.scalar(
            sa.select(ApiToken.id).where(
                ApiToken.token_sha256 == operations.hash_token(network[handle].token)
            )
        )
        operations.revoke_token(session, clock, token_id)


def _disable(network, database, clock, handle: str) -> None:
    with database.transaction() as session:
        user = session.scalar(sa.select(User).where(User.email == f"{handle}@example.test"))
        user.disabled_at = clock()


def unknown(network, database, clock) -> str:
    return f"ebt_{uuid.uuid4().hex}"


def revoked(network, database, clock) -> str:
    _revoke(network, database, clock, "prosecutor")
    return network["prosecutor"].token


def of_a_disabled_user(network, database, clock) -> str:
    _disable(network, database, clock, "provider")
    return network["provider"].token


def revoked_and_expired(network, database, clock) -> str:
    _revoke(network, database, clock, "judge")
    clock.advance(days=31)
    return network["judge"].token


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param(ME, "GET", id="a read"),
        pytest.param("/api/v1/orders/check", "POST", id="a write"),
        pytest.param(f"/api/v1/orders/{uuid.uuid4()}/messages", "POST", id="a signed route"),
    ],
)
def test_revoked_disabled_and_unknown_tokens_are_told_apart_from_nothing(
    client, network, database, clock, path, method
):
    answers = []
    for make in (unknown, revoked, of_a_disabled_user, revoked_and_expired):
        response = client.open(
            path, method=method, headers={"Authorization": f"Bearer {make(network, database, clock)}"}
        )
        answers.append((response.status_code, dict(response.headers), response.get_data()))
    assert answers[0][0] == 401
    assert all(answer == answers[0] for answer in answers[1:])
    assert answers[0][1]["Content-Type"] == "application/problem+json"
    assert b"unauthenticated" in answers[0][2]


def test_an_expired_token_says_so(client, network, clock):
    clock.advance(days=31)
    response = client.get(ME, headers=network["prosecutor"].headers)
    assert response.status_code == 401
    assert response.get_json()["type"] == PROBLEM_BASE + "token-expired"


@pytest.mark.parametrize(
    ("make", "logged"),
    [
        pytest.param(revoked, "revoked API token", id="revoked"),
        pytest.param(of_a_disabled_user, "of disabled user", id="disabled user"),
    ],
)
def test_the_operator_learns_what_the_caller_does_not(client, network, database, clock, caplog, make, logged):
    token = make(network, database, clock)
    with caplog.at_level(logging.WARNING, logger="broker.parties.operations"):
        assert client.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert any(logged in record.getMessage() for record in caplog.records)
    assert all(token not in record.getMessage() for record in caplog.records)  # never the token itself
