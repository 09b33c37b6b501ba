"""Removal orders through the API: a hosting provider with a contact point, and a driver for the steps.

The test network's provider receives certificates at a designated establishment in Ireland; here a
second provider, a video host, registers a contact point for removal orders (Art. 15) in Ireland, so
an order from Paris is cross-border and Ireland's competent authority gets its copy (Art. 4(1)).
"""

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from broker.clock import to_rfc3339
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import User
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AddresseeType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role
from broker.workflow.operations.due import fire_next
from tests.removal import examples

JUSTIFIED = "A live-streamed attack is being shared right now."
ANSWERS: dict[str, Any] = {
    "removal-confirmation": examples.removal_confirmation,
    "removal-impossibility": examples.removal_impossibility,
    "impossibility-ceased": examples.impossibility_ceased,
    "removal-clarification-request": examples.removal_clarification_request,
    "removal-clarification": examples.removal_clarification,
    "removal-scrutiny-request": examples.removal_scrutiny_request,
    "removal-scrutiny-intention": examples.removal_scrutiny_intention,
    "removal-scrutiny-decision": examples.removal_scrutiny_decision,
    "removal-reinstatement": examples.removal_reinstatement,
    "removal-preservation-extension": examples.removal_preservation_extension,
    "content-provider-information": examples.content_provider_information,
    "removal-withholding": examples.removal_withholding,
    "removal-complaint": examples.removal_complaint,
    "removal-complaint-outcome": examples.removal_complaint_outcome,
}
# Art. 4(4) of Regulation (EU) 2021/784: a request for scrutiny goes to the host State's authority.
TO_THE_HOST_STATE = {"removal-scrutiny-request"}


class Removals:
    """Drafts, issues and answers removal orders as the parties' own systems would."""

    def __init__(self, client: Any, network: Any, clock: Any, database: Any, addressee: str) -> None:
        self.client, self.network, self.clock, self.database = client, network, clock, database
        self.addressee = addressee

    def draft(self, author: str = "prosecutor", **changes: Any) -> Any:
        """POST the draft; the answer as it came."""
        draft = examples.removal_order()
        del draft["issuing_authority"], draft["withholding"]
        draft.update(addressee=self.addressee, issuing_authority={"file_number": "TCO-2026-7"}, **changes)
        return self.client.post(
            "/api/v1/orders",
            json={"order_type": "removal-order", "certificate": draft},
            headers=self.network[author].headers,
        )

    def issued(self, **changes: Any) -> dict[str, Any]:
        """An emergency order (the first to this provider: no notice of procedures is needed, Art. 3(2))."""
        drafted = self.draft(emergency=True, emergency_justification=JUSTIFIED, **changes)
        assert drafted.status_code == 201, drafted.get_json()
        order = drafted.get_json()
        assert order["checks"]["blocking"] is False, order["checks"]["findings"]
        party = self.network["prosecutor"]
        jws = party.sign("removal-order", order["certificate"], order["provider"]["id"])
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/issue",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )
        assert answer.status_code == 200, answer.get_json()
        issued: dict[str, Any] = answer.get_json()
        return issued

    def received(self) -> dict[str, Any]:
        order = self.issued()
        answer = self.client.post(
            f"/api/v1/orders/{order['id']}/receive", headers=self.network["host"].headers
        )
        assert answer.status_code == 200, answer.get_json()
        received: dict[str, Any] = answer.get_json()
        return received

    def post(self, handle: str, order: dict[str, Any], message_type: str, **members: Any) -> Any:
        """A signed message from `handle` to the order's other side, in reply to the order itself; a member
        given as None is left out of the example's body."""
        party = self.network[handle]
        issuer, provider = order["issuing_authority"]["id"], order["provider"]["id"]
        to = provider if party.organisation_id == issuer else issuer
        if message_type in TO_THE_HOST_STATE and order["enforcing_authority"] is not None:
            to = order["enforcing_authority"]["id"]
        body = {
            name: value for name, value in {**ANSWERS[message_type](), **members}.items() if value is not None
        }
        first = next(m["id"] for m in order["messages"] if m["type"] == order["order_type"])
        jws = party.sign(message_type, body, to, in_reply_to=first)
        return self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )

    def send(self, handle: str, order: dict[str, Any], message_type: str, **members: Any) -> dict[str, Any]:
        answer = self.post(handle, order, message_type, **members)
        assert answer.status_code == 201, answer.get_json()
        sent: dict[str, Any] = answer.get_json()
        return sent

    def refused(
        self, handle: str, order: dict[str, Any], message_type: str, status: int, problem: str, **members: Any
    ) -> None:
        answer = self.post(handle, order, message_type, **members)
        assert answer.status_code == status, answer.get_json()
        assert answer.get_json()["type"] == PROBLEM_BASE + problem, answer.get_json()

    def hour(self, order: dict[str, Any]) -> OrderClock:
        """The order's removal clock as stored."""
        row = self.clock_of(order, Clock.REMOVAL)
        assert row is not None
        return row

    def clock_of(self, order: dict[str, Any], kind: Clock) -> OrderClock | None:
        """One clock of the order as stored, or None if it never started."""
        with self.database.transaction() as session:
            row = session.scalars(
                sa.select(OrderClock).where(
                    OrderClock.order_id == uuid.UUID(order["id"]), OrderClock.kind == kind
                )
            ).one_or_none()
            if row is not None:
                session.expunge(row)
            return row

    def removed(self, minutes: float = 20) -> dict[str, Any]:
        """A received order, removed `minutes` after receipt (Art. 3(3), (6))."""
        order = self.received()
        self.clock.advance(minutes=minutes)
        return self.send("host", order, "removal-confirmation", done_at=self.instant())

    def events(self, order: dict[str, Any], handle: str = "prosecutor") -> list[str]:
        """The audit-log actions on the order's timeline, as `handle` reads them."""
        answer = self.client.get(
            f"/api/v1/orders/{order['id']}/timeline", headers=self.network[handle].headers
        )
        assert answer.status_code == 200, answer.get_json()
        return [event["action"] for event in answer.get_json()["events"]]

    def stored(self, order: dict[str, Any]) -> Order:
        with self.database.transaction() as session:
            row = session.get_one(Order, uuid.UUID(order["id"]))
            session.expunge(row)
            return row

    def work(self) -> list[str]:
        """What the worker does now, one due clock per transaction, until nothing is due."""
        done = []
        while True:
            with self.database.transaction() as session:
                fired = fire_next(session, self.clock)
            if fired is None:
                return done
            done.append(fired)

    def later(self, **delta: float) -> None:
        """Move the clock on by more than a token lives (30 days), and give every party a fresh token."""
        self.clock.advance(**delta)
        with self.database.transaction() as session:
            for handle, party in self.network.parties.items():
                user = session.scalars(sa.select(User).where(User.email == f"{handle}@example.test")).one()
                _, party.token = operations.issue_token(
                    session, self.clock, user=user, label="later", lifetime=timedelta(days=30)
                )

    def instant(self, **delta: float) -> str:
        """The wire form of now plus `delta` (negative to look back)."""
        return to_rfc3339(self.clock() + timedelta(**delta))


@pytest.fixture
def removals(client: Any, network: Any, clock: Any, database: Any) -> Removals:
    """The network with a video host whose Irish contact point receives removal orders."""
    host = network.add("host", "Example Video", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER)
    with database.transaction() as session:
        addressee = operations.add_addressee(
            session,
            clock,
            provider=session.get_one(Organisation, uuid.UUID(host.organisation_id)),
            addressee_type=AddresseeType.LEGAL_REPRESENTATIVE,
            name="Example Video contact point",
            country="IE",
            address="2 Example Quay, Dublin 2",
            email="tco@video.test",
            emergency_contact="+353 1 000 0888",
            languages=["en"],
            removal_role=RemovalAddresseeType.CONTACT_POINT,
        )
        addressee_id = str(addressee.id)
    return Removals(client, network, clock, database, addressee_id)
