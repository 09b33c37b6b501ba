"""Who may register and remove webhook endpoints, and which URLs the broker will post to.

The suite runs as a test deployment, with BROKER_WEBHOOK_ALLOW_LOOPBACK on (tests/conftest.py); the
`production` fixture turns it off, as every real deployment has it. The address policy itself, every
spelling of every kind of address, is in test_addresses.py.
"""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from broker.app import ConfigurationError
from broker.app import create_app
from broker.audit.models import AuditEntry
from broker.notify.operations import MAX_ACTIVE_ENDPOINTS
from broker.parties import operations
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import Role

WEBHOOKS = "/api/v1/webhooks"


def register(client, party, url):
    return client.post(WEBHOOKS, json={"url": url}, headers=party.headers)


def problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["type"] == PROBLEM_BASE + slug
    return body


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.examplemail.test/broker",
        "https://hooks.examplemail.test:8443/broker?tenant=eu",
        "HTTPS://Hooks.ExampleMail.test/broker",
        "http://127.0.0.1:8080/hook",
        "http://127.10.0.1/hook",
        "http://[::1]:8080/hook",
        "http://localhost/hook",
    ],
)
def test_https_urls_and_http_on_loopback_are_accepted_in_a_test_deployment(client, network, clock, url):
    response = register(client, network["provider"], url)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "organisation_id": network["provider"].organisation_id,
        "url": url,
        "created_at": "2026-11-24T09:00:00+00:00",
        "disabled_at": None,
    }


@pytest.mark.parametrize(
    ("url", "why"),
    [
        pytest.param("http://hooks.examplemail.test/broker", "https", id="plain http"),
        pytest.param("http://10.0.0.5/hook", "private", id="http on a private address"),
        pytest.param("http://localhost.examplemail.test/hook", "https", id="http to a name like localhost"),
        pytest.param("ftp://hooks.examplemail.test/broker", "https", id="another scheme"),
        pytest.param("hooks.examplemail.test/broker", "host", id="no scheme"),
        pytest.param("https:///broker", "host", id="no host"),
        pytest.param("https://user:secret@hooks.examplemail.test/", "credentials", id="credentials"),
        pytest.param("https://hooks.examplemail.test/#frag", "fragment", id="fragment"),
        pytest.param("https://hooks.examplemail.test:99999/", "parsed", id="port out of range"),
        pytest.param("https://hooks.examplemail.test/a b", "whitespace", id="space"),
        pytest.param("https://hooks.examplemail.test/\n", "whitespace", id="newline"),
        pytest.param("https://hooks.examplemail.test/" + "a" * 2000, "longer", id="too long"),
        pytest.param("https://169.254.169.254/latest/meta-data/", "link-local", id="cloud metadata address"),
        pytest.param("https://10.0.0.7/hook", "private", id="private network"),
        pytest.param("https://[fd00::1]/hook", "private", id="private IPv6"),
        pytest.param("https://0.0.0.0/hook", "private", id="unspecified address"),
        pytest.param("", "host", id="empty"),
    ],
)
def test_other_urls_are_refused_naming_the_url(client, network, rows, url, why):
    body = problem(register(client, network["provider"], url), 422, "validation-error")
    assert set(body["errors"]) == {"url"}
    assert why in body["errors"]["url"][0]
    assert rows("webhook_endpoints") == 0


@pytest.fixture
def production(app):
    """The app as every real deployment runs it: the loopback switch off."""
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://2130706433/hook",
        "https://0x7f.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
    ],
)
def test_loopback_is_refused_in_production(client, network, rows, production, url):
    body = problem(register(client, network["provider"], url), 422, "validation-error")
    assert "loopback" in body["errors"]["url"][0] or "https" in body["errors"]["url"][0]
    assert rows("webhook_endpoints") == 0


def test_a_name_is_accepted_in_production_and_checked_at_each_delivery(client, network, production):
    assert register(client, network["provider"], "https://hooks.examplemail.test/broker").status_code == 201


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_loopback_switch_must_be_true_or_false(database, value):
    with pytest.raises(ConfigurationError, match="BROKER_WEBHOOK_ALLOW_LOOPBACK must be true or false"):
        create_app({"WEBHOOK_ALLOW_LOOPBACK": value}, database=database)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="missing url"),
        pytest.param({"url": 42}, id="not a string"),
        pytest.param({"url": None}, id="null"),
        pytest.param({"url": "https://a.test/", "secret": "x"}, id="unknown member"),
    ],
)
def test_a_malformed_body_is_a_validation_error(client, network, body):
    response = client.post(WEBHOOKS, json=body, headers=network["provider"].headers)
    assert problem(response, 422, "validation-error")["errors"]


def test_at_most_ten_active_endpoints_per_organisation(client, network):
    provider = network["provider"]
    ids = [
        register(client, provider, f"https://hooks.examplemail.test/{n}").get_json()["id"]
        for n in range(MAX_ACTIVE_ENDPOINTS)
    ]
    refused = problem(register(client, provider, "https://hooks.examplemail.test/11"), 409, "conflict")
    assert "at most 10" in refused["detail"]
    # Another organisation has its own ten.
    assert register(client, network["other_provider"], "https://hooks.othercloud.test/1").status_code == 201
    # Removing one makes room.
    assert client.delete(f"{WEBHOOKS}/{ids[0]}", headers=provider.headers).status_code == 200
    assert register(client, provider, "https://hooks.examplemail.test/11").status_code == 201


def test_the_same_url_twice_is_a_conflict_until_it_is_removed(client, network):
    provider = network["provider"]
    first = register(client, provider, "https://hooks.examplemail.test/broker").get_json()
    problem(register(client, provider, "https://hooks.examplemail.test/broker"), 409, "conflict")
    client.delete(f"{WEBHOOKS}/{first['id']}", headers=provider.headers)
    assert register(client, provider, "https://hooks.examplemail.test/broker").status_code == 201


def test_each_organisation_lists_only_its_own_endpoints(client, network):
    mine = register(client, network["provider"], "https://hooks.examplemail.test/broker").get_json()
    register(client, network["other_provider"], "https://hooks.othercloud.test/broker")
    page = client.get(WEBHOOKS, headers=network["provider"].headers).get_json()
    assert (page["items"], page["total"]) == ([mine], 1)


def test_removing_an_endpoint_keeps_it_listed_and_fails_its_undelivered_messages(
    client, network, notify, outbox, clock
):
    provider = network["provider"]
    endpoint = register(client, provider, "https://hooks.examplemail.test/broker").get_json()
    notify("provider")
    clock.advance(minutes=5)

    removed = client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=provider.headers)

    assert removed.status_code == 200
    assert removed.get_json()["disabled_at"] == "2026-11-24T09:05:00+00:00"
    assert client.get(WEBHOOKS, headers=provider.headers).get_json()["items"] == [removed.get_json()]
    (message,) = outbox()
    assert (message.status, message.last_error) == ("failed", "the endpoint was removed before delivery")
    assert notify("provider") == []


def test_removing_twice_changes_nothing_the_second_time(client, network, clock, rows):
    provider = network["provider"]
    endpoint = register(client, provider, "https://hooks.examplemail.test/broker").get_json()
    first = client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=provider.headers).get_json()
    entries = rows("audit_entries")
    clock.advance(hours=1)
    second = client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=provider.headers)
    assert (second.status_code, second.get_json()) == (200, first)
    assert rows("audit_entries") == entries


def test_another_organisations_endpoint_is_not_found(client, network, rows):
    endpoint = register(client, network["provider"], "https://hooks.examplemail.test/broker").get_json()
    missing = "00000000-0000-4000-8000-000000000000"
    theirs = problem(
        client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=network["other_provider"].headers),
        404,
        "not-found",
    )
    nobodys = problem(
        client.delete(f"{WEBHOOKS}/{missing}", headers=network["other_provider"].headers), 404, "not-found"
    )
    assert json.dumps(theirs).replace(endpoint["id"], "ID") == json.dumps(nobodys).replace(missing, "ID")
    listed = client.get(WEBHOOKS, headers=network["provider"].headers).get_json()["items"]
    assert listed[0]["disabled_at"] is None


@pytest.fixture
def auditor(database, clock, network):
    """An auditor of Example Mail."""
    with database.transaction() as session:
        provider = session.get_one(Organisation, uuid.UUID(network["provider"].organisation_id))
        user = operations.create_user(
            session,
            clock,
            organisation=provider,
            email="audit@examplemail.test",
            name="Auditor",
            role=Role.AUDITOR,
        )
        _, token = operations.issue_token(
            session, clock, user=user, label="audit", lifetime=timedelta(days=1)
        )
    return {"Authorization": f"Bearer {token}"}


def test_an_auditor_reads_but_may_not_register_or_remove(client, network, auditor, rows):
    endpoint = register(client, network["provider"], "https://hooks.examplemail.test/broker").get_json()
    refused = client.post(WEBHOOKS, json={"url": "https://hooks.examplemail.test/audit"}, headers=auditor)
    assert "auditor" in problem(refused, 403, "forbidden")["detail"]
    problem(client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=auditor), 403, "forbidden")
    assert client.get(WEBHOOKS, headers=auditor).get_json()["items"] == [endpoint]
    assert rows("webhook_endpoints") == 1


def test_registration_and_removal_are_in_the_audit_log(client, network, database):
    provider = network["provider"]
    url = "https://hooks.examplemail.test/secret-path-token"
    endpoint = register(client, provider, url).get_json()
    client.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=provider.headers)
    with database.transaction() as session:
        entries = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_id == endpoint["id"]).order_by(AuditEntry.index)
        ).all()
    assert [(e.action, e.object_type, str(e.organisation_id)) for e in entries] == [
        ("webhook.registered", "webhook_endpoint", provider.organisation_id),
        ("webhook.removed", "webhook_endpoint", provider.organisation_id),
    ]
    assert json.loads(entries[0].leaf)["details"] == {"origin": "https://hooks.examplemail.test"}
    assert "secret-path-token" not in entries[0].leaf


def test_a_retried_registration_with_the_same_idempotency_key_registers_once(client, network, rows):
    headers = {**network["provider"].headers, "Idempotency-Key": "register-1"}
    body = {"url": "https://hooks.examplemail.test/broker"}
    first = client.post(WEBHOOKS, json=body, headers=headers)
    again = client.post(WEBHOOKS, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert rows("webhook_endpoints") == 1
