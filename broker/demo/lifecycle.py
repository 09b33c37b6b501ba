"""The second scenario: an order's life over weeks, on a clock the demo moves forward.

An emergency EPOC for traffic data notified to the Irish enforcing authority, with a clarification
round that stops the 8-hour clock; an EPOC-PR extended once and then confirmed; and an EPOC whose
deadline passes unanswered, which the worker records before the issuing authority asks Ireland to
enforce it. Every step goes through the API; time passes only through the injected clock.
"""

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from broker.clock import FrozenClock
from broker.demo import removal
from broker.demo.network import Party
from broker.demo.scenario import Demo
from broker.demo.scenario import DemoFailed
from broker.demo.scenario import subscriber_epoc


def emergency_traffic_epoc(addressee: str) -> dict[str, Any]:
    """An investigating judge's emergency EPOC for traffic data: a kidnapping in progress."""
    certificate = subscriber_epoc(None)
    certificate.update(
        addressee=addressee,
        issuing_authority={"file_number": "JI-2026-0912", "contact": {"name": "Luc Bernard"}},
        data_categories=["traffic"],
        targets=[{"type": "email_address", "value": "ransom.drop.2026@examplemail.example"}],
        offence={
            "description": "Kidnapping with a ransom demand sent by e-mail; the victim is held now.",
            "legal_provisions": ["Code pénal, art. 224-4"],
            "maximum_penalty_months": 360,
        },
        emergency=True,
        emergency_justification="A child is held; the ransom e-mails are the only lead to where.",
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=False,
        case_summary="A child was taken in Lyon yesterday; ransom demands arrive from this mailbox.",
        user_information={"decision": "delay", "justification": "Would endanger the victim (Art. 13(2))."},
    )
    return certificate


def preservation_order(addressee: str) -> dict[str, Any]:
    """A prosecutor's EPOC-PR: keep the mailbox's data while a production order is prepared."""
    certificate = subscriber_epoc(None)
    for member in ("user_information", "similar_domestic_order_possible"):
        del certificate[member]
    certificate.update(
        addressee=addressee,
        issuing_authority={"file_number": "PARQUET-2026-05120"},
        data_categories=["subscriber", "traffic"],
        subsequent_request="epo",
    )
    return certificate


class LifecycleDemo(Demo):
    """Weeks of an order's life in a few seconds: `clock` is a FrozenClock the demo advances."""

    def __init__(
        self,
        client: FlaskClient,
        parties: dict[str, Party],
        clock: FrozenClock,
        say: Callable[[str], None],
        work: Callable[[], list[str]],
    ):
        super().__init__(client, parties, clock, say)
        self.frozen = clock
        self.work = work  # one round of `broker worker`: returns what it did

    def run(self) -> dict[str, Any]:
        prosecutor, judge, provider = (
            self.parties["prosecutor"],
            self.parties["judge"],
            self.parties["provider"],
        )
        enforcing = self.parties["enforcing"]
        addressee = self.find_addressee(prosecutor, provider)
        emergency = self.emergency_round(judge, provider, enforcing, addressee["id"])
        preserved = self.preservation_round(prosecutor, provider, addressee["id"])
        missed = self.missed_deadline(prosecutor, provider, enforcing, addressee["id"])
        return {
            "emergency": emergency,
            "preservation": preserved,
            "enforcement": missed,
            "removal": removal.remove_terrorist_content(self),
        }

    def post(
        self, party: Party, order: dict[str, Any], kind: str, body: dict[str, Any], to: str | None = None
    ) -> Any:
        """A signed lifecycle message from `party` to the order's other side (or to `to`)."""
        if to is None:
            issuer = order["issuing_authority"]["id"]
            to = order["provider"]["id"] if party.organisation_id == issuer else issuer
        jws = self.signed(party, kind, body, to, order["messages"][0]["id"])
        return self.call(
            party,
            "POST",
            f"/api/v1/orders/{order['id']}/messages",
            201,
            data=jws,
            content_type="application/jose",
        )

    def deadline(self, party: Party, order: dict[str, Any], kind: str) -> dict[str, Any]:
        timeline = self.call(party, "GET", f"/api/v1/orders/{order['id']}/timeline", 200)
        return next(clock for clock in timeline["clocks"] if clock["kind"] == kind)

    def draft_and_issue(
        self, author: Party, provider: Party, order_type: str, certificate: dict[str, Any]
    ) -> Any:
        order = self.call(
            author, "POST", "/api/v1/orders", 201, json={"order_type": order_type, "certificate": certificate}
        )
        if order["checks"]["blocking"]:
            raise DemoFailed(f"the demo order is blocked: {order['checks']['findings']}")
        return self.issue(author, provider, order)

    def emergency_round(self, judge: Party, provider: Party, enforcing: Party, addressee: str) -> str:
        order = self.draft_and_issue(judge, provider, "epoc", emergency_traffic_epoc(addressee))
        notified = self.call(enforcing, "GET", "/api/v1/inbox", 200)["items"]
        self.step(
            f"It is an emergency EPOC for traffic data, so Ireland's enforcing authority is notified at the same "
            f"time (Art. 8): {enforcing.name} sees {len(notified)} order in its inbox, with 96 hours to object"
        )
        order = self.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        due = self.deadline(provider, order, "production")["due_at"]
        self.step(f"{provider.name} receives it: the data are due within 8 hours, by {due} (Art. 10(4))")
        self.frozen.advance(minutes=40)
        body = {
            "reason": "incomplete_or_manifest_error",
            "explanation": "Which of the two ransom mailboxes?",
            "fields": ["targets.0.value"],
        }
        order = self.post(provider, order, "clarification-request", body)
        self.step(
            f"40 minutes later {provider.name} asks for clarification (Annex III): the clock stops, state {order['state']}"
        )
        self.frozen.advance(hours=1)
        order = self.post(
            judge, order, "clarification-answer", {"explanation": "The first: ransom.drop.2026@."}
        )
        moved = self.deadline(judge, order, "production")
        self.step(
            f"An hour later {judge.name} answers: the clock runs again and the deadline moves by the pause, to "
            f"{moved['due_at']}; state {order['state']}"
        )
        order = self.post(enforcing, order, "enforcing-review", {"decision": "no_objection"})
        self.step(f"{enforcing.name} confirms it will not object (Art. 12): review window closed")
        self.frozen.advance(hours=2)
        order = self.post(provider, order, "response", {"outcome": "produced", "data_preserved": True})
        self.step(f"{provider.name} produces the data within the deadline: state {order['state']}")
        return str(order["id"])

    def preservation_round(self, prosecutor: Party, provider: Party, addressee: str) -> str:
        order = self.draft_and_issue(prosecutor, provider, "epoc-pr", preservation_order(addressee))
        order = self.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        order = self.post(provider, order, "response", {"outcome": "preserved", "data_preserved": True})
        ends = self.deadline(prosecutor, order, "preservation")["due_at"]
        self.step(
            f"{prosecutor.name} issues an EPOC-PR; {provider.name} preserves the data until {ends} (60 days)"
        )
        self.frozen.advance(days=50)
        self.post(
            prosecutor, order, "preservation-extension", {"reason": "The production order awaits a judge."}
        )
        ends = self.deadline(prosecutor, order, "preservation")["due_at"]
        self.step(f"50 days later {prosecutor.name} extends it once by 30 days (Annex VI): now until {ends}")
        self.frozen.advance(days=20)
        order = self.post(
            prosecutor,
            order,
            "production-request-confirmation",
            {
                "request_type": "epo",
                "reference": "JI-2027-0042",
                "issued_on": self.clock().date().isoformat(),
            },
        )
        clock = self.deadline(prosecutor, order, "preservation")
        self.step(
            f"20 days later it confirms a production order was issued (Annex V): the data stay preserved until "
            f"produced, the 90-day clock is {clock['status']}"
        )
        return str(order["id"])

    def missed_deadline(self, prosecutor: Party, provider: Party, enforcing: Party, addressee: str) -> str:
        certificate = subscriber_epoc(None)
        certificate.update(addressee=addressee, issuing_authority={"file_number": "PARQUET-2026-05377"})
        order = self.draft_and_issue(prosecutor, provider, "epoc", certificate)
        order = self.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        self.step(f"{prosecutor.name} issues another EPOC; {provider.name} receives it and then stays silent")
        self.frozen.advance(days=9)
        for line in self.work():
            self.say(f"   worker: {line}")
        self.frozen.advance(days=1, minutes=1)
        done = self.work()
        for line in done:
            self.say(f"   worker: {line}")
        overdue = self.call(prosecutor, "GET", "/api/v1/inbox?overdue=true", 200)
        if not any("deadline.missed" in line for line in done) or len(overdue["items"]) != 1:
            raise DemoFailed("the worker did not record the missed deadline")
        self.step(
            f"Ten days after receipt the worker records the missed deadline: {len(overdue['items'])} overdue order"
        )
        order = self.post(
            prosecutor,
            order,
            "enforcement-request",
            {"language": "en", "explanation": "No data and no Annex III within 10 days (Art. 10(3))."},
            to=enforcing.organisation_id,
        )
        due = self.deadline(prosecutor, order, "enforcement_decision")["due_at"]
        self.step(
            f"{prosecutor.name} asks {enforcing.name} to enforce it (Art. 16): state {order['state']}, "
            f"decision due within 5 working days, by {due}"
        )
        return str(order["id"])
