"""The tallied reports equal the reference count over random order histories, on either database.

A seeded generator drives orders through the API as the parties would: it issues orders of every
kind, then sends random steps (answers, reviews, validations, enforcement, withdrawals, new
deadlines, …) and lets the worker fire clocks, taking the broker's refusals of steps that do not fit
as part of the history. Then, for many periods, States and providers, the reports computed from the
tallies must equal the reports as computed before the tallies (report_reference.py: every order
loaded and its messages parsed), and rebuilding the statistics from scratch must give the very
tallies the operations kept up to date step by step.

The clock moves at least a second between steps, so no two messages of an order share a receipt time
(the reference picks "the last" decision by receipt time alone).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from random import Random
from typing import Any

import pytest
import report_reference
import sqlalchemy as sa
from conftest import EMERGENCY
from conftest import REASON
from conftest import judge
from conftest import tally_rows

from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import operations
from broker.reports import transparency
from broker.reports.models import CountedOrder
from broker.reports.period import make_period
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RefusalGround
from broker.vocabulary import Role

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

ORDERS, STEPS = 20, 120  # and about 12 more orders issued while the steps go on
# Tokens last 30 days from the start of a test: the worker moves the clock no further than this.
HORIZON = timedelta(days=26)
CATEGORY_SETS = (["subscriber"], ["traffic"], ["content"], ["subscriber", "traffic"], ["traffic", "content"])
IDENTIFICATION = [{"ip_address": "198.51.100.7", "timestamp": "2026-11-20T08:15:00+01:00"}]
TEXT = "Text for the record."
ACTIVE = ("received", "acknowledged", "preserved")


@dataclass
class Tracked:
    order: dict[str, Any]  # as issued: ids, type, parties, the certificate message
    author: str
    provider: str  # the party handle of the addressee's provider
    enforcing: str  # the enforcing authority of the addressee's State
    state: str = "issued"


class History:
    """Random orders, then random steps that fit each order's state, sent as the parties would.

    The broker may still refuse a step (a guard: a closed window, a transfer hold, enforcement before
    any non-compliance); the refusal changes nothing, and the history goes on.
    """

    def __init__(self, steps: Any, random: Random) -> None:
        self.steps, self.random, self.orders = steps, random, []
        self.client, self.network, self.clock = steps.client, steps.network, steps.clock
        self.start = self.clock()

    def tick(self) -> None:
        self.clock.advance(seconds=self.random.randint(1, 3600))

    def issue(self) -> None:
        """One order of a random kind that the legal checks let through (or a Budapest request)."""
        r = self.random
        if r.random() < 0.1:
            order = self.steps.budapest_preservation()
            self.orders.append(Tracked(order, "prosecutor", "provider", "enforcing"))
            return
        author = r.choice(["prosecutor", "prosecutor", "prosecutor", "police", "berlin"])
        order_type = r.choice(["epoc", "epoc", "epoc-pr"])
        to = "provider" if author == "berlin" else r.choice(["provider", "other_provider"])
        changes: dict[str, Any] = {
            "targets": [{"type": "account", "value": f"a{i}"} for i in range(r.randint(1, 3))]
        }
        if author == "police" or r.random() < 0.2:
            changes |= EMERGENCY
        if order_type == "epoc":
            categories = list(r.choice(CATEGORY_SETS[:1] if author != "prosecutor" else CATEGORY_SETS))
            if set(categories) & {"traffic", "content"}:
                to = "provider"  # Art. 8: notified to Ireland
                changes["validating_authority"] = {"organisation": self.network["judge"].organisation_id}
                changes["offence_committed_in_issuing_state"] = True
                changes["person_resides_in_issuing_state"] = r.random() < 0.5
            if r.random() < 0.3:
                categories.append("user_identification")
                changes["identification"] = IDENTIFICATION
            changes["data_categories"] = categories
        builder = self.steps.drafts.epoc if order_type == "epoc" else self.steps.drafts.epoc_pr
        certificate = builder(self.network.addressees[to], **changes)
        drafted = self.client.post(
            "/api/v1/orders",
            json={"order_type": order_type, "certificate": certificate},
            headers=self.network[author].headers,
        )
        assert drafted.status_code == 201, drafted.get_json()
        order = self.steps.exchange.issue(drafted.get_json(), author)
        self.orders.append(Tracked(order, author, to, "enforcing" if to == "provider" else "enforcing_de"))

    def step(self) -> None:
        """One step that fits the state of a random open order, or the worker after some time."""
        r = self.random
        tracked = r.choice(self.orders)
        menu = self.menu(tracked)
        who, message_type, body = r.choice(menu) if menu and r.random() < 0.9 else ("worker", "", {})
        if who == "worker":
            hours = r.choice([1, 8, 30, 50, 100, 250])
            if self.clock() + timedelta(hours=hours) < self.start + HORIZON:
                self.clock.advance(hours=hours)
            self.steps.run_worker()
            self.refresh_states()
        elif message_type == "receive":
            self.steps.exchange.receive(tracked.order, tracked.provider)
            tracked.state = "received"
        else:
            tracked.state = self.send(tracked, who, message_type, body) or tracked.state

    def menu(self, tracked: Tracked) -> list[tuple[str, str, dict[str, Any]]]:
        """The steps that the lifecycle allows in the order's state, several weighted by repetition."""
        r, state, epoc = self.random, tracked.state, tracked.order["order_type"] == "epoc"
        issuer, provider, enforcing = tracked.author, tracked.provider, tracked.enforcing
        review = [
            (enforcing, "enforcing-review", {"decision": "no_objection"}),
            (
                enforcing,
                "enforcing-review",
                {"decision": "refusal", "ground": r.choice(list(RefusalGround)).value, **REASON},
            ),
        ]
        validation = (
            issuer,
            "ex-post-validation",
            {
                "outcome": r.choice(["granted", "refused"]),
                "validating_authority": judge(self.steps),
                **REASON,
            },
        )
        withdrawal = (issuer, "withdrawal", {"reason": TEXT, "delete_received_data": r.random() < 0.5})
        deadline = (
            issuer,
            "new-deadline",
            {"deadline": (self.clock() + timedelta(hours=r.randint(1, 120))).isoformat(), "reason": TEXT},
        )
        enforcement = (issuer, "enforcement-request", {"language": "en", **REASON})
        if state == "issued":
            return [(provider, "receive", {})] * 4 + review * 2 + [validation] * 2 + [withdrawal]
        if state in ACTIVE:
            outcomes = (
                ["produced"] * 3 + ["partially_produced", "not_executed"]
                if epoc
                else ["preserved"] * 3 + ["not_executed"]
            )
            steps = [(provider, "response", self.response(r.choice(outcomes)))] * 4
            steps += [
                (provider, "acknowledgement", {}),
                (
                    provider,
                    "clarification-request",
                    {"reason": "incomplete_or_manifest_error", "explanation": TEXT},
                ),
            ]
            steps += [*review, *review, validation, withdrawal, enforcement]
            if epoc:
                return [*steps, deadline]
            confirmation = {"request_type": "epo", "reference": "R-1", "issued_on": "2026-11-27"}
            return [
                *steps,
                (issuer, "production-request-confirmation", confirmation),
                (issuer, "preservation-release", {"reason": TEXT}),
            ]
        if state == "clarification_requested":
            return [(issuer, "clarification-answer", {"explanation": TEXT})] * 3 + [withdrawal]
        if state in ("produced", "partially_produced", "not_executed"):
            steps = [(issuer, "closure", {"reason": TEXT}), *review, withdrawal, validation]
            return steps + ([enforcement, enforcement, deadline] if state == "not_executed" else [deadline])
        if state == "enforcement_requested":
            return [
                (enforcing, "enforcement-decision", {"outcome": "recognised", **REASON}),
                (
                    enforcing,
                    "enforcement-decision",
                    {"outcome": "refused", "ground": "Art. 16(4)(c)", **REASON},
                ),
            ]
        if state == "enforcement_refused":
            return [(issuer, "closure", {"reason": TEXT})]
        return []

    def response(self, outcome: str) -> dict[str, Any]:
        body: dict[str, Any] = {"outcome": outcome, "data_preserved": True}
        if outcome in ("partially_produced", "not_executed"):
            body |= {"reason": "data_not_stored", "explanation": "The account was deleted in 2025."}
        return body

    def send(self, tracked: Tracked, who: str, message_type: str, body: dict[str, Any]) -> str | None:
        """Send one signed step; the order's new state, or None if the broker refused the step."""
        order, party = tracked.order, self.network[who]
        if message_type == "enforcement-request":
            recipient = self.network[tracked.enforcing].organisation_id
        elif party.kind is OrganisationKind.ISSUING_AUTHORITY:
            recipient = order["provider"]["id"]
        else:
            recipient = order["issuing_authority"]["id"]
        certificate = next(m for m in order["messages"] if m["type"] == order["order_type"])
        jws = party.sign(message_type, body, recipient, in_reply_to=certificate["id"])
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )
        assert answer.status_code < 500, answer.get_json()
        return answer.get_json()["state"] if answer.status_code == 201 else None

    def refresh_states(self) -> None:
        """The worker may have withdrawn or ended orders: read every state again."""
        with self.steps.app.extensions["broker"].database.transaction() as session:
            states = dict(session.execute(sa.select(Order.id, Order.state)).all())
        for tracked in self.orders:
            tracked.state = states[uuid.UUID(tracked.order["id"])].value


def periods(random: Random) -> list[Any]:
    """The year, the first days, a month, ranges across month ends, and random runs of days."""
    chosen = [
        make_period(2026),
        make_period(2027),
        make_period(start=date(2026, 11, 24), end=date(2026, 11, 25)),
        make_period(start=date(2026, 11, 1), end=date(2026, 12, 1)),
        make_period(start=date(2026, 11, 20), end=date(2027, 1, 1)),
        make_period(start=date(2025, 12, 31), end=date(2026, 12, 2)),
    ]
    for _ in range(4):
        first = date(2026, 11, random.randint(20, 30))
        chosen.append(
            make_period(start=first, end=date.fromordinal(first.toordinal() + random.randint(1, 20)))
        )
    return chosen


@pytest.fixture
def history_network(steps, network):
    """The reports' network plus an enforcing authority for Germany, so DE addressees can be notified."""
    network.add(
        "enforcing_de",
        "Amtsgericht Berlin",
        OrganisationKind.ENFORCING_AUTHORITY,
        "DE",
        Role.REVIEWER,
        AuthorityType.COURT,
    )
    return steps


def assert_reports_equal_the_reference(database: Any, history: History, random: Random) -> None:
    """Art. 28 for many periods and States, transparency for both providers: tallied == reference."""
    with database.transaction() as session:
        providers = [
            session.get_one(Organisation, uuid.UUID(history.network[name].organisation_id))
            for name in ("provider", "other_provider")
        ]
        assert session.scalar(sa.select(sa.func.count()).select_from(CountedOrder)) == len(history.orders)
        for period in periods(random):
            for country in (None, "FR", "DE", "IT"):
                tallied = art28.build(session, history.clock, period, country)["figures"]
                assert tallied == report_reference.art28_figures(session, period, country), (period, country)
            for provider in providers:
                tallied = transparency.build(session, history.clock, period, provider)["figures"]
                expected = report_reference.transparency_figures(session, period, provider)
                assert tallied == expected, (period, provider.name)


@pytest.mark.parametrize("seed", range(5))
def test_tallied_reports_equal_the_reference_over_random_histories(seed, history_network, database):
    random = Random(seed)
    history = History(history_network, random)
    for _ in range(ORDERS):
        history.issue()
        history.tick()
    assert_reports_equal_the_reference(database, history, random)
    for _ in range(STEPS):
        if random.random() < 0.1:
            history.issue()
        history.step()
        history.tick()
    assert_reports_equal_the_reference(database, history, random)
    with database.transaction() as session:
        kept = tally_rows(session)
        assert operations.rebuild(session) == len(history.orders)
        assert tally_rows(session) == kept, "rebuilding from the orders gives the tallies kept step by step"
