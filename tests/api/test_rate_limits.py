"""Rate limits at the door (issue 12, defect 5): 400 wrong tokens in 3 seconds all got a plain 401.

Every behaviour runs on both stores: `memory://` (one process's own counts, the default) and Redis
(the one the test machine runs on 127.0.0.1:6379), each test under a key prefix of its own. The
limits are the test's own, small ones; the suite's other tests run with the generous defaults.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from broker.api import ratelimit
from broker.app import ConfigurationError
from broker.app import create_app
from broker.parties import operations
from broker.parties.models import ApiToken
from broker.problems import PROBLEM_BASE

REDIS_URL = "redis://127.0.0.1:6379/0"
ME = "/api/v1/me"
GENEROUS = "100000/minute"


@pytest.fixture(params=["memory", "redis"])
def store(request) -> Iterator[dict[str, str]]:
    """The rate-limit store settings: memory://, or Redis under a prefix only this test uses."""
    if request.param == "memory":
        yield {"RATE_LIMIT_STORAGE": "memory://"}
        return
    prefix = f"broker-test-{uuid.uuid4()}"
    if not ratelimit.store_answers(REDIS_URL, prefix):
        pytest.fail(f"no Redis at {REDIS_URL}: the rate-limit tests need one (see .ci/run)")
    yield {"RATE_LIMIT_STORAGE": REDIS_URL, "RATE_LIMIT_KEY_PREFIX": prefix}
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


@pytest.fixture
def limited(database, clock, broker_key_file, tmp_path, store) -> Any:
    """limited(**limits) -> an app of the suite's database with these limits (all others generous)."""

    def build(**limits: str) -> Flask:
        settings = {
            "TESTING": True,
            "KEY_FILE": str(broker_key_file),
            "LOG_ORIGIN": "broker.test/log",
            "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
            "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": GENEROUS,
            "RATE_LIMIT_AUTH_FAILURES_PER_TOKEN": GENEROUS,
            "RATE_LIMIT_PER_TOKEN": GENEROUS,
            "RATE_LIMIT_EXPENSIVE": GENEROUS,
            **store,
            **{f"RATE_LIMIT_{name.upper()}": value for name, value in limits.items()},
        }
        return create_app(settings, clock=clock, database=database)

    return build


@pytest.fixture
def statements(database) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the test runs."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(database.engine, "before_cursor_execute", record)


def get(client, path: str, token: str, address: str) -> Any:
    return client.get(
        path, headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": address}
    )


def wrong_token() -> str:
    return f"ebt_{uuid.uuid4().hex}"


def assert_limited(response: Any, limit: str) -> int:
    """The response is a rate-limited problem naming `limit`; returns its Retry-After."""
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    document = response.get_json()
    assert document["type"] == PROBLEM_BASE + "rate-limited"
    retry_after = int(response.headers["Retry-After"])
    assert document["retry_after"] == retry_after >= 1
    assert limit in document["detail"]
    return retry_after


def test_wrong_tokens_from_one_address_are_refused_before_any_database_work(limited, network, statements):
    """The defect's own scenario: 400 wrong tokens. The first 10 are looked up and fail; the rest never are."""
    client = limited(auth_failures_per_address="10/minute").test_client()
    answers = [get(client, ME, wrong_token(), "192.0.2.1") for _ in range(400)]
    assert [answer.status_code for answer in answers[:10]] == [401] * 10
    statements.clear()
    refused = [answer for answer in answers[10:] if answer.status_code == 429]
    assert len(refused) == 390
    assert all(1 <= assert_limited(answer, "10 per 1 minute") <= 60 for answer in refused[:5])
    assert get(client, ME, wrong_token(), "192.0.2.1").status_code == 429
    assert statements == []  # a refused caller costs no database work
    # A correct token from another address is not affected; from the locked-out address it waits too.
    assert get(client, ME, network["prosecutor"].token, "192.0.2.2").status_code == 200
    assert_limited(get(client, ME, network["prosecutor"].token, "192.0.2.1"), "10 per 1 minute")


def test_retry_after_is_honoured(limited):
    """Wait as long as Retry-After says, and the address may try again."""
    client = limited(auth_failures_per_address="3 per 1 second").test_client()
    assert [get(client, ME, wrong_token(), "192.0.2.9").status_code for _ in range(3)] == [401] * 3
    retry_after = assert_limited(get(client, ME, wrong_token(), "192.0.2.9"), "3 per 1 second")
    assert retry_after == 1
    time.sleep(retry_after)
    assert get(client, ME, wrong_token(), "192.0.2.9").status_code == 401


def _revoke(database, clock, token: str) -> None:
    with database.transaction() as session:
        token_id = session.scalar(
            sa.select(ApiToken.id).where(ApiToken.token_sha256 == operations.hash_token(token))
        )
        operations.revoke_token(session, clock, token_id)


def test_a_revoked_token_replayed_from_many_addresses_is_refused_by_its_own_limit(
    limited, network, database, clock
):
    client = limited(auth_failures_per_token="5/minute").test_client()
    stolen = network["provider"].token
    _revoke(database, clock, stolen)
    answers = [get(client, ME, stolen, f"198.51.100.{n}").status_code for n in range(1, 21)]
    assert answers == [401] * 5 + [429] * 15
    assert_limited(get(client, ME, stolen, "198.51.100.99"), "5 per 1 minute")
    # Other tokens, from the same addresses, are not affected.
    assert get(client, ME, network["prosecutor"].token, "198.51.100.1").status_code == 200


def test_each_token_has_its_own_request_budget(limited, network):
    client = limited(per_token="5/minute").test_client()
    prosecutor, provider = network["prosecutor"].token, network["provider"].token
    assert [get(client, ME, prosecutor, "192.0.2.1").status_code for _ in range(5)] == [200] * 5
    assert_limited(
        get(client, ME, prosecutor, "192.0.2.1"), "requests with this token: at most 5 per 1 minute"
    )
    assert_limited(get(client, ME, prosecutor, "192.0.2.77"), "5 per 1 minute")  # wherever it comes from
    assert get(client, ME, provider, "192.0.2.1").status_code == 200


def test_an_expensive_route_has_its_own_budget_per_token(limited, network, drafts):
    client = limited(expensive="2/minute").test_client()
    party = network["prosecutor"]
    draft = {"order_type": "epoc", "certificate": drafts.epoc(network.addressees["provider"])}

    def check(token: str) -> Any:
        return client.post(
            "/api/v1/orders/check",
            json=draft,
            headers={"Authorization": f"Bearer {token}"},
            environ_base={"REMOTE_ADDR": "192.0.2.5"},
        )

    assert [check(party.token).status_code for _ in range(2)] == [200, 200]
    assert_limited(
        check(party.token), "requests to orders.check_draft with this token: at most 2 per 1 minute"
    )
    assert get(client, ME, party.token, "192.0.2.5").status_code == 200  # other routes are not expensive
    assert check(network["judge"].token).status_code == 200  # nor is another token limited


EXPENSIVE_ROUTES = {
    "orders.check_draft",
    "reports.art28_report",
    "reports.transparency_report",
    "audit.inclusion_proof",
    "audit.consistency_proof",
    "audit.case_file",
    "evidence.download",
    # A form rendered (reportlab) and sealed (PAdES, pyHanko): about 0.2 s of CPU each, fifty times a read.
    "certificates.certificate",
    "certificates.message",
    # Up to 10 MB of someone's PDF parsed, its seal and the attached JWS checked against the registry.
    "certificates.verify",
    # Up to 1 MB of XML parsed and validated against the TS 103 120 schemas, then one transaction per action.
    "etsi.hi1_message",
    # Up to 1 MB of XML parsed and validated against the RI form's schemas.
    "etsi.import_form",
}


def test_the_expensive_routes_are_the_costly_ones(app):
    marked = {
        name
        for name, view in app.view_functions.items()
        if getattr(getattr(view, "endpoint_spec", None), "expensive", False)
    }
    assert marked == EXPENSIVE_ROUTES


def test_the_counts_are_shared_by_every_process_using_one_redis(limited, store):
    """Two apps stand for two processes: with Redis they share the counts, in memory each has its own."""
    first = limited(auth_failures_per_address="4/minute").test_client()
    second = limited(auth_failures_per_address="4/minute").test_client()
    assert [get(first, ME, wrong_token(), "192.0.2.3").status_code for _ in range(4)] == [401] * 4
    answer = get(second, ME, wrong_token(), "192.0.2.3")
    if store["RATE_LIMIT_STORAGE"] == "memory://":
        assert answer.status_code == 401
    else:
        assert_limited(answer, "4 per 1 minute")


def test_a_store_that_does_not_answer_lets_requests_through_and_says_so(
    database, clock, broker_key_file, tmp_path, network, caplog
):
    """Fail open: throttling protects the broker, it must never lock every party out of it."""
    app = create_app(
        {
            "TESTING": True,
            "KEY_FILE": str(broker_key_file),
            "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
            "RATE_LIMIT_STORAGE": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": "2/minute",
        },
        clock=clock,
        database=database,
    )
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="broker.api.ratelimit"):
        answers = [get(client, ME, wrong_token(), "192.0.2.4").status_code for _ in range(10)]
        assert get(client, ME, network["prosecutor"].token, "192.0.2.4").status_code == 200
    assert answers == [401] * 10
    logged = [record for record in caplog.records if "rate-limit store unavailable" in record.getMessage()]
    assert len(logged) == 1  # once a minute at most, however many requests went through


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RATE_LIMIT_PER_TOKEN", "lots", "BROKER_RATE_LIMIT_PER_TOKEN must be one or more limits"),
        ("RATE_LIMIT_EXPENSIVE", "0/minute", "BROKER_RATE_LIMIT_EXPENSIVE must be one or more limits"),
        ("RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS", 30, "BROKER_RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS"),
        ("RATE_LIMIT_STORAGE", "localhost:6379", "BROKER_RATE_LIMIT_STORAGE must be a store URL"),
        (
            "RATE_LIMIT_STORAGE",
            "ftp://somewhere",
            "BROKER_RATE_LIMIT_STORAGE 'ftp://somewhere' cannot be used",
        ),
        ("RATE_LIMIT_STORAGE", "memcached://localhost:11211", "'memcached://localhost:11211' cannot be used"),
        ("TRUSTED_PROXIES", -1, "BROKER_TRUSTED_PROXIES must be a whole number"),
        ("ENV", "staging", "BROKER_ENV must be 'development' or 'production'"),
    ],
)
def test_an_unusable_setting_stops_the_app_naming_it(database, name, value, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({name: value}, database=database)


def test_several_windows_apply_together(limited):
    """'2/second;3/minute': the longer window refuses once its count is used up, whatever the shorter says."""
    client = limited(auth_failures_per_address="2/second;3/minute").test_client()
    assert [get(client, ME, wrong_token(), "192.0.2.8").status_code for _ in range(2)] == [401, 401]
    assert_limited(get(client, ME, wrong_token(), "192.0.2.8"), "2 per 1 second")
    time.sleep(1.1)
    assert get(client, ME, wrong_token(), "192.0.2.8").status_code == 401
    assert_limited(get(client, ME, wrong_token(), "192.0.2.8"), "3 per 1 minute")
