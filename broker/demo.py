"""A complete, narrated exchange on a fresh database: the demo network, one EPOC, one answer.

Every step after the set-up goes through the real HTTP API (Flask's test client, no socket) with
the party's own token, and every signature is made and checked with the party's own key, exactly
as the parties' systems would do it.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from broker import crypto
from broker.clock import Clock
from broker.db import Database
from broker.parties import operations
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire import envelope


class DemoFailed(Exception):
    """A step of the demo did not give the answer the exchange needs."""


@dataclass
class Party:
    """One demo organisation as its own systems see it: its token and its private key."""

    name: str
    organisation_id: str
    user: str
    token: str
    private_key: Any
    kid: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: OrganisationKind
    country: str
    authority_type: AuthorityType | None
    user_email: str
    user_name: str
    role: Role


NETWORK = {
    "prosecutor": OrganisationSpec(
        "Parquet de Paris",
        OrganisationKind.ISSUING_AUTHORITY,
        "FR",
        AuthorityType.PUBLIC_PROSECUTOR,
        "camille.martin@parquet-paris.example",
        "Camille Martin",
        Role.CASEWORKER,
    ),
    "judge": OrganisationSpec(
        "Juge d'instruction, Tribunal judiciaire de Paris",
        OrganisationKind.ISSUING_AUTHORITY,
        "FR",
        AuthorityType.INVESTIGATING_JUDGE,
        "luc.bernard@tj-paris.example",
        "Luc Bernard",
        Role.CASEWORKER,
    ),
    "provider": OrganisationSpec(
        "Example Mail",
        OrganisationKind.PROVIDER,
        "US",
        None,
        "legal@examplemail.example",
        "Aoife Byrne",
        Role.LEGAL_OFFICER,
    ),
    "enforcing": OrganisationSpec(
        "District Court of Ireland (enforcing authority)",
        OrganisationKind.ENFORCING_AUTHORITY,
        "IE",
        AuthorityType.COURT,
        "registrar@courts-ie.example",
        "Seán Murphy",
        Role.REVIEWER,
    ),
    "oversight": OrganisationSpec(
        "Commission nationale de contrôle (oversight)",
        OrganisationKind.OVERSIGHT_BODY,
        "FR",
        None,
        "audit@oversight-fr.example",
        "Inès Laurent",
        Role.AUDITOR,
    ),
}


def build_network(database: Database, clock: Clock, key_folder: Path) -> dict[str, Party]:
    """Register the demo organisations, users, tokens and keys; private keys stay in `key_folder`."""
    parties: dict[str, Party] = {}
    with database.transaction() as session:
        for role_name, spec in NETWORK.items():
            organisation = operations.create_organisation(
                session,
                clock,
                name=spec.name,
                kind=spec.kind,
                country=spec.country,
                authority_type=spec.authority_type,
            )
            user = operations.create_user(
                session,
                clock,
                organisation=organisation,
                email=spec.user_email,
                name=spec.user_name,
                role=spec.role,
            )
            _, token = operations.issue_token(
                session, clock, user=user, label="demo", lifetime=timedelta(hours=1)
            )
            private_key = crypto.generate_private_key("EdDSA")
            key_file = key_folder / f"{role_name}.pem"
            key_file.write_bytes(crypto.private_key_pem(private_key))
            key_file.chmod(0o600)
            key = operations.register_key(
                session, clock, organisation=organisation, jwk=crypto.public_jwk(private_key)
            )
            parties[role_name] = Party(
                spec.name, str(organisation.id), spec.user_name, token, private_key, key.kid
            )
            if spec.kind is OrganisationKind.PROVIDER:
                operations.add_addressee(
                    session,
                    clock,
                    provider=organisation,
                    addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                    name="Example Mail Ireland Limited",
                    country="IE",
                    address="1 Grand Canal Square, Dublin 2, D02 XXXX, Ireland",
                    email="lawenforcement@examplemail.example",
                    phone="+353 1 000 0000",
                    emergency_contact="+353 1 000 0999 (24/7 emergency desk)",
                    languages=["en", "ga"],
                )
    return parties


def subscriber_epoc(validating_authority: str | None) -> dict[str, Any]:
    """The draft of an EPOC for subscriber data in a fraud investigation (Annex I)."""
    return {
        "issuing_authority": {"file_number": "PARQUET-2026-04417", "contact": {"name": "Camille Martin"}},
        "validating_authority": ({"organisation": validating_authority} if validating_authority else None),
        "addressee": None,  # filled with the Irish designated establishment found in the registry
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "j.doe.1987@examplemail.example"}],
        "time_range": {"start": "2026-09-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Online investment fraud: victims paid into accounts advertised by e-mail.",
            "legal_provisions": ["Code pénal, art. 313-1", "Code pénal, art. 313-2"],
            "maximum_penalty_months": 84,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": (
            "The account is the only known contact point of the suspect; subscriber data are needed to "
            "identify them and no less intrusive measure is available."
        ),
        "similar_domestic_order_possible": True,
        "case_summary": "Thirty-two victims in France reported transfers totalling EUR 410 000.",
        "user_information": {
            "decision": "delay",
            "justification": "Informing the suspect now would jeopardise the investigation (Art. 13(2)).",
        },
        "language": "en",
    }


class Demo:
    """The narrated scenario; `say` prints each step, `client` is the API as the parties use it."""

    def __init__(
        self, client: FlaskClient, parties: dict[str, Party], clock: Clock, say: Callable[[str], None]
    ):
        self.client = client
        self.parties = parties
        self.clock = clock
        self.say = say
        self.summary: list[str] = []

    def call(self, party: Party, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {**party.headers(), **kwargs.pop("headers", {})}
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        if response.status_code != expect:
            raise DemoFailed(
                f"{method} {path} as {party.name}: {response.status_code} {response.get_data(as_text=True)}"
            )
        return response.get_json()

    def signed(
        self,
        party: Party,
        message_type: str,
        body: dict[str, Any],
        recipient: str,
        in_reply_to: str | None = None,
    ) -> str:
        sealed = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=party.organisation_id,
            kid=party.kid,
            recipient=recipient,
            issued_at=self.clock(),
            in_reply_to=in_reply_to,
        )
        return envelope.seal(sealed, party.private_key, party.kid)

    def verify_independently(self, reader: Party, jws: str, sender_id: str) -> dict[str, Any]:
        """Check a message with the sender's published key, as a party would without trusting the broker."""
        keys = self.call(reader, "GET", f"/api/v1/organisations/{sender_id}/keys", 200)["keys"]
        kid = crypto.jws_header(jws)["kid"]
        jwk = next(key["jwk"] for key in keys if key["kid"] == kid and key["revoked_at"] is None)
        if crypto.jwk_thumbprint(jwk) != kid:
            raise DemoFailed("the published key does not match its thumbprint")
        return envelope.open_sealed(jws, jwk)

    def run(self) -> str:
        prosecutor, provider = self.parties["prosecutor"], self.parties["provider"]
        oversight = self.parties["oversight"]

        addressees = self.call(prosecutor, "GET", "/api/v1/addressees?country=IE", 200)["items"]
        addressee = next(a for a in addressees if a["provider_id"] == provider.organisation_id)
        self.say(
            f"1. {prosecutor.user} ({prosecutor.name}) looks up Example Mail in Ireland: "
            f"{addressee['name']}, {addressee['addressee_type'].replace('_', ' ')}, "
            f"languages {', '.join(addressee['languages'])}"
        )

        draft = subscriber_epoc(None)
        draft["addressee"] = addressee["id"]
        order = self.call(
            prosecutor,
            "POST",
            "/api/v1/orders",
            201,
            json={"order_type": "epoc", "certificate": draft},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        order_id = order["id"]
        self.say(
            f"2. {prosecutor.user} drafts an EPOC for subscriber data (file {order['file_number']}): "
            f"state {order['state']}"
        )

        impostor_key = crypto.generate_private_key("EdDSA")
        forged = envelope.seal(
            envelope.new_envelope(
                message_type="epoc",
                body=order["certificate"],
                sender=prosecutor.organisation_id,
                kid=prosecutor.kid,
                recipient=provider.organisation_id,
                issued_at=self.clock(),
            ),
            impostor_key,
            prosecutor.kid,
        )
        refused = self.client.post(
            f"/api/v1/orders/{order_id}/issue",
            data=forged,
            content_type="application/jose",
            headers=prosecutor.headers(),
        )
        still = self.call(prosecutor, "GET", f"/api/v1/orders/{order_id}", 200)
        self.say(
            f"3. Someone with the caseworker's token but not the office's key tries to issue it: "
            f"refused, {refused.status_code} {refused.get_json()['type']}; the order is still {still['state']}"
        )

        jws = self.signed(prosecutor, "epoc", order["certificate"], provider.organisation_id)
        order = self.call(
            prosecutor,
            "POST",
            f"/api/v1/orders/{order_id}/issue",
            200,
            data=jws,
            content_type="application/jose",
        )
        self.say(
            f"4. {prosecutor.name} signs the certificate with its key {prosecutor.kid[:12]}… and issues it: "
            f"state {order['state']}"
        )

        inbox = self.call(provider, "GET", "/api/v1/inbox", 200)
        self.say(f"5. {provider.user} ({provider.name}) opens the inbox: {inbox['total']} order waiting")
        order = self.call(provider, "POST", f"/api/v1/orders/{order_id}/receive", 200)
        certificate_message = next(m for m in order["messages"] if m["type"] == "epoc")
        signed_envelope = self.verify_independently(
            provider, certificate_message["jws"], prosecutor.organisation_id
        )
        self.say(
            f"6. {provider.name} receives it ({order['received_at']}) and verifies the prosecutor's "
            f"signature itself: data categories {', '.join(signed_envelope['body']['data_categories'])}, "
            f"state {order['state']}"
        )

        answer = {
            "outcome": "produced",
            "data_preserved": True,
            "addressee_file_number": "EM-LE-2026-118",
        }
        jws = self.signed(
            provider, "response", answer, prosecutor.organisation_id, in_reply_to=certificate_message["id"]
        )
        order = self.call(
            provider,
            "POST",
            f"/api/v1/orders/{order_id}/responses",
            201,
            data=jws,
            content_type="application/jose",
        )
        self.say(
            f"7. {provider.name} answers with a signed response (outcome produced): state {order['state']}"
        )

        order = self.call(prosecutor, "GET", f"/api/v1/orders/{order_id}", 200)
        response_message = next(m for m in order["messages"] if m["type"] == "response")
        reply = self.verify_independently(prosecutor, response_message["jws"], provider.organisation_id)
        self.say(
            f"8. {prosecutor.name} receives the answer and verifies Example Mail's signature: "
            f"outcome {reply['body']['outcome']}, provider file {reply['body']['addressee_file_number']}"
        )

        seen = self.call(oversight, "GET", "/api/v1/orders", 200)
        self.say(
            f"9. {oversight.name} reads the record: {seen['total']} order, "
            f"{len(order['messages'])} signed messages kept byte for byte"
        )
        return json.dumps(
            {
                "order": order_id,
                "state": order["state"],
                "messages": [
                    {"type": m["type"], "sender": m["sender"], "sha256": m["sha256"]}
                    for m in order["messages"]
                ],
            },
            indent=2,
        )
