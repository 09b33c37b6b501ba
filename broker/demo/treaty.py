"""The treaty scenario: a CETS 224 Art. 8 order that takes its own route, through the requested Party.

A Tokyo prosecutor asks Serbia to give effect to an order for a Belgrade provider's subscriber
information (Second Additional Protocol, Art. 8). The order goes to Serbia's competent authority, not
to the provider: the authority takes delivery (its time to serve starts), serves the order three days
later (the provider's 20 days start then, not at issue), and only then does the provider see it, take
delivery and answer. The certificate carries only what the Protocol asks for (version 3): no EU purpose,
Art. 13 decision or domestic-order attestation. Every step goes through the API, on the lifecycle
scenario's clock; the three organisations are registered here, as `broker org create` would.
"""

import base64
import json
from typing import Any

from sqlalchemy import orm

from broker.clock import Clock
from broker.demo.network import OrganisationSpec
from broker.demo.network import Party
from broker.demo.network import register_organisation
from broker.demo.scenario import Demo
from broker.demo.scenario import DemoFailed
from broker.parties import operations
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

TREATY_NETWORK = {
    "tokyo": OrganisationSpec(
        "Tokyo District Public Prosecutors Office",
        OrganisationKind.ISSUING_AUTHORITY,
        "JP",
        AuthorityType.PUBLIC_PROSECUTOR,
        "haruto.sato@kensatsu-tokyo.example",
        "Haruto Sato",
        Role.CASEWORKER,
    ),
    "belgrade_mail": OrganisationSpec(
        "Belgrade Mail",
        OrganisationKind.PROVIDER,
        "RS",
        None,
        "legal@belgrademail.example",
        "Milica Jovanović",
        Role.LEGAL_OFFICER,
    ),
    "belgrade": OrganisationSpec(
        "Higher Public Prosecutor's Office in Belgrade (competent authority)",
        OrganisationKind.ENFORCING_AUTHORITY,
        "RS",
        AuthorityType.PUBLIC_PROSECUTOR,
        "cybercrime@vjt-beograd.example",
        "Nikola Petrović",
        Role.REVIEWER,
    ),
}


def register(session: orm.Session, clock: Clock) -> dict[str, Party]:
    """The scenario's three organisations, each with a user, a token and a signing key."""
    parties: dict[str, Party] = {}
    for handle, spec in TREATY_NETWORK.items():
        organisation, token, private_key, kid = register_organisation(session, clock, spec)
        if spec.kind is OrganisationKind.PROVIDER:
            operations.add_addressee(
                session,
                clock,
                provider=organisation,
                addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                name="Belgrade Mail d.o.o.",
                country="RS",
                address="Bulevar Mihajla Pupina 10, 11070 Novi Beograd, Serbia",
                email="lawenforcement@belgrademail.example",
                emergency_contact="+381 11 000 0999 (24/7 desk)",
                languages=["en", "sr"],
            )
        parties[handle] = Party(spec.name, str(organisation.id), spec.user_name, token, private_key, kid)
    return parties


def art8_order(addressee: str) -> dict[str, Any]:
    """Japan's order for the subscriber information behind a fraud account, as CETS 224 Art. 8 words it."""
    return {
        "instrument": "cets-224-art8",
        "issuing_authority": {"file_number": "TOKYO-2026-0318", "contact": {"name": "Haruto Sato"}},
        "addressee": addressee,
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "investment.desk@belgrademail.example"}],
        "time_range": {"start": "2026-08-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Investment fraud against Japanese pensioners, run from this mailbox.",
            "legal_provisions": ["Penal Code (Japan), art. 246"],
            "maximum_penalty_months": 120,
        },
        "emergency": False,
        "case_summary": "Victims in Tokyo paid into accounts this mailbox advertised; its holder is unknown.",
        "language": "en",
    }


class TreatyDemo(Demo):
    """One CETS 224 Art. 8 order, issued, received and served by Serbia, then answered by the provider."""

    def __init__(self, demo: Demo, parties: dict[str, Party]) -> None:
        super().__init__(demo.client, parties, demo.clock, demo.say)
        self.steps = demo.steps
        self.frozen = getattr(demo, "frozen", None)

    def run(self) -> dict[str, Any]:
        tokyo, provider, serbia = (
            self.parties["tokyo"],
            self.parties["belgrade_mail"],
            self.parties["belgrade"],
        )
        addressees = self.call(tokyo, "GET", "/api/v1/addressees?country=RS", 200)["items"]
        addressee = next(a for a in addressees if a["provider_id"] == provider.organisation_id)
        draft = self.call(
            tokyo,
            "POST",
            "/api/v1/orders",
            201,
            json={"order_type": "epoc", "certificate": art8_order(addressee["id"])},
        )
        if draft["checks"]["blocking"]:
            raise DemoFailed(f"the treaty order is blocked: {draft['checks']['findings']}")
        signed = self.signed(tokyo, "epoc", draft["certificate"], provider.organisation_id)
        order = self.call(
            tokyo,
            "POST",
            f"/api/v1/orders/{draft['id']}/issue",
            200,
            data=signed,
            content_type="application/jose",
        )
        version = next(m for m in order["messages"] if m["type"] == "epoc")
        self.step(
            f"{tokyo.name} issues a CETS 224 Art. 8 order for {addressee['name']}'s subscriber information "
            f"(no EU-only members: certificate version {_version(version['jws'])}); it goes to "
            f"{order['enforcing_authority']['name']}, not to the provider: state {order['state']}"
        )
        unseen = self.client.get(f"/api/v1/orders/{order['id']}", headers=provider.headers())
        if unseen.status_code != 404:
            raise DemoFailed("the provider saw an Art. 8 order before it was served")
        order = self.call(serbia, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        service = self._clock(serbia, order, "service")
        self.step(
            f"{serbia.name} takes delivery: state {order['state']}, the order to be served by "
            f"{service['due_at']} (45 days, Art. 8); {provider.name} does not see it yet (404)"
        )
        if self.frozen is not None:
            self.frozen.advance(days=3)
        order = self.call(serbia, "POST", f"/api/v1/orders/{order['id']}/serve", 200)
        production = self._clock(serbia, order, "production")
        self.step(
            f"Three days later Serbia gives effect to it and serves it on {provider.name}: state {order['state']}; "
            f"the provider's 20 days run from service, to {production['due_at']}"
        )
        order = self.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        certificate = next(m for m in order["messages"] if m["type"] == "epoc")
        answer = self.signed(
            provider,
            "response",
            {"outcome": "produced", "data_preserved": True, "addressee_file_number": "BM-2026-77"},
            tokyo.organisation_id,
            certificate["id"],
        )
        order = self.call(
            provider,
            "POST",
            f"/api/v1/orders/{order['id']}/responses",
            201,
            data=answer,
            content_type="application/jose",
        )
        self.step(f"{provider.name} takes delivery of the served order and answers: state {order['state']}")
        return {"order": str(order["id"]), "state": order["state"], "served_at": order["served_at"]}

    def _clock(self, party: Party, order: dict[str, Any], kind: str) -> dict[str, Any]:
        timeline = self.call(party, "GET", f"/api/v1/orders/{order['id']}/timeline", 200)
        return next(clock for clock in timeline["clocks"] if clock["kind"] == kind)


def _version(jws: str) -> int:
    """The body schema version a signed message names (its envelope's `version`)."""
    payload = jws.split(".")[1]
    envelope = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return int(envelope["version"])
