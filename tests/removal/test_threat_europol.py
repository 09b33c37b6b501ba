"""Europol as the recipient of a DSA Art. 18 notification whose Member State the provider cannot identify.

Regulation (EU) 2022/2065, Art. 18(2): the video host, unable to tell which State is concerned, may inform
Europol (or its State of establishment's authorities, or both). Europol reads what it was sent as an authority
does, hears of it by webhook, cannot answer it with an order (it is no issuing authority under Regulation
(EU) 2023/1543) and sees no order at all.
"""

import uuid
from typing import Any

import pytest

from broker import problems
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.removal import examples
from tests.removal.conftest import Removals
from tests.removal.test_threat_notifications import PATH
from tests.removal.test_threat_notifications import Notifier

UNKNOWN = {"member_states_concerned": [], "fallback_reason": "The uploader hides behind a VPN."}


@pytest.fixture
def notifier(removals: Removals) -> Notifier:
    return Notifier(removals)


@pytest.fixture
def europol(network: Any) -> Any:
    return network.add("europol", "Europol", OrganisationKind.EUROPOL, "NL", Role.CASEWORKER)


def test_a_notification_with_no_state_concerned_reaches_europol(
    notifier: Notifier, network: Any, europol: Any, client: Any, rows: Any
) -> None:
    hook = client.post(
        "/api/v1/webhooks", json={"url": "https://ec3.europol.test/hook"}, headers=europol.headers
    )
    assert hook.status_code == 201, hook.get_json()
    outbox = rows("outbox_messages")
    sent = notifier.sent("europol", **UNKNOWN)
    assert sent["recipient"]["id"] == europol.organisation_id and sent["fallback"] is True
    assert rows("outbox_messages") == outbox + 1, "Europol hears of it at once"
    assert [item["id"] for item in notifier.listed("europol")] == [sent["id"]]
    one = client.get(f"{PATH}/{sent['id']}", headers=europol.headers)
    assert one.status_code == 200 and one.get_json()["jws"] == sent["jws"]
    assert [item["id"] for item in notifier.listed("host")] == [sent["id"]]
    assert [item["id"] for item in notifier.listed("oversight")] == [sent["id"]]
    assert notifier.listed("enforcing") == [] and notifier.listed("prosecutor") == []


def test_both_europol_and_the_state_of_establishment(notifier: Notifier, europol: Any) -> None:
    """Art. 18(2) "or both": one notification to each."""
    to_europol, to_ireland = notifier.sent("europol", **UNKNOWN), notifier.sent("enforcing", **UNKNOWN)
    assert [item["id"] for item in notifier.listed("europol")] == [to_europol["id"]]
    assert [item["id"] for item in notifier.listed("enforcing")] == [to_ireland["id"]]


def test_europol_receives_no_notification_that_names_a_state(
    notifier: Notifier, europol: Any, rows: Any
) -> None:
    """Art. 18(1): with France concerned, France's authorities are told, not Europol."""
    before = rows("threat_notifications")
    notifier.refused(notifier.post("europol"), 422, "wrong-recipient", "Art. 18(1)")
    assert rows("threat_notifications") == before


def test_europol_cannot_answer_with_an_epoc(notifier: Notifier, europol: Any, rows: Any) -> None:
    sent = notifier.sent("europol", **UNKNOWN)
    before = rows("orders")
    refused = notifier.answer(sent, "europol")
    notifier.refused(refused, 403, "forbidden", "not an issuing authority under Regulation (EU) 2023/1543")
    assert rows("orders") == before
    assert notifier.listed("europol")[0]["answered_by"] == []


def test_europol_neither_sends_notifications_nor_sees_or_touches_orders(
    notifier: Notifier, network: Any, europol: Any, exchange: Any, drafts: Any, client: Any
) -> None:
    order = exchange.issue(exchange.draft())
    jws = europol.sign(
        "threat-notification",
        {**examples.threat_notification(), **UNKNOWN},
        network["enforcing"].organisation_id,
    )
    sent = client.post(PATH, data=jws, content_type="application/jose", headers=europol.headers)
    notifier.refused(sent, 403, "forbidden", "you act for Europol")
    assert client.get("/api/v1/orders", headers=europol.headers).get_json()["items"] == []
    notifier.refused(client.get(f"/api/v1/orders/{order['id']}", headers=europol.headers), 404, "not-found")
    notifier.refused(client.get("/api/v1/inbox", headers=europol.headers), 403, "forbidden", "Europol")
    body = {"order_type": "epoc", "certificate": drafts.epoc(network.addressees["provider"])}
    notifier.refused(client.post("/api/v1/orders", json=body, headers=europol.headers), 403, "forbidden")


def test_a_registry_holds_one_europol(database: Any, clock: Any, europol: Any) -> None:
    with database.transaction() as session, pytest.raises(problems.Conflict, match="already registered"):
        operations.create_organisation(
            session,
            clock,
            name="European Union Agency for Law Enforcement Cooperation",
            kind=OrganisationKind.EUROPOL,
            country="NL",
        )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEGAL_OFFICER])
def test_europol_has_no_roles_of_orders(database: Any, clock: Any, europol: Any, role: Role) -> None:
    with (
        database.transaction() as session,
        pytest.raises(problems.ValidationFailed, match="does not exist in Europol"),
    ):
        organisation = session.get_one(Organisation, uuid.UUID(europol.organisation_id))
        operations.create_user(
            session, clock, organisation=organisation, email="x@europol.test", name="X", role=role
        )
