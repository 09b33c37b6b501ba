"""Art. 7(2) of Regulation (EU) 2023/1543 through the API: an emergency order to another establishment."""

import uuid

import pytest

from broker.parties import operations
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AddresseeType
from broker.wire import envelope

EMERGENCY = {
    "emergency": True,
    "emergency_justification": "The account holder announced a killing for tonight.",
}
NO_REACTION = {"ground": "designated_did_not_react", "details": "Our EPOC of 06:00 was not acknowledged."}


@pytest.fixture
def berlin_office(network, database, clock) -> str:
    """Example Mail's office in Germany: registered, but not its designated establishment (that is Ireland)."""
    with database.transaction() as session:
        provider = session.get_one(Organisation, uuid.UUID(network["provider"].organisation_id))
        office = operations.add_addressee(
            session,
            clock,
            provider=provider,
            addressee_type=AddresseeType.OTHER_ESTABLISHMENT,
            name="Example Mail Deutschland GmbH",
            country="DE",
            address="Beispielstrasse 1, 10115 Berlin",
            email="orders@example-mail.test",
            emergency_contact="+49 30 000 0999",
            languages=["en", "de"],
        )
        return str(office.id)


def draft(client, network, drafts, addressee, **changes):
    answer = client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": drafts.epoc(addressee, **changes)},
        headers=network["prosecutor"].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def issue(client, network, order, version=None):
    prosecutor = network["prosecutor"]
    sealed = envelope.new_envelope(
        message_type="epoc",
        body=order["certificate"],
        sender=prosecutor.organisation_id,
        kid=prosecutor.kid,
        recipient=order["provider"]["id"],
        issued_at=prosecutor.clock(),
        version=version,
    )
    jws = envelope.seal(sealed, prosecutor.private_key, prosecutor.kid)
    answer = client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=prosecutor.headers,
    )
    return jws, answer


def ee27(order):
    return [f for f in order["checks"]["findings"] if f["rule_id"] == "EE-27"]


def test_an_emergency_order_reaches_another_establishment_when_ireland_did_not_react(
    client, network, drafts, berlin_office
):
    order = draft(client, network, drafts, berlin_office, addressing_exception=NO_REACTION, **EMERGENCY)
    assert order["certificate"]["addressee"]["addressee_type"] == "other_establishment"
    assert order["certificate"]["addressing_exception"] == NO_REACTION
    assert ee27(order) == []
    jws, answer = issue(client, network, order)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["state"] == "issued"
    assert envelope.read_unverified(jws)["version"] == 2  # the certificate says what only version 2 can


def test_outside_an_emergency_it_is_refused_citing_article_7(client, network, drafts, berlin_office):
    order = draft(client, network, drafts, berlin_office, addressing_exception=NO_REACTION)
    (finding,) = ee27(order)
    assert finding["severity"] == "error" and "Art. 7(2)" in finding["message"]
    _, answer = issue(client, network, order)
    assert answer.status_code == 422
    problem = answer.get_json()
    assert problem["type"] == PROBLEM_BASE + "legal-check-failed"
    assert "EE-27 (Regulation (EU) 2023/1543, Art. 3(1)-(2), Art. 7; Annex I Section B)" in problem["detail"]


def test_none_designated_is_held_to_the_registry(client, network, drafts, berlin_office):
    order = draft(
        client,
        network,
        drafts,
        berlin_office,
        addressing_exception={"ground": "none_designated"},
        **EMERGENCY,
    )
    (finding,) = ee27(order)
    assert finding["fields"] == ["addressing_exception.ground"]
    assert "(in IE)" in finding["message"]


def test_without_a_ground_the_caseworker_is_told_to_name_one(client, network, drafts, berlin_office):
    (finding,) = ee27(draft(client, network, drafts, berlin_office, **EMERGENCY))
    assert finding["fields"] == ["addressing_exception"] and "Art. 7(2)" in finding["message"]


def test_an_unknown_ground_is_refused_naming_the_member(client, network, drafts, berlin_office):
    certificate = drafts.epoc(berlin_office, addressing_exception={"ground": "busy"}, **EMERGENCY)
    answer = client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["prosecutor"].headers,
    )
    assert answer.status_code == 422
    assert "ground" in answer.get_json()["errors"]["certificate"]["addressing_exception"]


def test_signed_as_version_1_the_certificate_is_refused(client, network, drafts, berlin_office):
    order = draft(client, network, drafts, berlin_office, addressing_exception=NO_REACTION, **EMERGENCY)
    _, answer = issue(client, network, order, version=1)
    assert answer.status_code == 422, answer.get_json()
    assert "addressee" in str(answer.get_json())
