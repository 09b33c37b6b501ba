"""Cross-border scrutiny of a removal order, Regulation (EU) 2021/784 Art. 4(3)-(7), through the API.

The host State's competent authority (Ireland's, `enforcing`) got its copy at issue (Art. 4(1)) and a 72-hour
window (Art. 4(3)). The provider, or the content provider through it, may ask it to scrutinise the order
within 48 hours (Art. 4(4), UNCONFIRMED): the window starts again, 72 hours from the request, and a decision
is then owed. Before finding an infringement the authority tells the issuer (Art. 4(5)); the finding ends
the order's legal effects (Art. 4(6)) and the provider reinstates the content (Art. 4(7)).
"""

import uuid
from datetime import timedelta
from typing import Any

import pytest

from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.lifecycle import Clock
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType
from broker.vocabulary import RemovalAddresseeType
from tests.removal.conftest import Removals

REQUEST_WINDOW, SCRUTINY = timedelta(hours=48), timedelta(hours=72)
INFRINGEMENT = {"finding": "infringement", "grounds": ["charter"]}


@pytest.mark.parametrize(
    ("after_receipt", "accepted"),
    [
        # Art. 4(4): "within 48 hours of receiving" the order; the 48th hour's last instant is in time.
        pytest.param(REQUEST_WINDOW - timedelta(seconds=1), True, id="48 hours minus 1 second"),
        pytest.param(REQUEST_WINDOW, True, id="exactly 48 hours"),
        pytest.param(REQUEST_WINDOW + timedelta(seconds=1), False, id="48 hours and 1 second"),
    ],
)
def test_the_provider_asks_within_48_hours_of_receipt(
    removals: Removals, after_receipt: timedelta, accepted: bool
) -> None:
    order = removals.received()
    removals.clock.advance(seconds=after_receipt.total_seconds())
    if not accepted:
        removals.refused("host", order, "removal-scrutiny-request", 409, "transition-not-allowed")
        return
    sent = removals.send("host", order, "removal-scrutiny-request")
    assert sent["state"] == "received", "a request changes no state: the hour runs on (Art. 4(2))"


def test_a_request_goes_to_the_host_state_and_owes_a_decision_within_72_hours(removals: Removals) -> None:
    """Art. 4(4): the host State's authority decides within 72 hours of receiving the request."""
    order = removals.removed()
    removals.clock.advance(hours=30)
    sent = removals.send("host", order, "removal-scrutiny-request")
    request = next(m for m in sent["messages"] if m["type"] == "removal-scrutiny-request")
    assert request["recipient"] == order["enforcing_authority"]["id"]
    window = removals.clock_of(order, Clock.SCRUTINY)
    assert window is not None and window.status == RUNNING
    assert window.due_at == removals.clock() + SCRUTINY
    assert window.cause == "removal-scrutiny-request"
    # Missed, the decision is a breach the worker records (the copy's own window is not: test_scrutiny_window).
    removals.clock.advance(seconds=SCRUTINY.total_seconds())
    assert any(line.startswith("deadline.missed: scrutiny") for line in removals.work())
    window = removals.clock_of(order, Clock.SCRUTINY)
    assert window is not None and (window.status, window.breached) == (FIRED, True)
    # The decision it still owes is taken late, and recorded.
    decided = removals.send("enforcing", sent, "removal-scrutiny-decision")
    assert decided["state"] == "removed"
    assert "deadline.missed" in removals.events(order)


def test_a_domestic_order_has_no_one_to_scrutinise_it(removals: Removals, network: Any) -> None:
    """Art. 4(1), (4): only a cross-border order has a host State; the request is refused, with why."""
    removals.addressee = domestic_contact_point(removals, network)
    order = removals.received()
    assert order["enforcing_authority"] is None
    answer = removals.post("host", order, "removal-scrutiny-request")
    assert answer.status_code == 409, answer.get_json()
    assert "Art. 4(1), (4)" in answer.get_json()["detail"]


def domestic_contact_point(removals: Removals, network: Any) -> str:
    """The video host's Paris contact point: an order from Paris to it stays in France."""
    with removals.database.transaction() as session:
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
        return str(paris.id)


def test_the_content_provider_asks_within_48_hours_of_its_information(removals: Removals) -> None:
    """Art. 4(4): the content provider's 48 hours run from the Art. 11(2) information, relayed by the provider."""
    order = removals.removed()
    removals.clock.advance(hours=60)  # the provider's own 48 hours are over
    removals.refused("host", order, "removal-scrutiny-request", 409, "transition-not-allowed")
    informed = removals.instant(hours=-47)
    sent = removals.send(
        "host",
        order,
        "removal-scrutiny-request",
        requested_by="content_provider",
        information_received_at=informed,
    )
    assert sent["state"] == "removed"
    # Once each: the content provider has asked.
    removals.refused(
        "host",
        order,
        "removal-scrutiny-request",
        409,
        "transition-not-allowed",
        requested_by="content_provider",
        information_received_at=informed,
    )


@pytest.mark.parametrize(
    ("informed", "problem"),
    [
        pytest.param({"hours": 1}, "validation-error", id="information in the future"),
        pytest.param({"hours": -49}, "transition-not-allowed", id="information 49 hours ago"),
    ],
)
def test_the_content_provider_s_time_is_checked(
    removals: Removals, informed: dict[str, float], problem: str
) -> None:
    order = removals.removed()
    removals.clock.advance(hours=50)
    status = 422 if problem == "validation-error" else 409
    removals.refused(
        "host",
        order,
        "removal-scrutiny-request",
        status,
        problem,
        requested_by="content_provider",
        information_received_at=removals.instant(**informed),
    )


def test_no_infringement_ends_the_window_and_the_order_stands(removals: Removals) -> None:
    """Art. 4(3)-(4): the order keeps its effects; the hour still runs if the content is still up."""
    order = removals.received()
    decided = removals.send("enforcing", order, "removal-scrutiny-decision")
    assert decided["state"] == "received"
    window = removals.clock_of(order, Clock.SCRUTINY)
    assert window is not None and window.status == STOPPED
    assert removals.hour(order).status == RUNNING
    decision = next(m for m in decided["messages"] if m["type"] == "removal-scrutiny-decision")
    assert decision["recipient"] == order["issuing_authority"]["id"]


def test_an_infringement_is_found_only_after_the_issuer_was_told(removals: Removals) -> None:
    """Art. 4(5): the intention and its reasons go to the issuer before the decision."""
    order = removals.removed()
    removals.refused(
        "enforcing", order, "removal-scrutiny-decision", 409, "transition-not-allowed", **INFRINGEMENT
    )
    told = removals.send("enforcing", order, "removal-scrutiny-intention")
    assert told["state"] == "removed"
    ceased = removals.send("enforcing", told, "removal-scrutiny-decision", **INFRINGEMENT)
    assert ceased["state"] == "ceased"
    window = removals.clock_of(order, Clock.SCRUTINY)
    assert window is not None and window.status == STOPPED
    # Art. 4(7): the provider reinstates and says when; nothing removed is left to preserve.
    reinstated = removals.send("host", ceased, "removal-reinstatement", done_at=removals.instant())
    assert reinstated["state"] == "reinstated"
    preservation = removals.clock_of(order, Clock.CONTENT_PRESERVATION)
    assert preservation is not None and preservation.status == STOPPED
    events = removals.events(order, "enforcing")
    for action in (
        "order.removal-scrutiny-intention",
        "order.removal-scrutiny-decision",
        "order.removal-reinstatement",
    ):
        assert action in events


def test_an_infringement_before_removal_stops_the_hour_and_leaves_nothing_to_reinstate(
    removals: Removals,
) -> None:
    """Art. 4(6): the order ceases to have legal effects, so the hour no longer binds the provider."""
    order = removals.received()
    removals.send("enforcing", order, "removal-scrutiny-intention")
    ceased = removals.send("enforcing", order, "removal-scrutiny-decision", **INFRINGEMENT)
    assert ceased["state"] == "ceased"
    assert removals.hour(order).status == STOPPED
    removals.clock.advance(hours=2)
    assert not any(line.startswith("deadline.missed: removal") for line in removals.work())
    removals.refused(
        "host", ceased, "removal-reinstatement", 409, "transition-not-allowed", done_at=removals.instant()
    )
    removals.refused(
        "host", ceased, "removal-confirmation", 409, "transition-not-allowed", done_at=removals.instant()
    )


def test_after_its_own_window_the_host_state_may_not_decide(removals: Removals) -> None:
    """Art. 4(3): on its own initiative only within 72 hours of receiving the copy."""
    order = removals.removed()
    removals.clock.advance(seconds=SCRUTINY.total_seconds())
    removals.refused("enforcing", order, "removal-scrutiny-intention", 409, "transition-not-allowed")
    removals.refused("enforcing", order, "removal-scrutiny-decision", 409, "transition-not-allowed")


@pytest.mark.parametrize(
    ("handle", "message_type", "members"),
    [
        pytest.param("prosecutor", "removal-scrutiny-decision", {}, id="the issuer does not decide"),
        pytest.param("host", "removal-scrutiny-intention", {}, id="the provider does not intend"),
        pytest.param("enforcing", "removal-scrutiny-request", {}, id="the host State does not ask itself"),
    ],
)
def test_only_the_side_the_regulation_names_sends_each_step(
    removals: Removals, handle: str, message_type: str, members: dict[str, Any]
) -> None:
    order = removals.received()
    removals.refused(handle, order, message_type, 403, "forbidden", **members)


def test_a_reinstatement_must_not_lie_in_the_future(removals: Removals) -> None:
    order = removals.removed()
    removals.send("enforcing", order, "removal-scrutiny-intention")
    ceased = removals.send("enforcing", order, "removal-scrutiny-decision", **INFRINGEMENT)
    removals.refused(
        "host", ceased, "removal-reinstatement", 422, "validation-error", done_at=removals.instant(minutes=5)
    )
