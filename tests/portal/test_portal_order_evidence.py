"""The order page's evidence: each package's state, the broker's check of it, decryption, and whether it may be fetched.

The packages travel as in production: the provider encrypts with age to the issuing authority's
published recipient, uploads through the API and seals with a signed evidence manifest; the issuing
authority downloads and reports the decryption. The page shows exactly what the API lets each
party know of.
"""

import base64
import hashlib
import io
import uuid
from typing import Any

import pyrage
import pytest

from broker.client import age
from broker.parties import operations
from broker.parties.models import Organisation

PLAINTEXT = b"From suspect@examplemail.test\n" * 10


def text(page) -> str:
    return page.get_data(as_text=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Delivery:
    """The provider's evidence for one order, through the API."""

    def __init__(self, exchange: Any, database: Any, clock: Any) -> None:
        self.exchange, self.client, self.network = exchange, exchange.client, exchange.network
        self.database, self.clock = database, clock
        self.recipients: dict[str, str] = {}

    def recipient(self, handle: str) -> str:
        """The age recipient the issuing authority `handle` publishes (once)."""
        if handle not in self.recipients:
            public = str(pyrage.x25519.Identity.generate().to_public())
            with self.database.transaction() as session:
                owner = session.get_one(Organisation, uuid.UUID(self.network[handle].organisation_id))
                operations.register_recipient(session, self.clock, organisation=owner, recipient=public)
            self.recipients[handle] = public
        return self.recipients[handle]

    def announce(self, order: dict[str, Any], data: bytes, name: str) -> dict[str, Any]:
        body = {"file_name": name, "size": len(data), "sha256": sha256(data)}
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/evidence", json=body, headers=self.network["provider"].headers
        )
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def upload(self, order: dict[str, Any], data: bytes, name: str) -> dict[str, Any]:
        package = self.announce(order, data, name)
        path = f"/api/v1/orders/{order['id']}/evidence/{package['id']}"
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        sent = self.client.put(
            f"{path}/chunks/0",
            data=data,
            headers={**self.network["provider"].headers, "Content-Digest": f"sha-256=:{digest}:"},
        )
        assert sent.status_code == 200, sent.get_json()
        done = self.client.post(f"{path}/complete", headers=self.network["provider"].headers)
        assert done.status_code == 200, done.get_json()
        return done.get_json()

    def seal(self, order: dict[str, Any], package: dict[str, Any], issuer: str = "prosecutor") -> None:
        body = {
            "data_categories": order["certificate"]["data_categories"],
            "time_range": order["certificate"]["time_range"],
            "recipient": self.recipient(issuer),
            "files": [
                {
                    "name": "mailbox.mbox",
                    "size": len(PLAINTEXT),
                    "sha256": sha256(PLAINTEXT),
                    "package": {"id": package["id"], "size": package["size"], "sha256": package["sha256"]},
                }
            ],
        }
        provider = self.network["provider"]
        jws = provider.sign(
            "evidence-manifest",
            body,
            order["issuing_authority"]["id"],
            in_reply_to=order["messages"][0]["id"],
        )
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=provider.headers,
        )
        assert answer.status_code == 201, answer.get_json()

    def fetched(self, order: dict[str, Any], package: dict[str, Any]) -> None:
        """The issuing authority downloads the package and reports that it decrypted."""
        headers = self.network["prosecutor"].headers
        path = f"/api/v1/orders/{order['id']}/evidence/{package['id']}"
        assert self.client.get(f"{path}/content", headers=headers).status_code == 200
        report = self.client.post(f"{path}/decryption-report", json={"outcome": "verified"}, headers=headers)
        assert report.status_code == 200, report.get_json()


@pytest.fixture
def delivery(exchange, database, clock) -> Delivery:
    return Delivery(exchange, database, clock)


def encrypted(recipient: str) -> bytes:
    out = io.BytesIO()
    age.encrypt_stream(io.BytesIO(PLAINTEXT), out, [recipient])
    return out.getvalue()


def test_the_issuing_authority_sees_sealed_evidence_and_the_provider_its_uploads_too(
    signed_in, caseload, delivery, browser
):
    order = caseload.received("PARQUET-EVIDENCE")
    package = delivery.upload(order, encrypted(delivery.recipient("prosecutor")), "mailbox.mbox.age")
    delivery.seal(order, package)
    delivery.announce(order, b"x" * 100, "calendar.ics.age")  # still uploading

    issuer = text(signed_in("prosecutor").get(f"/orders/{order['id']}"))
    assert "mailbox.mbox.age" in issuer and "Sealed by the signed manifest" in issuer
    assert "Size and SHA-256 as declared" in issuer and f"SHA-256 {package['sha256'][:16]}" in issuer
    assert "Not reported" in issuer and "Can be fetched now" in issuer
    assert "calendar.ics.age" not in issuer, "an unfinished upload is the provider's own business"

    provider = text(signed_in("provider", browser.application.test_client()).get(f"/orders/{order['id']}"))
    assert "mailbox.mbox.age" in provider and "calendar.ics.age" in provider
    assert "Uploading" in provider and "Not measured yet" in provider
    assert "Can be fetched now" not in provider, "fetching is the issuing authority's"


def test_a_reported_decryption_is_shown(signed_in, caseload, delivery):
    order = caseload.received("PARQUET-DECRYPTED")
    package = delivery.upload(order, encrypted(delivery.recipient("prosecutor")), "mailbox.mbox.age")
    delivery.seal(order, package)
    delivery.fetched(order, package)
    page = text(signed_in("prosecutor").get(f"/orders/{order['id']}"))
    assert "Decrypted, every hash matched" in page


def test_evidence_waits_while_the_enforcing_authority_may_object(signed_in, caseload, delivery):
    notified = {  # traffic data, the person living elsewhere: Ireland is notified (Art. 8)
        "data_categories": ["traffic"],
        "offence_committed_in_issuing_state": True,
        "person_resides_in_issuing_state": False,
    }
    order = caseload.exchange.receive(caseload.issued("JUGE-HELD", author="judge", **notified))
    judge = signed_in("judge")
    assert "No evidence has been delivered." in text(judge.get(f"/orders/{order['id']}"))
    package = delivery.upload(order, encrypted(delivery.recipient("judge")), "traffic.csv.age")
    delivery.seal(order, package, issuer="judge")
    page = text(judge.get(f"/orders/{order['id']}"))
    assert (
        "traffic.csv.age" in page
        and "Held until" in page
        and "the enforcing authority may still object" in page
    )
    assert "Can be fetched now" not in page
