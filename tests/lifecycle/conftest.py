"""Fixtures for the lifecycle: orders driven through the API with signed messages, and the worker.

`flow` issues and receives orders of every kind the lifecycle tests need (plain, notified to the
enforcing State, emergency without prior validation), posts signed lifecycle messages between the
right parties, and reads what a step left behind (state, clocks, log entries, outbox rows) straight
from the database, so that looking never adds a log entry of its own.
"""

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from broker.audit.models import AuditEntry
from broker.cli.worker import run_once
from broker.clock import to_rfc3339
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import User
from broker.parties.operations import issue_token
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # tests/conftest.py: the frozen clock's start
TOKEN_LIFETIME, TOKEN_MARGIN = timedelta(days=30), timedelta(days=1)  # as the network fixture issues them
HOOK = "http://127.0.0.1:9/hook"  # nothing listens: the tests read the outbox, or mock the receiver

NOTIFIED = {  # traffic data, the person living elsewhere: the enforcing State is notified (Art. 8)
    "data_categories": ["traffic"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}
EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life: the victim is held now."}

# Bodies that satisfy each message's schema; tests override members where it matters.
BODIES: dict[str, dict[str, Any]] = {
    "acknowledgement": {"addressee_file_number": "EM-2026-77"},
    "clarification-request": {
        "reason": "incomplete_or_manifest_error",
        "explanation": "Two accounts match the address; which one?",
        "fields": ["targets.0.value"],
    },
    "clarification-answer": {"explanation": "The one created in 2025."},
    "immunity-concern": {"explanation": "The account belongs to a journalist.", "grounds": ["press"]},
    "order-decision": {"decision": "maintain", "explanation": "The data are not covered by privilege."},
    "third-country-objection": {
        "third_country": "US",
        "law": "Stored Communications Act",
        "provision": "18 U.S.C. 2702",
        "applicability": "The provider is established in the United States.",
        "nature_of_conflict": "Disclosure of content to a foreign government is prohibited.",
    },
    "court-review-outcome": {
        "outcome": "upheld",
        "court": "Tribunal judiciaire de Paris",
        "decided_on": "2026-11-30",
        "explanation": "No conflict with the law of the third country.",
    },
    "enforcing-review": {"decision": "no_objection"},
    "ex-post-validation": {"outcome": "granted", "explanation": "The emergency was real."},
    "withdrawal": {"reason": "The suspect was identified otherwise.", "delete_received_data": False},
    "new-deadline": {"reason": "The data sit on a backup tape."},
    "preservation-extension": {"reason": "The production order awaits a judge."},
    "production-request-confirmation": {"request_type": "epo", "reference": "JI-2027-0042"},
    "preservation-release": {"reason": "The case was closed."},
    "closure": {"reason": "Completed."},
    "enforcement-request": {"language": "en", "explanation": "No data and no valid reason (Art. 16(1))."},
    "enforcement-decision": {"outcome": "recognised", "explanation": "Recognised under Art. 16(2)."},
    "response": {"outcome": "produced", "data_preserved": True},
    "preservation-notice": {},
}


class Flow:
    """Orders through the API, and what each step left in the database."""

    def __init__(
        self, client: Any, network: Any, exchange: Any, clock: Any, database: Any, rows: Any
    ) -> None:
        self.client, self.network, self.exchange = client, network, exchange
        self.clock, self.database, self.rows = clock, database, rows
        self.expiry: dict[str, datetime] = {}  # tokens renewed by the flow, per party

    def fresh(self, handle: str) -> Any:
        """The party, with an API token that is still valid after the test travelled weeks ahead."""
        party = self.network[handle]
        if self.clock() + TOKEN_MARGIN < self.expiry.get(handle, START + TOKEN_LIFETIME):
            return party
        with self.database.transaction() as session:
            user = session.scalars(
                sa.select(User).where(User.organisation_id == uuid.UUID(party.organisation_id))
            ).first()
            assert user is not None
            _, party.token = issue_token(
                session, self.clock, user=user, label="lifecycle tests", lifetime=TOKEN_LIFETIME
            )
        self.expiry[handle] = self.clock() + TOKEN_LIFETIME
        return party

    # Orders -------------------------------------------------------------------------------------

    def issued(self, order_type: str = "epoc", author: str = "prosecutor", **changes: Any) -> dict[str, Any]:
        draft = self.exchange.draft(author=author, order_type=order_type, **changes)
        assert draft["checks"]["blocking"] is False, draft["checks"]["findings"]
        return self.exchange.issue(draft, author=author)

    def received(
        self, order_type: str = "epoc", author: str = "prosecutor", **changes: Any
    ) -> dict[str, Any]:
        return self.exchange.receive(self.issued(order_type, author, **changes))

    def notified(self, emergency: bool = False, **changes: Any) -> dict[str, Any]:
        """An investigating judge's EPOC for traffic data, notified to Ireland's enforcing authority."""
        order = self.issued(author="judge", **NOTIFIED, **(EMERGENCY if emergency else {}), **changes)
        assert order["enforcing_authority"]["id"] == self.network["enforcing"].organisation_id
        return order

    def unvalidated(self, order_type: str = "epoc") -> dict[str, Any]:
        """An emergency order for subscriber data from a police authority, without prior validation."""
        if "police" not in self.network.parties:
            self.network.add(
                "police",
                "Police judiciaire",
                OrganisationKind.ISSUING_AUTHORITY,
                "FR",
                Role.CASEWORKER,
                AuthorityType.OTHER_COMPETENT_AUTHORITY,
            )
        order = self.issued(order_type, author="police", **EMERGENCY)
        assert order["ex_post_validation_required"] is True
        return order

    # Messages -----------------------------------------------------------------------------------

    def issuer_of(self, order: dict[str, Any]) -> str:
        ids = {party.organisation_id: handle for handle, party in self.network.parties.items()}
        return ids[order["issuing_authority"]["id"]]

    def post(
        self,
        handle: str,
        order: dict[str, Any],
        message_type: str,
        body: dict[str, Any] | None = None,
        *,
        to: str | None = None,
        in_reply_to: str | None = None,
        path: str = "messages",
        **members: Any,
    ) -> Any:
        """A signed message from `handle` to the order's other side (to the enforcing authority for an
        enforcement request), in reply to the certificate unless told otherwise."""
        party = self.fresh(handle)
        issuer = order["issuing_authority"]["id"]
        if to is None:
            if message_type == "enforcement-request":
                to = self.network["enforcing"].organisation_id
            elif party.organisation_id == issuer:
                to = order["provider"]["id"]
            else:
                to = issuer
        content = {**BODIES.get(message_type, {}), **(body or {}), **members}
        if message_type == "preservation-notice" and "preserved_at" not in content:
            content["preserved_at"] = to_rfc3339(self.clock())
        if message_type == "ex-post-validation" and "validating_authority" not in content:
            judge = self.network["judge"]
            content["validating_authority"] = {
                "organisation": judge.organisation_id,
                "name": judge.name,
                "authority_type": "investigating_judge",
                "country": "FR",
            }
        if message_type == "production-request-confirmation" and "issued_on" not in content:
            content["issued_on"] = self.clock().date().isoformat()
        jws = party.sign(message_type, content, to, in_reply_to=in_reply_to or self.certificate_id(order))
        return self.client.post(
            f"/api/v1/orders/{order['id']}/{path}",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )

    def send(self, handle: str, order: dict[str, Any], message_type: str, body: Any = None, **kw: Any) -> Any:
        """An accepted step: 201, one `order.<type>` log entry and one outbox row per endpoint more."""
        self.fresh(handle)
        before = self.snapshot(order)
        answer = self.post(handle, order, message_type, body, **kw)
        assert answer.status_code == 201, answer.get_json()
        after = self.snapshot(order)
        action = f"order.{message_type}"
        assert after["actions"].count(action) == before["actions"].count(action) + 1
        assert after["outbox"].count(action) == before["outbox"].count(action) + self.endpoints()
        assert after["messages"] == before["messages"] + 1
        return answer.get_json()

    def refuse(
        self,
        handle: str,
        order: dict[str, Any],
        message_type: str,
        body: Any = None,
        *,
        status: int,
        problem: str,
        **kw: Any,
    ) -> dict[str, Any]:
        """A refused step: the problem named, and nothing changed anywhere."""
        self.fresh(handle)
        before = self.snapshot(order)
        answer = self.post(handle, order, message_type, body, **kw)
        document = answer.get_json()
        assert answer.status_code == status, document
        assert answer.mimetype == "application/problem+json"
        assert document["type"] == PROBLEM_BASE + problem, document
        assert self.snapshot(order) == before, "a refusal leaves nothing behind"
        return document

    # Reading back (from the database: an API read would log a view) ------------------------------

    def certificate_id(self, order: dict[str, Any]) -> str:
        with self.database.transaction() as session:
            stored = session.get_one(Order, uuid.UUID(order["id"]))
            return next(str(m.id) for m in stored.messages if m.message_type.value == stored.order_type.value)

    def message_id(self, order: dict[str, Any], message_type: str) -> str:
        with self.database.transaction() as session:
            stored = session.get_one(Order, uuid.UUID(order["id"]))
            return [str(m.id) for m in stored.messages if m.message_type.value == message_type][-1]

    def order(self, order: dict[str, Any]) -> Order:
        with self.database.transaction() as session:
            stored = session.get_one(Order, uuid.UUID(order["id"]))
            session.expunge(stored)
            return stored

    def state(self, order: dict[str, Any]) -> str:
        return self.order(order).state.value

    def clock_of(self, order: dict[str, Any], kind: Clock) -> OrderClock | None:
        with self.database.transaction() as session:
            row = session.scalar(
                sa.select(OrderClock).where(
                    OrderClock.order_id == uuid.UUID(order["id"]), OrderClock.kind == kind
                )
            )
            if row is not None:
                session.expunge(row)
            return row

    def clocks(self, order: dict[str, Any]) -> dict[str, str]:
        """kind -> status of every clock the order ever started."""
        with self.database.transaction() as session:
            rows = session.scalars(
                sa.select(OrderClock).where(OrderClock.order_id == uuid.UUID(order["id"]))
            ).all()
            return {row.kind.value: row.status for row in rows}

    def actions(self, order: dict[str, Any] | None = None) -> list[str]:
        """The log's actions about this order (or all of them), in log order."""
        with self.database.transaction() as session:
            return list(session.scalars(_actions(order)))

    def outbox(self, order: dict[str, Any]) -> list[str]:
        with self.database.transaction() as session:
            return list(session.scalars(_outbox(order)))

    def endpoints(self) -> int:
        """Active webhook endpoints: each step writes one outbox row per endpoint of the order's parties."""
        with self.database.transaction() as session:
            return session.scalar(
                sa.select(sa.func.count(WebhookEndpoint.id)).where(WebhookEndpoint.disabled_at.is_(None))
            )

    def snapshot(self, order: dict[str, Any]) -> dict[str, Any]:
        """Everything a step may change, read in one transaction (a round trip each on PostgreSQL)."""
        order_id = uuid.UUID(order["id"])
        counts = (
            sa.select(sa.func.count()).select_from(table).scalar_subquery()
            for table in (Message.__table__, AuditEntry.__table__, OutboxMessage.__table__)
        )
        with self.database.transaction() as session:
            stored = session.get_one(Order, order_id)
            messages, log_size, outbox_size = session.execute(sa.select(*counts)).one()
            clocks = session.scalars(sa.select(OrderClock).where(OrderClock.order_id == order_id))
            return {
                "state": stored.state.value,
                "resume_state": stored.resume_state,
                "deletion_required": stored.deletion_required,
                "transfer_released_at": stored.transfer_released_at,
                "enforcing_authority_id": stored.enforcing_authority_id,
                "messages": messages,
                "log size": log_size,
                "outbox size": outbox_size,
                "actions": list(session.scalars(_actions(order))),
                "outbox": list(session.scalars(_outbox(order))),
                "clocks": {row.kind: (row.status, row.due_at, row.paused_at, row.extended) for row in clocks},
            }


def _actions(order: dict[str, Any] | None) -> sa.Select[tuple[str]]:
    statement = sa.select(AuditEntry.action).order_by(AuditEntry.index)
    if order is None:
        return statement
    return statement.where(AuditEntry.object_type == "order", AuditEntry.object_id == order["id"])


def _outbox(order: dict[str, Any]) -> sa.Select[tuple[str]]:
    return (
        sa.select(OutboxMessage.event)
        .where(OutboxMessage.order_id == uuid.UUID(order["id"]))
        .order_by(OutboxMessage.created_at, OutboxMessage.event)
    )


@pytest.fixture
def flow(client: Any, network: Any, exchange: Any, clock: Any, database: Any, rows: Any) -> Flow:
    """The lifecycle driver, with a webhook registered for the provider so steps fill the outbox."""
    registered = client.post("/api/v1/webhooks", json={"url": HOOK}, headers=network["provider"].headers)
    assert registered.status_code == 201, registered.get_json()
    return Flow(client, network, exchange, clock, database, rows)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def work(database: Any, clock: Any, http: requests.Session) -> Callable[[], list[str]]:
    """One round of `broker worker` at the frozen clock's time, without deliveries: what it did."""

    def round_() -> list[str]:
        done: list[str] = []
        run_once(database, clock, None, http, done.append)
        return done

    return round_


@pytest.fixture
def at() -> Callable[[datetime], str]:
    return to_rfc3339
