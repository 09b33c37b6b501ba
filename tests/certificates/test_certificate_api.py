"""The PDF door of the API: an order's messages as sealed forms, read like the order, and their check."""

import io
import json
import uuid
from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa
from cryptography import x509
from pypdf import PdfReader

from broker import crypto
from broker.api.views.certificates import broker_seal
from broker.app import create_app
from broker.audit.models import AuditEntry
from broker.certificates import Seal
from broker.certificates import certificate_pdf
from broker.certificates import verify_pdf
from broker.client.verify import TrustedKey
from broker.client.verify import TrustList
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def trust_of(network) -> TrustList:
    return TrustList(
        TrustedKey(party.kid, crypto.public_jwk(party.private_key), party.organisation_id)
        for party in network.parties.values()
    )


def test_the_addressee_downloads_the_certificate_as_a_sealed_pdf_it_can_verify(
    sealed, client, network, exchange, seal
):
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    verdict = verify_pdf(response.data, [seal.certificate], trust_of(network))
    assert verdict.valid, verdict.line()
    assert verdict.message is not None and verdict.message.id == order["messages"][0]["id"]
    assert "EUROPEAN PRODUCTION ORDER CERTIFICATE (EPOC)" in text_of(response.data)


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("prosecutor", 200),
        ("provider", 200),
        ("oversight", 200),
        ("other_authority", 404),
        ("other_provider", 404),
    ],
)
def test_only_a_party_that_may_see_the_order_gets_its_pdf(sealed, client, network, exchange, reader, status):
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network[reader].headers)

    assert response.status_code == status


def test_a_pdf_is_a_read_of_the_order_and_logged_as_one(sealed, client, network, exchange, database):
    order = exchange.issue(exchange.draft())

    client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers)

    with database.transaction() as session:
        leaves = [
            json.loads(entry.leaf)
            for entry in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index))
        ]
    viewed = leaves[-1]
    assert viewed["action"] == "order.viewed"
    assert viewed["actor"]["organisation"] == network["provider"].organisation_id


@pytest.mark.parametrize(
    ("query", "status", "title"),
    [
        ("", 200, "EUROPEAN PRODUCTION ORDER CERTIFICATE"),  # the addressee accepts English
        ("?language=fr", 200, "CERTIFICAT D'INJONCTION EUROPÉENNE DE PRODUCTION"),
        ("?language=de", 200, "BESCHEINIGUNG ÜBER EINE EUROPÄISCHE HERAUSGABEANORDNUNG"),
        (
            "?language=it",
            200,
            "EUROPEAN PRODUCTION ORDER CERTIFICATE (EPOC) FOR THE PRODUCTION OF ELECTRONIC EVIDENCE [en]",
        ),
        ("?language=xx", 422, None),
    ],
)
def test_the_form_is_in_the_language_asked_for(sealed, client, network, exchange, query, status, title):
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf{query}", headers=network["provider"].headers)

    assert response.status_code == status
    if title:
        assert title in text_of(response.data)


@pytest.mark.parametrize(
    ("accepted", "written_in", "title"),
    [
        (
            ["fr", "de"],
            "de",
            "BESCHEINIGUNG ÜBER EINE EUROPÄISCHE HERAUSGABEANORDNUNG",
        ),  # the certificate's own
        (
            ["ga", "fr", "en"],
            "ga",
            "CERTIFICAT D'INJONCTION EUROPÉENNE DE PRODUCTION",
        ),  # ga: no catalogue yet
        (
            ["it", "mt"],
            "it",
            "EUROPEAN PRODUCTION ORDER CERTIFICATE (EPOC) FOR THE PRODUCTION OF ELECTRONIC EVIDENCE",
        ),
    ],
)
def test_without_a_language_the_form_is_in_one_the_addressee_declared(
    sealed, client, network, exchange, database, clock, accepted, written_in, title
):
    with database.transaction() as session:
        addressee = operations.add_addressee(
            session,
            clock,
            provider=session.get(Organisation, uuid.UUID(network["provider"].organisation_id)),
            addressee_type=AddresseeType.LEGAL_REPRESENTATIVE,
            name="Example Mail Luxembourg",
            country="LU",
            address="1 rue de l'Exemple, Luxembourg",
            email="orders-lu@example.test",
            emergency_contact="+352 000 000",
            languages=accepted,
        )
        network.addressees["provider"] = str(addressee.id)  # the orders drafted next go there
    order = exchange.issue(exchange.draft(language=written_in))  # in a language it accepts (EE-26)

    text = text_of(client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers).data)

    assert title in text
    assert "[en]" not in text  # a language whose catalogue is complete, or English: never half-translated


def test_any_message_of_the_order_is_a_pdf_too(sealed, client, network, exchange, seal):
    order = exchange.receive(exchange.issue(exchange.draft()))
    answered = exchange.respond(
        order,
        {
            "outcome": "not_executed",
            "reason": "data_not_stored",
            "explanation": "Deleted in 2025.",
            "data_preserved": False,
        },
    )
    answer = next(m for m in answered["messages"] if m["type"] == "response")

    response = client.get(
        f"/api/v1/orders/{order['id']}/messages/{answer['id']}/pdf?language=de",
        headers=network["prosecutor"].headers,
    )

    assert response.status_code == 200
    text = text_of(response.data)
    assert "INFORMATIONEN ÜBER DIE UNMÖGLICHKEIT, EIN EPOC/EPOC-PR AUSZUFÜHREN" in text
    assert "Deleted in 2025." in text
    assert verify_pdf(response.data, [seal.certificate], trust_of(network)).valid


@pytest.mark.parametrize("path", ["/pdf", "/messages/00000000-0000-4000-8000-000000000000/pdf"])
def test_a_draft_or_an_unknown_message_has_no_pdf(sealed, client, network, exchange, path):
    order = exchange.draft()

    response = client.get(f"/api/v1/orders/{order['id']}{path}", headers=network["prosecutor"].headers)

    assert response.status_code == 404


def test_without_a_configured_seal_a_development_broker_makes_one_in_its_instance_folder(
    app, client, network, exchange, tmp_path
):
    app.instance_path = str(tmp_path / "instance")
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers)

    assert response.status_code == 200
    kept = tmp_path / "instance" / "seal"
    assert (kept / "seal-key.pem").stat().st_mode & 0o777 == 0o600
    published = client.get("/api/v1/certificates/seal-certificate", headers=network["provider"].headers).data
    assert published == (kept / "seal-cert.pem").read_bytes()
    verdict = verify_pdf(response.data, [x509.load_pem_x509_certificate(published)], trust_of(network))
    assert verdict.valid, verdict.line()
    assert verdict.seal_subject == "CN=e-evidence broker broker.test/log (development seal)"


def test_a_restarted_development_broker_seals_with_the_same_pair(app, database, clock, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    restarted = create_app(dict(app.config), clock=clock, database=database)
    restarted.instance_path = app.instance_path

    with app.app_context():
        first = broker_seal()
    with restarted.app_context():
        again = broker_seal()

    assert again.certificate == first.certificate


@pytest.mark.parametrize(
    ("settings", "detail"),
    [
        ({"ENV": "production"}, "set BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE"),
        (
            {"SEAL_KEY_FILE": "/nonexistent/seal-key.pem"},
            "set both BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE",
        ),
        (
            {"SEAL_KEY_FILE": "/nonexistent/seal-key.pem", "SEAL_CERT_FILE": "/nonexistent/seal-cert.pem"},
            "cannot read the seal key or certificate",
        ),
    ],
    ids=["production without a seal", "half a seal", "unreadable files"],
)
def test_a_broker_that_cannot_seal_says_why(app, client, network, exchange, tmp_path, settings, detail):
    app.instance_path = str(tmp_path / "instance")
    app.config.update(settings)
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers)

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("signing-unavailable")
    assert detail in response.get_json()["detail"]
    assert not (tmp_path / "instance" / "seal").exists()


def test_an_expired_seal_is_refused_before_it_seals_anything(app, client, network, exchange, tmp_path):
    expired = Seal.generate("e-evidence broker (expired seal)", days=1, now=datetime(2020, 1, 1, tzinfo=UTC))
    key, certificate = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"
    key.write_bytes(expired.key_pem)
    certificate.write_bytes(expired.certificate_pem)
    app.config.update(SEAL_KEY_FILE=str(key), SEAL_CERT_FILE=str(certificate))
    order = exchange.issue(exchange.draft())

    response = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers)

    assert response.status_code == 503
    assert (
        "is valid from 2019-12-31 23:55:00+00:00 to 2020-01-01 23:55:00+00:00 only"
        in response.get_json()["detail"]
    )


def test_the_seal_certificate_is_published_for_verifiers(sealed, client, network, seal):
    response = client.get("/api/v1/certificates/seal-certificate", headers=network["provider"].headers)

    assert response.status_code == 200
    assert response.data == seal.certificate_pem


def flip(pdf: bytes) -> bytes:
    at = pdf.index(b"stream\n", len(pdf) // 3) + 20
    return pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1 :]


@pytest.mark.parametrize(
    ("change", "valid", "line"),
    [
        (lambda pdf: pdf, True, "VALID: sealed true copy of epoc "),
        (flip, False, "REFUSED: tampered"),
        (lambda pdf: b"%PDF-1.7 nothing", False, "REFUSED: not a PDF that can be read"),
    ],
)
def test_the_api_checks_a_pdf_against_the_registered_keys(
    sealed, client, network, exchange, change, valid, line
):
    order = exchange.issue(exchange.draft())
    pdf = client.get(f"/api/v1/orders/{order['id']}/pdf", headers=network["provider"].headers).data

    response = client.post(
        "/api/v1/certificates/verify",
        data=change(pdf),
        content_type="application/pdf",
        headers=network["other_provider"].headers,  # anyone with a token may check a PDF it was sent
    )

    assert response.status_code == 200
    verdict = response.get_json()
    assert verdict["valid"] is valid
    assert verdict["line"].startswith(line), verdict["line"]


def test_the_api_refuses_a_pdf_sealed_by_anyone_but_the_broker(sealed, client, network, exchange):
    order = exchange.issue(exchange.draft())
    impostor = certificate_pdf(order["messages"][0]["jws"], Seal.generate("e-evidence broker"), language="en")

    response = client.post(
        "/api/v1/certificates/verify",
        data=impostor,
        content_type="application/pdf",
        headers=network["provider"].headers,
    )

    assert response.get_json()["line"].startswith("REFUSED: sealed by an unknown key: CN=e-evidence broker ")


def test_the_check_takes_a_pdf_only(sealed, client, network):
    response = client.post(
        "/api/v1/certificates/verify",
        data=b"{}",
        content_type="application/json",
        headers=network["provider"].headers,
    )

    assert response.status_code == 415
