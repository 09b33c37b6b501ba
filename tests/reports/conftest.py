"""Fixtures for reports: more parties, and every lifecycle step driven through the API as parties do it."""

import uuid
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from broker.parties import operations
from broker.parties.models import Organisation
from broker.reports.models import Art28Tally
from broker.reports.models import CountedOrder
from broker.reports.models import TransparencyTally
from broker.reports.operations import fold
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.workflow.operations.due import fire_next
from tests.remembered import remember


class Steps:
    """Drafts, issues and moves orders on through the API, asserting every step succeeds."""

    def __init__(self, client: Any, network: Any, exchange: Any, drafts: Any, clock: Any, app: Any) -> None:
        self.client, self.network, self.exchange, self.drafts = client, network, exchange, drafts
        self.clock, self.app = clock, app

    def issue(
        self, author: str = "prosecutor", order_type: str = "epoc", to: str = "provider", **changes: Any
    ):
        """Draft and issue an order of `author` to `to`'s addressee (or `addressee=` another one)."""
        builder = self.drafts.epoc if order_type == "epoc" else self.drafts.epoc_pr
        certificate = builder(changes.pop("addressee", self.network.addressees[to]), **changes)
        response = self.client.post(
            "/api/v1/orders",
            json={"order_type": order_type, "certificate": certificate},
            headers=self.network[author].headers,
        )
        assert response.status_code == 201, response.get_json()
        return self.exchange.issue(response.get_json(), author)

    def receive(self, order: dict[str, Any], to: str = "provider") -> dict[str, Any]:
        return self.exchange.receive(order, to)

    def send(
        self, order: dict[str, Any], who: str, message_type: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A lifecycle message from `who`, replying to the certificate, to whom the broker expects it."""
        party = self.network[who]
        if message_type == "enforcement-request":
            recipient = self.network["enforcing"].organisation_id
        elif party.kind is OrganisationKind.ISSUING_AUTHORITY:
            recipient = order["provider"]["id"]
        else:
            recipient = order["issuing_authority"]["id"]
        certificate = next(m for m in order["messages"] if m["type"] == order["order_type"])
        jws = party.sign(message_type, body, recipient, in_reply_to=certificate["id"])
        response = self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def respond(self, order: dict[str, Any], outcome: str, to: str = "provider") -> dict[str, Any]:
        body: dict[str, Any] = {"outcome": outcome, "data_preserved": True}
        if outcome in ("partially_produced", "not_executed"):
            body |= {"reason": "data_not_stored", "explanation": "The account was deleted in 2025."}
        return self.send(order, to, "response", body)

    def budapest_preservation(self) -> dict[str, Any]:
        """France asks Example Mail's US office to preserve two accounts' traffic data (Budapest Art. 29):
        the request goes to the United States' authority, which takes delivery and serves it on the
        provider (Art. 29(3)); the provider then takes delivery as of any order."""
        if "us_authority" not in self.network.parties:
            self.network.add(
                "us_authority",
                "U.S. Department of Justice, Office of International Affairs",
                OrganisationKind.ENFORCING_AUTHORITY,
                "US",
                Role.REVIEWER,
                AuthorityType.OTHER_COMPETENT_AUTHORITY,
            )
        if "provider_us" not in self.network.addressees:
            services = self.app.extensions["broker"]
            with services.database.transaction() as session:
                addressee = operations.add_addressee(
                    session,
                    self.clock,
                    provider=session.get_one(
                        Organisation, uuid.UUID(self.network["provider"].organisation_id)
                    ),
                    addressee_type=AddresseeType.LEGAL_REPRESENTATIVE,
                    name="Example Mail Inc.",
                    country="US",
                    address="1 Example Plaza, Mountain View, CA",
                    email="lawenforcement@examplemail.test",
                    emergency_contact="+1 650 000 0999",
                    languages=["en"],
                )
                self.network.addressees["provider_us"] = str(addressee.id)
        targets = [{"type": "email_address", "value": f"{name}@examplemail.test"} for name in ("a", "b")]
        order = self.issue(
            order_type="epoc-pr",
            to="provider_us",
            instrument="cets-185-art29",
            subsequent_request="mla",
            data_categories=["traffic"],
            targets=targets,
        )
        for action in ("receive", "serve"):
            answer = self.client.post(
                f"/api/v1/orders/{order['id']}/{action}", headers=self.network["us_authority"].headers
            )
            assert answer.status_code == 200, answer.get_json()
        return order

    def run_worker(self) -> list[str]:
        """Fire every due clock, as `broker worker` would."""
        fired = []
        services = self.app.extensions["broker"]
        while True:
            with services.database.transaction() as session:
                outcome = fire_next(session, services.clock)
            if outcome is None:
                return fired
            fired.append(outcome)

    def report(self, path: str, who: str = "oversight", status: int = 200) -> Any:
        response = self.client.get(f"/api/v1/reports/{path}", headers=self.network[who].headers)
        assert response.status_code == status, response.get_json()
        return response.get_json()


@pytest.fixture
def steps(client, network, exchange, drafts, clock, app, database) -> Steps:
    """The standard network plus a police authority (Art. 4(5)), a German prosecutor and a US addressee."""
    issuing = OrganisationKind.ISSUING_AUTHORITY

    def added() -> dict[str, Any]:
        network.add(
            "police",
            "Police judiciaire",
            issuing,
            "FR",
            Role.CASEWORKER,
            AuthorityType.OTHER_COMPETENT_AUTHORITY,
        )
        network.add(
            "berlin",
            "Staatsanwaltschaft Berlin",
            issuing,
            "DE",
            Role.CASEWORKER,
            AuthorityType.PUBLIC_PROSECUTOR,
        )
        return {handle: network[handle] for handle in ("police", "berlin")}

    def copied(parties: dict[str, Any]) -> dict[str, Any]:  # the same keys, on this test's clock
        return {handle: replace(party, clock=clock) for handle, party in parties.items()}

    network.parties.update(remember(database, clock, ("report parties",), added, copied))
    return Steps(client, network, exchange, drafts, clock, app)


EMERGENCY = {
    "emergency": True,
    "emergency_justification": "A threat to life: the victim is missing since 6 a.m.",
}
REASON = {"explanation": "Text of the reasons."}


def notified(steps: Any, category: str) -> dict[str, Any]:
    """Traffic or content data of a person living abroad, validated by a judge: Art. 8 notification."""
    return steps.issue(
        data_categories=[category],
        validating_authority={"organisation": steps.network["judge"].organisation_id},
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=False,
    )


def judge(steps: Any) -> dict[str, Any]:
    """The investigating judge as a validating authority (Annex I section J)."""
    return {
        "organisation": steps.network["judge"].organisation_id,
        "name": "Juge d'instruction de Paris",
        "authority_type": "investigating_judge",
        "country": "FR",
    }


@pytest.fixture
def year(steps, clock, database) -> dict[str, Any]:
    """Thirteen orders issued in November 2026, each with a known fate; the tests count them by hand.

    From France, nine EPOCs (O1-O6, O9, O10, O12) and three EPOC-PRs (O7, O8, O11); from Germany
    one EPOC (O13). All go to Example Mail's Irish establishment but O2 (Other Cloud, DE). Every
    certificate names one target account.
    """
    return remember(database, clock, ("report year",), lambda: _year(steps, clock))


def _year(steps: Any, clock: Any) -> dict[str, Any]:
    orders: dict[str, Any] = {}
    # O1: subscriber data, produced 2 hours after issue.
    orders["o1"] = o1 = steps.issue()
    clock.advance(hours=1)
    steps.receive(o1)
    clock.advance(hours=1)
    steps.respond(o1, "produced")
    # O2: an emergency for subscriber and user-identification data at Other Cloud (DE), partly produced in 4 h.
    orders["o2"] = o2 = steps.issue(
        to="other_provider",
        data_categories=["subscriber", "user_identification"],
        identification=[{"ip_address": "198.51.100.7", "timestamp": "2026-11-20T08:15:00+01:00"}],
        **EMERGENCY,
    )
    clock.advance(minutes=30)
    steps.receive(o2, "other_provider")
    clock.advance(hours=3, minutes=30)
    steps.respond(o2, "partially_produced", "other_provider")
    # O3: traffic data, notified to Ireland, which refuses it (ne bis in idem).
    orders["o3"] = o3 = notified(steps, "traffic")
    clock.advance(hours=2)
    steps.send(
        o3, "enforcing", "enforcing-review", {"decision": "refusal", "ground": "ne_bis_in_idem", **REASON}
    )
    # O4: content data, notified, no objection, produced one day after issue.
    orders["o4"] = o4 = notified(steps, "content")
    clock.advance(hours=2)
    steps.send(o4, "enforcing", "enforcing-review", {"decision": "no_objection"})
    clock.advance(hours=1)
    steps.receive(o4)
    clock.advance(hours=21)
    steps.respond(o4, "produced")
    # O5: not executed (data not stored); enforcement requested and refused.
    orders["o5"] = o5 = steps.issue()
    steps.receive(o5)
    steps.respond(o5, "not_executed")
    steps.send(o5, "prosecutor", "enforcement-request", {"language": "en", **REASON})
    steps.send(
        o5, "enforcing", "enforcement-decision", {"outcome": "refused", "ground": "Art. 16(4)(c)", **REASON}
    )
    # O6: received and never answered: the production deadline will be missed.
    orders["o6"] = o6 = steps.issue()
    steps.receive(o6)
    # O7: an EPOC-PR, preserved, and 3 days 2 hours after issue the production request is confirmed (Annex V).
    orders["o7"] = o7 = steps.issue(order_type="epoc-pr")
    clock.advance(hours=1)
    steps.receive(o7)
    clock.advance(hours=1)
    steps.respond(o7, "preserved")
    clock.advance(days=3)
    confirmation = {"request_type": "epo", "reference": "PARQUET-2026-001-EPO", "issued_on": "2026-11-27"}
    steps.send(o7, "prosecutor", "production-request-confirmation", confirmation)
    # O8: an EPOC-PR not executed.
    orders["o8"] = o8 = steps.issue(order_type="epoc-pr")
    steps.receive(o8)
    steps.respond(o8, "not_executed")
    # O9: an emergency EPOC by the police without validation (Art. 4(5)); the judge refuses it: withdrawn.
    orders["o9"] = o9 = steps.issue("police", **EMERGENCY)
    steps.send(
        o9,
        "police",
        "ex-post-validation",
        {"outcome": "refused", "validating_authority": judge(steps), **REASON},
    )
    # O10: the same, validated after an hour; produced 3 hours after issue.
    orders["o10"] = o10 = steps.issue("police", **EMERGENCY)
    clock.advance(hours=1)
    steps.send(
        o10,
        "police",
        "ex-post-validation",
        {"outcome": "granted", "validating_authority": judge(steps), **REASON},
    )
    clock.advance(hours=1)
    steps.receive(o10)
    clock.advance(hours=1)
    steps.respond(o10, "produced")
    # O11: an emergency EPOC-PR by the police, never validated: withdrawn after 48 hours.
    orders["o11"] = steps.issue("police", "epoc-pr", **EMERGENCY)
    # O12: issued, not yet received: pending.
    orders["o12"] = steps.issue()
    # O13: from Germany, produced: in the all-States report only.
    orders["o13"] = o13 = steps.issue("berlin")
    steps.receive(o13)
    steps.respond(o13, "produced")
    # A draft is not issued: it counts nowhere.
    steps.exchange.draft()
    # Twelve days later the worker has fired the due clocks: O6's deadline missed, O11 withdrawn.
    clock.advance(days=12)
    fired = steps.run_worker()
    assert any(f.startswith("deadline.missed: production of order " + o6["id"]) for f in fired)
    assert any(
        f.startswith("order.withdrawn: ex_post_validation of order " + orders["o11"]["id"]) for f in fired
    )
    # O6 then goes to enforcement, still undecided.
    steps.send(o6, "prosecutor", "enforcement-request", {"language": "en", **REASON})
    return orders


def tally_rows(session: Any) -> dict[str, set[tuple[Any, ...]]]:
    """Every non-empty tally row and every counted order, to compare two ways of counting.

    The changes not yet folded are folded first (as the worker would): the tallies then hold all.
    """
    while fold(session):
        pass
    art28 = session.execute(sa.select(Art28Tally.__table__).where(Art28Tally.orders != 0)).all()
    received = session.execute(
        sa.select(TransparencyTally.__table__).where(TransparencyTally.requests != 0)
    ).all()
    counted = session.execute(sa.select(CountedOrder.__table__)).all()
    return {
        "art28": {tuple(row) for row in art28},
        "transparency": {tuple(row) for row in received},
        "orders": {tuple(str(value) for value in row) for row in counted},
    }
