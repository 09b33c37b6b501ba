"""The host State's scrutiny window of Regulation (EU) 2021/784, Art. 4(2): a cross-border removal order
gives the competent authority that gets its copy (Art. 4(1)) 72 hours from that instant, as a clock of
the order that the worker closes; a domestic order has none, and the hour and the window run apart."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType
from broker.vocabulary import RemovalAddresseeType
from tests.removal.conftest import Removals

WINDOW = timedelta(hours=72)


def scrutiny(removals: Removals, order: dict[str, Any]) -> OrderClock | None:
    with removals.database.transaction() as session:
        row = session.scalars(
            sa.select(OrderClock).where(
                OrderClock.order_id == uuid.UUID(order["id"]), OrderClock.kind == Clock.SCRUTINY
            )
        ).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def test_the_copy_opens_a_72_hour_window_from_the_instant_of_issue(removals: Removals, network: Any) -> None:
    """Art. 4(1)-(2): the copy goes at the instant of issue, and the window runs from it."""
    order = removals.issued()
    window = scrutiny(removals, order)
    assert window is not None and window.status == RUNNING
    assert window.due_at == removals.stored(order).issued_at + WINDOW
    assert "Art. 4(1)-(2)" in window.cause
    timeline = removals.client.get(
        f"/api/v1/orders/{order['id']}/timeline", headers=network["enforcing"].headers
    ).get_json()
    assert "scrutiny" in {clock["kind"] for clock in timeline["clocks"]}


@pytest.mark.parametrize(
    ("after_issue", "closed"),
    [
        # Art. 4(2): "within 72 hours of receiving the copy"; a window closes at its due time.
        pytest.param(WINDOW - timedelta(microseconds=1), False, id="72 hours minus 1 microsecond: open"),
        pytest.param(WINDOW, True, id="exactly 72 hours: closed"),
        pytest.param(WINDOW + timedelta(seconds=1), True, id="72 hours and 1 second: closed"),
    ],
)
def test_the_worker_closes_the_window_at_72_hours(
    removals: Removals, after_issue: timedelta, closed: bool
) -> None:
    order = removals.issued()
    removals.clock.advance(seconds=after_issue.total_seconds())
    done = removals.work()
    assert any(line.startswith("scrutiny_window.closed: scrutiny") for line in done) is closed, done
    window = scrutiny(removals, order)
    assert window is not None
    assert (window.status, window.breached) == ((FIRED, False) if closed else (RUNNING, False))
    assert removals.stored(order).state.value == "issued", "closing the window changes no state"


def test_the_hour_and_the_window_run_apart(removals: Removals) -> None:
    """Art. 3(3) and 4(2): removal within the hour stops the hour; the host State may still scrutinise."""
    order = removals.received()
    removals.clock.advance(minutes=20)
    removals.send("host", order, "removal-confirmation", done_at=removals.instant())
    assert removals.hour(order).status == STOPPED
    window = scrutiny(removals, order)
    assert window is not None and window.status == RUNNING


def test_a_domestic_order_has_no_scrutiny_window(removals: Removals, network: Any, database: Any) -> None:
    """Art. 4(1): only an order to a provider established in another Member State is copied."""
    with database.transaction() as session:
        paris = operations.add_addressee(
            session,
            removals.clock,
            provider=session.get_one(Organisation, uuid.UUID(network["host"].organisation_id)),
            addressee_type=AddresseeType.LEGAL_REPRESENTATIVE,
            name="Example Video, Paris contact point",
            country="FR",
            address="3 rue d'Exemple, 75002 Paris",
            email="tco-fr@video.test",
            emergency_contact="+33 1 00 00 08 88",
            languages=["fr"],
            removal_role=RemovalAddresseeType.CONTACT_POINT,
        )
        removals.addressee = str(paris.id)
    order = removals.issued()
    assert order["enforcing_authority"] is None
    assert scrutiny(removals, order) is None
