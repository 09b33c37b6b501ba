"""Removal orders for the portal's tests (Regulation (EU) 2021/784): a video host and orders in each state.

The host's contact point in Ireland receives removal orders (Art. 15), as in tests/removal; the
orders are issued, taken and answered through the API, as the parties' own systems would.
"""

import uuid
from typing import Any

from broker.audit.operations import integrate_all
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role
from tests.removal.conftest import Removals

URL = "https://video.example.test/watch/8f3a2c"
NOW = "now"  # in a body below: the broker's time when it is sent
REMOVED = ("host", "removal-confirmation", {"action": "removed", "done_at": NOW})
INTENDED = ("enforcing", "removal-scrutiny-intention", {"grounds": ["charter"], "reasons": "Satire."})
# What is sent through the API before the answer under test: (handle, type, body) in order.
BEFORE: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "received": [],
    # Regulation (EU) 2021/784, Art. 4(4)-(7), 6(2): removed, the host State's intention, an infringement.
    "removed": [REMOVED],
    "intended": [REMOVED, INTENDED],
    "ceased": [
        REMOVED,
        INTENDED,
        ("enforcing", "removal-scrutiny-decision", {"finding": "infringement", "grounds": ["charter"]}),
    ],
    # Arts. 10-11: a complaint of the content provider awaits its outcome.
    "complained": [REMOVED, ("host", "removal-complaint", {"received_at": NOW})],
    "impossible": [
        ("host", "removal-impossibility", {"reason": "force_majeure", "explanation": "A flood."}),
    ],
    "clarification_requested": [
        (
            "host",
            "removal-clarification-request",
            {"reason": "manifest_error", "explanation": "No such video."},
        ),
    ],
}


def video_host(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    """The network with a video host whose Irish contact point receives removal orders (Art. 15)."""
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
    integrate_all(database)
    return Removals(exchange.client, network, clock, database, addressee_id)


def received(removals: Removals, setup: str = "received") -> dict[str, Any]:
    """An emergency removal order of one video, taken by the host, then answered as `setup` needs."""
    order = removals.issued(content=[{"url": URL, "identification": "The video at 02:10"}])
    answer = removals.client.post(
        f"/api/v1/orders/{order['id']}/receive", headers=removals.network["host"].headers
    )
    assert answer.status_code == 200, answer.get_json()
    order = answer.get_json()
    for handle, message_type, body in BEFORE[setup]:
        now = {name: removals.instant() for name, value in body.items() if value == NOW}
        removals.send(handle, order, message_type, **{**body, **now})
    return order
