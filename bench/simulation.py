"""The simulated year behind bench/seed.py: the plans orders follow and the event loop that runs them.

Every step of every order is an event at its own time; events run in time order on a FrozenClock set
to that time, each through the operation the API would call, with a message signed by the sending
party's own key; the worker's due clocks fire every simulated hour. So the log, the clocks, the
reminders and the missed deadlines come out as a year of real use would leave them.
"""

import heapq
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from network import SPECS
from network import BenchNetwork
from network import BenchParty
from network import emergency_epoc
from network import epoc
from network import epoc_pr

from broker import problems
from broker.audit.operations import integrate_all
from broker.clock import FrozenClock
from broker.db import Database
from broker.orders import operations as orders
from broker.orders.inbound import MessageWindow
from broker.orders.models import Order
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.workflow.operations import due
from broker.workflow.operations import issuing
from broker.workflow.operations import steps

DAY = 24.0  # plans count in hours
WINDOW = MessageWindow(max_age=timedelta(hours=1), max_future=timedelta(minutes=5))
WORKER_ROUND = timedelta(hours=1)
# The Regulation applies from 18 August 2026 (Art. 34; rule EE-01 refuses an EPOC issued earlier), so the
# simulated year starts then and, as long as today is less than a year later, runs ahead of the wall clock.
START = datetime(2026, 8, 18, 8, 0, tzinfo=UTC)
# Long enough for every plan to end and every clock it leaves to fire (a lapsed preservation: 60 days).
SETTLE = timedelta(days=90)

# A plan: who issues what, then (delay in hours as a range, who acts, what) per step.
Step = tuple[tuple[float, float], str, str]
ISSUE: Step = ((0.05, 2.0), "issuer", "issue")
RECEIVE: Step = ((0.5, 36.0), "provider", "receive")
PRODUCED: Step = ((DAY, 8 * DAY), "provider", "response:produced")
PLANS: dict[str, tuple[int, str, str, list[Step]]] = {
    # name: (weight, issuer kind, certificate, steps)
    "draft": (3, "prosecutor", "epoc", []),
    "issued": (2, "prosecutor", "epoc", [ISSUE]),
    "produced": (
        22,
        "prosecutor",
        "epoc",
        [ISSUE, RECEIVE, ((1, 6), "provider", "acknowledgement"), PRODUCED],
    ),
    "closed": (16, "prosecutor", "epoc", [ISSUE, RECEIVE, PRODUCED, ((DAY, 20 * DAY), "issuer", "closure")]),
    "shortfall": (
        5,
        "prosecutor",
        "epoc",
        [ISSUE, RECEIVE, ((DAY, 9 * DAY), "provider", "response:not_executed")],
    ),
    "partial": (
        3,
        "prosecutor",
        "epoc",
        [
            ISSUE,
            RECEIVE,
            ((DAY, 9 * DAY), "provider", "response:partially_produced"),
            ((DAY, 10 * DAY), "issuer", "closure"),
        ],
    ),
    "emergency": (
        8,
        "judge",
        "emergency",
        [
            ((0.02, 0.2), "issuer", "issue"),
            ((0.1, 1.0), "provider", "receive"),
            ((0.5, 6.0), "enforcing", "enforcing-review"),
            ((0.5, 1.5), "provider", "response:produced"),
        ],
    ),
    "preserved": (
        8,
        "prosecutor",
        "epoc-pr",
        [
            ISSUE,
            RECEIVE,
            ((2, 72), "provider", "response:preserved"),
            ((10 * DAY, 50 * DAY), "issuer", "production-request-confirmation"),
        ],
    ),
    "released": (
        4,
        "prosecutor",
        "epoc-pr",
        [
            ISSUE,
            RECEIVE,
            ((2, 72), "provider", "response:preserved"),
            ((5 * DAY, 40 * DAY), "issuer", "preservation-release"),
        ],
    ),
    "lapsed": (3, "prosecutor", "epoc-pr", [ISSUE, RECEIVE, ((2, 72), "provider", "response:preserved")]),
    "overdue": (6, "prosecutor", "epoc", [ISSUE, RECEIVE]),
    "enforced": (
        3,
        "prosecutor",
        "epoc",
        [
            ISSUE,
            RECEIVE,
            ((11 * DAY, 14 * DAY), "issuer", "enforcement-request"),
            ((DAY, 4 * DAY), "enforcing", "enforcement-decision"),
        ],
    ),
    "clarified": (
        5,
        "prosecutor",
        "epoc",
        [
            ISSUE,
            RECEIVE,
            ((2, 24), "provider", "clarification-request"),
            ((4, 48), "issuer", "clarification-answer"),
            PRODUCED,
        ],
    ),
    "withdrawn": (4, "prosecutor", "epoc", [ISSUE, RECEIVE, ((DAY, 9 * DAY), "issuer", "withdrawal")]),
}

BODIES: dict[str, dict[str, Any]] = {
    "acknowledgement": {},
    "response:produced": {"outcome": "produced", "data_preserved": True},
    "response:preserved": {"outcome": "preserved", "data_preserved": True},
    "response:not_executed": {
        "outcome": "not_executed",
        "reason": "data_not_stored",
        "explanation": "The account was deleted before the order arrived.",
        "data_preserved": False,
    },
    "response:partially_produced": {
        "outcome": "partially_produced",
        "reason": "de_facto_impossibility",
        "explanation": "Older traffic data are no longer held.",
        "data_preserved": True,
    },
    "closure": {"reason": "The proceedings no longer need the order."},
    "enforcing-review": {"decision": "no_objection"},
    "production-request-confirmation": {"request_type": "epo", "reference": "EPO-BENCH-1"},
    "preservation-release": {"reason": "The data are no longer needed."},
    "enforcement-request": {"language": "en", "explanation": "No data and no Annex III within 10 days."},
    "enforcement-decision": {
        "outcome": "refused",
        "ground": "Art. 16(4)(b)",
        "explanation": "The data are protected by an immunity under the law of the enforcing State.",
    },
    "clarification-request": {
        "reason": "incomplete_or_manifest_error",
        "explanation": "Which of the two accounts?",
        "fields": ["targets.0.value"],
    },
    "clarification-answer": {"explanation": "The first one."},
    "withdrawal": {"reason": "The suspect was identified otherwise.", "delete_received_data": True},
}


@dataclass
class Case:
    """One order of the simulation: its plan, its parties, and what the broker gave it so far."""

    number: int
    plan: str
    issuer: BenchParty
    provider: BenchParty
    enforcing: BenchParty
    order_id: uuid.UUID | None = None
    certificate_message: str | None = None
    step: int = 0


@dataclass
class Stats:
    """What the run did: orders, steps, refusals, worker firings, seconds."""

    orders: int = 0
    steps: int = 0
    fired: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    operations_seconds: float = 0.0
    copied: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


class Simulation:
    """Orders arriving over time, each step an operation at its own time, the worker every simulated hour."""

    def __init__(
        self,
        database: Database,
        network: BenchNetwork,
        start: datetime,
        end: datetime,
        count: int,
        batch: int = 500,
        seed: int = 11,
        on_step: Callable[[str], Any] | None = None,
    ) -> None:
        self.database, self.network = database, network
        self.clock = FrozenClock(start)
        self.start, self.gap, self.count, self.batch = start, (end - start) / max(count, 1), count, batch
        self.random = random.Random(seed)  # noqa: S311 - a repeatable mix, not a secret
        self.queue: list[tuple[datetime, int, Case]] = []
        self.sequence = itertools.count()
        self.until: datetime | None = None
        self.arrived = 0
        self.next_round = start + WORKER_ROUND
        self.stats = Stats()
        self.on_step = on_step
        names = list(PLANS)
        self.plans = self.random.choices(names, weights=[PLANS[n][0] for n in names], k=count)
        kinds = OrganisationKind
        issuers = network.of_kind(kinds.ISSUING_AUTHORITY)
        self.judges = [p for p in issuers if p.handle.endswith("judge")]
        self.prosecutors = [p for p in issuers if not p.handle.endswith("judge")]
        self.providers = network.of_kind(kinds.PROVIDER)
        self.enforcing = {p.country: p for p in network.of_kind(kinds.ENFORCING_AUTHORITY)}

    def run(self, progress: Callable[[Stats], None] | None = None, until: datetime | None = None) -> Stats:
        """Every event in time order, `batch` per transaction, until none is left or `until`.

        With `until`, the worker's rounds go on to that time even when no order has a step left, so
        clocks due by then have fired; steps planned after it are left undone (orders in flight).
        """
        self.until = until
        while True:
            with self.database.transaction() as session:
                done = 0
                while done < self.batch:
                    moment = self._next_time()
                    if moment is None or (until is not None and moment > until):
                        break
                    self.clock.now = moment
                    self._one(session, moment)
                    done += 1
            integrate_all(self.database)
            if progress is not None:
                progress(self.stats)
            if done < self.batch:
                self.stats.seconds = time.perf_counter() - self.stats.started
                return self.stats

    def _next_time(self) -> datetime | None:
        arrival = self.start + self.gap * self.arrived if self.arrived < self.count else None
        queued = self.queue[0][0] if self.queue else None
        pending = [t for t in (arrival, queued) if t is not None]
        if not pending:
            return self.next_round if self.until is not None and self.next_round <= self.until else None
        return min([*pending, self.next_round])

    def _one(self, session: Any, moment: datetime) -> None:
        if moment == self.next_round:
            self.next_round += WORKER_ROUND
            while (fired := due.fire_next(session, self.clock)) is not None:
                self.stats.fired += 1 if fired else 0
            return
        if self.arrived < self.count and moment == self.start + self.gap * self.arrived:
            case = self._arrival()
            self._act(session, case, "issuer", "draft")
        else:
            _, _, case = heapq.heappop(self.queue)
            _, who, action = PLANS[case.plan][3][case.step]
            case.step += 1
            self._act(session, case, who, action)
        steps_left = PLANS[case.plan][3]
        if case.order_id is not None and case.step < len(steps_left):
            low, high = steps_left[case.step][0]
            when = moment + timedelta(hours=self.random.uniform(low, high))
            heapq.heappush(self.queue, (when, next(self.sequence), case))

    def _arrival(self) -> Case:
        number, plan = self.arrived, self.plans[self.arrived]
        self.arrived += 1
        self.stats.orders += 1
        issuers = self.judges if PLANS[plan][1] == "judge" else self.prosecutors
        # The enforcing State notified of an emergency must accept its language (English): Ireland.
        providers = [
            p
            for p in self.providers
            if PLANS[plan][2] != "emergency" or (p.country == "US" and _addressee_country(p) == "IE")
        ]
        provider = self.random.choice(providers)
        enforcing = self.enforcing[_addressee_country(provider)]
        return Case(number, plan, self.random.choice(issuers), provider, enforcing)

    def _act(self, session: Any, case: Case, who: str, action: str) -> None:
        """One step through the operation the API would call; a refused step ends the case's plan."""
        actor = {"issuer": case.issuer, "provider": case.provider, "enforcing": case.enforcing}[who]
        self.stats.steps += 1
        if self.on_step is not None:
            self.on_step(action)
        try:
            with session.no_autoflush:
                self._operation(session, case, actor, action)
        except problems.Problem as problem:
            self.stats.refused[f"{case.plan}/{action}: {type(problem).__name__}: {problem}"[:200]] += 1
            case.order_id = None if action == "draft" else case.order_id
            case.step = len(PLANS[case.plan][3])

    def _operation(self, session: Any, case: Case, actor: BenchParty, action: str) -> None:
        now = self.clock()
        if action == "draft":
            kind = PLANS[case.plan][2]
            build = {"epoc": epoc, "emergency": emergency_epoc, "epoc-pr": epoc_pr}[kind]
            assert case.provider.addressee_id is not None
            reference = f"{case.issuer.country}-BENCH-{case.number:08d}"
            certificate = build(
                case.provider.addressee_id, reference, f"user-BENCH-{case.number:08d}@example.test"
            )
            order_type = OrderType.EPOC_PR if kind == "epoc-pr" else OrderType.EPOC
            order = orders.create_draft(session, self.clock, actor.actor, order_type, certificate)
            case.order_id = order.id
            return
        assert case.order_id is not None
        if action == "issue":
            order = session.get_one(Order, case.order_id)
            jws = actor.sign(order.order_type.value, order.certificate, str(order.provider_id), now)
            order = issuing.issue_order(session, self.clock, WINDOW, actor.actor, case.order_id, jws)
            case.certificate_message = str(order.messages[0].id)
        elif action == "receive":
            steps.receive_order(session, self.clock, actor.actor, case.order_id)
        else:
            message_type = action.split(":")[0]
            body = dict(BODIES[action])
            if message_type == "production-request-confirmation":
                body["issued_on"] = now.date().isoformat()
            recipient = {
                "issuer": case.provider.organisation_id,
                "provider": case.issuer.organisation_id,
                "enforcing": case.issuer.organisation_id,
            }[_side(actor)]
            if message_type == "enforcement-request":
                recipient = case.enforcing.organisation_id
            jws = actor.sign(message_type, body, recipient, now, case.certificate_message)
            steps.send_message(session, self.clock, WINDOW, actor.actor, case.order_id, jws)


def _side(party: BenchParty) -> str:
    return {"issuing_authority": "issuer", "provider": "provider", "enforcing_authority": "enforcing"}[
        party.kind
    ]


def _addressee_country(provider: BenchParty) -> str:
    return next(spec.addressee_country for spec in SPECS if spec.handle == provider.handle) or ""
