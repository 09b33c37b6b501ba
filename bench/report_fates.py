"""The orders bench/reports.py copies: one real order per fate the reports tell apart, made by the API.

A network of parties is registered with the real operations; then, in-process through the API with
a clock the script moves, each template order is drafted, issued and taken through its lifecycle
(answers, reviews, validations, enforcement, the worker's deadlines) exactly as parties and the
worker would. Its rows (orders, messages, order_clocks, report_orders) are what the seeding copies.

The other issuing authorities and providers only exist as registry rows: seeded copies point to them,
so the copies spread over States and providers the way a year of real traffic would.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from broker import crypto
from broker.app import create_app
from broker.clock import FrozenClock
from broker.db import Database
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire import envelope
from broker.workflow.operations.due import fire_next

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the Regulation applies from 18 August 2026
PROSECUTOR, POLICE = AuthorityType.PUBLIC_PROSECUTOR, AuthorityType.OTHER_COMPETENT_AUTHORITY
# Issuing States and how many of the orders each issues (a prosecutor and a police authority each).
STATES = {"FR": 24, "DE": 20, "IT": 12, "ES": 10, "NL": 8, "PL": 7, "BE": 6, "AT": 5, "PT": 4, "SE": 4}
# Providers with their addressee's State and share of the orders; Example Mail (IE) gets the templates.
PROVIDERS = {"Example Mail": ("IE", 30), "Social Net": ("IE", 22), "Video Share": ("NL", 12)}
PROVIDERS |= {f"Provider {n}": (("IE", "NL", "LU", "DE", "FR")[n % 5], 3) for n in range(1, 13)}
EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life: a person is missing."}
REASON = {"explanation": "Text of the reasons."}
NOTIFIED = {"offence_committed_in_issuing_state": True, "person_resides_in_issuing_state": False}


@dataclass
class Party:
    """An organisation the templates act for: its token, key and registry ids."""

    organisation_id: str
    token: str
    private_key: Any
    kid: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """The template parties' API calls, each asserted to succeed."""

    def __init__(self, database: Database) -> None:
        self.clock = FrozenClock(START)
        self.app = create_app({}, clock=self.clock, database=database)
        self.client: FlaskClient = self.app.test_client()
        self.database = database
        self.parties: dict[str, Party] = {}
        self.addressees: dict[str, str] = {}

    def register(self) -> None:
        """The acting parties, then registry rows for every other State and provider."""
        with self.database.transaction() as session:
            acting = (
                ("prosecutor", "Parquet de Paris", OrganisationKind.ISSUING_AUTHORITY, "FR", PROSECUTOR),
                ("police", "Police judiciaire FR", OrganisationKind.ISSUING_AUTHORITY, "FR", POLICE),
                ("judge", "Juge d'instruction de Paris", OrganisationKind.ISSUING_AUTHORITY, "FR", None),
                ("provider", "Example Mail", OrganisationKind.PROVIDER, "US", None),
                ("enforcing", "District Court of Ireland", OrganisationKind.ENFORCING_AUTHORITY, "IE", None),
                # Budapest Art. 29(3): the requested Party's authority takes the request and serves it.
                (
                    "us_authority",
                    "U.S. Department of Justice",
                    OrganisationKind.ENFORCING_AUTHORITY,
                    "US",
                    None,
                ),
            )
            for handle, name, kind, country, authority_type in acting:
                if handle == "judge":
                    authority_type = AuthorityType.INVESTIGATING_JUDGE
                if kind is OrganisationKind.ENFORCING_AUTHORITY:
                    authority_type = AuthorityType.COURT
                self.parties[handle] = self._party(session, handle, name, kind, country, authority_type)
            for state in STATES:
                for name, authority_type in (
                    (f"Prosecutor {state}", PROSECUTOR),
                    (f"Police {state}", POLICE),
                ):
                    if state != "FR":
                        operations.create_organisation(
                            session,
                            self.clock,
                            name=name,
                            kind=OrganisationKind.ISSUING_AUTHORITY,
                            country=state,
                            authority_type=authority_type,
                        )
            for name, (country, _) in PROVIDERS.items():
                provider = (
                    session.get_one(Organisation, uuid.UUID(self.parties["provider"].organisation_id))
                    if name == "Example Mail"
                    else operations.create_organisation(
                        session, self.clock, name=name, kind=OrganisationKind.PROVIDER, country="US"
                    )
                )
                for where in (country, "US") if name == "Example Mail" else (country,):
                    addressee = operations.add_addressee(
                        session,
                        self.clock,
                        provider=provider,
                        addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                        name=f"{name} {where}",
                        country=where,
                        address="1 Example Street",
                        email="orders@example.test",
                        emergency_contact="+353 1 000 0999",
                        languages=["en"],
                    )
                    if name == "Example Mail":
                        self.addressees[where] = str(addressee.id)

    def _party(
        self,
        session: Any,
        handle: str,
        name: str,
        kind: OrganisationKind,
        country: str,
        authority_type: AuthorityType | None,
    ) -> Party:
        organisation = operations.create_organisation(
            session, self.clock, name=name, kind=kind, country=country, authority_type=authority_type
        )
        role = {
            OrganisationKind.PROVIDER: Role.LEGAL_OFFICER,
            OrganisationKind.ENFORCING_AUTHORITY: Role.REVIEWER,
        }
        user = operations.create_user(
            session,
            self.clock,
            organisation=organisation,
            email=f"{handle}@example.test",
            name=handle,
            role=role.get(kind, Role.CASEWORKER),
        )
        _, token = operations.issue_token(
            session, self.clock, user=user, label="bench", lifetime=timedelta(days=400)
        )
        key = crypto.generate_private_key("EdDSA")
        kid = operations.register_key(
            session, self.clock, organisation=organisation, jwk=crypto.public_jwk(key)
        ).kid
        return Party(str(organisation.id), token, key, kid)

    def call(self, who: str, path: str, expect: int, **kwargs: Any) -> dict[str, Any]:
        answer = self.client.post(f"/api/v1/orders{path}", headers=self.parties[who].headers, **kwargs)
        if answer.status_code != expect:
            raise RuntimeError(f"template step {path} answered {answer.status_code}: {answer.get_json()}")
        result: dict[str, Any] = answer.get_json()
        return result

    def signed(
        self, who: str, message_type: str, body: dict[str, Any], recipient: str, reply: str | None
    ) -> str:
        party = self.parties[who]
        document = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=party.organisation_id,
            kid=party.kid,
            recipient=recipient,
            issued_at=self.clock(),
            in_reply_to=reply,
        )
        return envelope.seal(document, party.private_key, party.kid)

    def issue(
        self, who: str = "prosecutor", order_type: str = "epoc", to: str = "IE", **changes: Any
    ) -> dict[str, Any]:
        draft = self.call(
            who,
            "",
            201,
            json={"order_type": order_type, "certificate": certificate(self, to, order_type, changes)},
        )
        jws = self.signed(who, order_type, draft["certificate"], draft["provider"]["id"], None)
        return self.call(who, f"/{draft['id']}/issue", 200, data=jws, content_type="application/jose")

    def receive(self, order: dict[str, Any]) -> None:
        self.call("provider", f"/{order['id']}/receive", 200)

    def serve(self, order: dict[str, Any], authority: str) -> None:
        """The route's authority takes delivery and serves the order on the provider (broker.legal.routes)."""
        self.call(authority, f"/{order['id']}/receive", 200)
        self.call(authority, f"/{order['id']}/serve", 200)

    def send(self, order: dict[str, Any], who: str, message_type: str, body: dict[str, Any]) -> None:
        if message_type == "enforcement-request":
            recipient = self.parties["enforcing"].organisation_id
        elif who == "provider" or who == "enforcing":
            recipient = order["issuing_authority"]["id"]
        else:
            recipient = order["provider"]["id"]
        reply = next(m["id"] for m in order["messages"] if m["type"] == order["order_type"])
        jws = self.signed(who, message_type, body, recipient, reply)
        self.call(who, f"/{order['id']}/messages", 201, data=jws, content_type="application/jose")

    def respond(self, order: dict[str, Any], outcome: str) -> None:
        body: dict[str, Any] = {"outcome": outcome, "data_preserved": True}
        if outcome in ("partially_produced", "not_executed"):
            body |= {"reason": "data_not_stored", "explanation": "The account was deleted."}
        self.send(order, "provider", "response", body)

    def later(self, **delta: float) -> None:
        """Time passes, and the worker fires whatever fell due, as `broker worker` would."""
        self.clock.advance(**delta)
        services = self.app.extensions["broker"]
        while True:
            with services.database.transaction() as session:
                if fire_next(session, services.clock) is None:
                    return


def certificate(api: Api, to: str, order_type: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A lawful EPOC (subscriber data) or EPOC-PR (subscriber and traffic) draft; `changes` replace members."""
    draft: dict[str, Any] = {
        "instrument": "reg-2023-1543",
        "issuing_authority": {"file_number": "BENCH-2027-001"},
        "addressee": api.addressees[to],
        "data_categories": ["subscriber"] if order_type == "epoc" else ["subscriber", "traffic"],
        "targets": [{"type": "email_address", "value": "suspect@examplemail.test"}],
        "time_range": {"start": "2025-09-01T00:00:00+02:00", "end": "2025-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Fraud",
            "legal_provisions": ["Code pénal, art. 313-1"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "The account is the only lead.",
        "case_summary": "Victims paid into accounts advertised from this address.",
        "language": "en",
    }
    if order_type == "epoc":
        draft |= {
            "similar_domestic_order_possible": True,
            "user_information": {"decision": "delay", "justification": "Would alert the suspect."},
        }
    else:
        draft["subsequent_request"] = "epo"
    return draft | changes


def make_templates(api: Api) -> dict[str, tuple[str, int]]:
    """One order per fate, with the share of the seeded orders it stands for: name -> (order id, weight)."""
    judge = {"organisation": api.parties["judge"].organisation_id, "name": "Juge d'instruction de Paris"}
    judge |= {"authority_type": "investigating_judge", "country": "FR"}
    validating = {"validating_authority": {"organisation": api.parties["judge"].organisation_id}}
    made: dict[str, tuple[dict[str, Any], int]] = {}
    # Fates that take weeks and the worker: a preservation that runs out, an emergency never validated,
    # a missed production deadline sent for enforcement.
    made["epoc-pr-ended"] = (ended := api.issue(order_type="epoc-pr"), 6)
    api.receive(ended)
    api.respond(ended, "preserved")
    made["epoc-pr-unvalidated"] = (api.issue("police", "epoc-pr", **EMERGENCY), 1)
    made["epoc-missed-enforcement"] = (missed := api.issue(), 2)
    api.receive(missed)
    api.later(days=11)
    api.send(missed, "prosecutor", "enforcement-request", {"language": "en", **REASON})
    api.later(days=51)
    # Then the fates of a few hours.
    made["epoc-produced"] = (produced := api.issue(), 30)
    api.later(hours=1)
    api.receive(produced)
    api.later(hours=1, minutes=30)
    api.respond(produced, "produced")
    made["epoc-produced-closed"] = (closed := api.issue(), 15)
    api.receive(closed)
    api.later(hours=5)
    api.respond(closed, "produced")
    api.send(closed, "prosecutor", "closure", {"reason": "Done."})
    made["epoc-partial"] = (partial := api.issue(), 5)
    api.receive(partial)
    api.later(hours=7)
    api.respond(partial, "partially_produced")
    made["epoc-not-executed-enforcement-refused"] = (refused := api.issue(), 2)
    api.receive(refused)
    api.respond(refused, "not_executed")
    api.later(hours=3)
    api.send(refused, "prosecutor", "enforcement-request", {"language": "en", **REASON})
    api.later(hours=20)
    decision = {"outcome": "refused", "ground": "Art. 16(4)(c)", **REASON}
    api.send(refused, "enforcing", "enforcement-decision", decision)
    made["epoc-withdrawn"] = (withdrawn := api.issue(), 2)
    api.receive(withdrawn)
    api.send(
        withdrawn, "prosecutor", "withdrawal", {"reason": "No longer needed.", "delete_received_data": False}
    )
    made["epoc-notified-refused"] = (
        review := api.issue(data_categories=["traffic"], **validating, **NOTIFIED),
        1,
    )
    api.later(hours=2)
    refusal = {"decision": "refusal", "ground": "ne_bis_in_idem", **REASON}
    api.send(review, "enforcing", "enforcing-review", refusal)
    made["epoc-notified-produced"] = (
        notified := api.issue(data_categories=["content"], **validating, **NOTIFIED),
        6,
    )
    api.later(hours=2)
    api.send(notified, "enforcing", "enforcing-review", {"decision": "no_objection"})
    api.receive(notified)
    api.later(hours=21)
    api.respond(notified, "produced")
    made["epoc-emergency-refused"] = (late := api.issue("police", **EMERGENCY), 1)
    outcome = {"validating_authority": judge, **REASON}
    api.send(late, "police", "ex-post-validation", {"outcome": "refused", **outcome})
    made["epoc-emergency-produced"] = (urgent := api.issue("police", **EMERGENCY), 4)
    api.later(hours=1)
    api.send(urgent, "police", "ex-post-validation", {"outcome": "granted", **outcome})
    api.receive(urgent)
    api.later(hours=2)
    api.respond(urgent, "produced")
    made["epoc-pr-confirmed"] = (confirmed := api.issue(order_type="epoc-pr"), 8)
    api.receive(confirmed)
    api.respond(confirmed, "preserved")
    api.later(days=3, hours=2)
    confirmation = {"request_type": "epo", "reference": "BENCH-EPO", "issued_on": "2027-03-10"}
    api.send(confirmed, "prosecutor", "production-request-confirmation", confirmation)
    made["epoc-pr-not-executed"] = (nothing := api.issue(order_type="epoc-pr"), 2)
    api.receive(nothing)
    api.respond(nothing, "not_executed")
    made["epoc-pr-preserved"] = (preserved := api.issue(order_type="epoc-pr"), 5)
    api.receive(preserved)
    api.respond(preserved, "preserved")
    targets = [{"type": "email_address", "value": f"{name}@examplemail.test"} for name in ("a", "b")]
    budapest = {"instrument": "cets-185-art29", "subsequent_request": "mla", "data_categories": ["traffic"]}
    made["budapest-received"] = (
        mla := api.issue(order_type="epoc-pr", to="US", targets=targets, **budapest),
        5,
    )
    api.serve(mla, "us_authority")
    api.receive(mla)
    # Still open at the end of the script: acknowledged, and issued but not yet received.
    made["epoc-acknowledged"] = (acknowledged := api.issue(), 3)
    api.receive(acknowledged)
    api.send(acknowledged, "provider", "acknowledgement", {})
    made["epoc-issued"] = (api.issue(), 2)
    return {name: (order["id"], weight) for name, (order, weight) in made.items()}
