"""A removal order end to end through the API: drafted, checked, issued with its Art. 4 copy, received,
answered, and its hour fired by the worker strictly after its last instant (Regulation (EU) 2021/784)."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from broker.clocks.models import FIRED
from broker.clocks.models import PAUSED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.reports.models import CountedOrder
from tests.removal.conftest import Removals

HOUR = {"hours": 1}
ONE_HOUR = timedelta(hours=1)


def rules(order: dict[str, Any]) -> set[str]:
    return {finding["rule_id"] for finding in order["checks"]["findings"]}


def test_a_first_order_without_notice_or_emergency_waits_for_the_notice(removals: Removals) -> None:
    """TCO-04, Art. 3(2): no notice of procedures is recorded, so the finding says which data it needs."""
    order = removals.draft().get_json()
    assert order["order_type"] == "removal-order" and order["state"] == "draft"
    assert order["checks"]["blocking"] is True
    (finding,) = order["checks"]["findings"]
    assert finding["rule_id"] == "TCO-04" and finding["missing_data"] is True
    assert finding["citation"] == "Regulation (EU) 2021/784, Art. 3(2)"


def test_the_draft_is_completed_from_the_registry(removals: Removals, network: Any) -> None:
    order = removals.draft(emergency=True, emergency_justification="Now.").get_json()
    certificate = order["certificate"]
    assert certificate["issuing_authority"]["organisation"] == network["prosecutor"].organisation_id
    assert certificate["addressee"]["addressee_type"] == "contact_point"
    assert certificate["addressee"]["id"] == removals.addressee
    assert order["instrument"] == "reg-2021-784"
    assert order["checks"]["derived"]["scrutiny_state"] == "IE"


def test_the_contents_rules_run_on_the_draft(removals: Removals) -> None:
    """TCO-05, Annex I (c): each URL once."""
    url = {"url": "https://video.example.test/watch/1"}
    order = removals.draft(emergency=True, emergency_justification="Now.", content=[url, url]).get_json()
    assert "TCO-05" in rules(order) and order["checks"]["blocking"] is True


def test_an_addressee_without_a_removal_role_is_refused(removals: Removals, network: Any) -> None:
    removals.addressee = network.addressees["provider"]  # a designated establishment for EPOCs only
    answer = removals.draft(emergency=True, emergency_justification="Now.")
    assert answer.status_code == 422, answer.get_json()
    assert "does not receive removal orders" in str(answer.get_json()["errors"])


def test_a_bad_draft_is_refused_with_the_member_named(removals: Removals) -> None:
    answer = removals.draft(reasons={"material_types": ["propaganda"], "statement": "x"})
    assert answer.status_code == 422
    assert "material_types" in str(answer.get_json()["errors"])


def test_issuing_copies_the_host_states_authority_and_counts_in_no_certificate_report(
    removals: Removals, network: Any, database: Any
) -> None:
    """TCO-11, Art. 4(1): Ireland's competent authority becomes a party at the instant of issue."""
    order = removals.issued()
    assert order["state"] == "issued"
    assert order["enforcing_authority"]["id"] == network["enforcing"].organisation_id
    seen = removals.client.get(f"/api/v1/orders/{order['id']}", headers=network["enforcing"].headers)
    assert seen.status_code == 200 and seen.get_json()["order_type"] == "removal-order"
    with database.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CountedOrder)) == 0


def test_the_hour_runs_from_receipt_and_includes_its_last_instant(removals: Removals) -> None:
    order = removals.received()
    hour = removals.hour(order)
    assert hour.status == RUNNING and hour.due_at == removals.stored(order).received_at + ONE_HOUR
    removals.clock.advance(**HOUR)
    assert not [done for done in removals.work() if "deadline.missed" in done]
    assert removals.hour(order).status == RUNNING, "exactly one hour is still in time"
    removals.clock.advance(microseconds=1)
    assert any(done.startswith("deadline.missed: removal") for done in removals.work())
    breached = removals.hour(order)
    assert breached.status == FIRED and breached.breached
    assert removals.stored(order).state.value == "received", "a missed hour leaves the order open"


def test_removal_within_the_hour_stops_the_clock(removals: Removals) -> None:
    order = removals.received()
    removals.clock.advance(minutes=40)
    answered = removals.send("host", order, "removal-confirmation", done_at=removals.instant(minutes=-5))
    assert answered["state"] == "removed"
    hour = removals.hour(order)
    assert hour.status == STOPPED and not hour.breached
    removals.clock.advance(hours=2)
    assert not [done for done in removals.work() if "deadline.missed" in done]


def test_a_removal_reported_late_is_a_breach_even_before_the_worker_ran(removals: Removals) -> None:
    order = removals.received()
    removals.clock.advance(minutes=90)
    removals.send("host", order, "removal-confirmation", done_at=removals.instant(minutes=-10))
    hour = removals.hour(order)
    assert hour.status == STOPPED and hour.breached


def test_a_removal_in_the_future_is_refused(removals: Removals) -> None:
    order = removals.received()
    removals.refused(
        "host", order, "removal-confirmation", 422, "validation-error", done_at=removals.instant(minutes=5)
    )


def test_an_impossibility_holds_the_hour_and_its_end_starts_a_full_one(removals: Removals) -> None:
    """TCO-08, Art. 3(7): the hour starts to run again from the instant the reasons ceased."""
    order = removals.received()
    removals.clock.advance(minutes=50)
    assert removals.send("host", order, "removal-impossibility")["state"] == "impossible"
    assert removals.hour(order).status == PAUSED
    removals.clock.advance(hours=5)
    assert not removals.work(), "a held hour never fires"
    removals.refused(
        "host", order, "impossibility-ceased", 422, "validation-error", ceased_at=removals.instant(minutes=1)
    )
    removals.refused(
        "host", order, "impossibility-ceased", 422, "validation-error", ceased_at=removals.instant(hours=-6)
    )
    ceased = removals.instant(minutes=-30)
    assert removals.send("host", order, "impossibility-ceased", ceased_at=ceased)["state"] == "received"
    hour = removals.hour(order)
    assert hour.status == RUNNING
    assert hour.due_at == removals.clock() + timedelta(minutes=30)


def test_a_clarification_holds_the_hour_and_its_receipt_starts_a_full_one(removals: Removals) -> None:
    """TCO-09, Art. 3(8)."""
    order = removals.received()
    removals.clock.advance(minutes=20)
    assert removals.send("host", order, "removal-clarification-request")["state"] == "clarification_requested"
    removals.clock.advance(hours=3)
    assert removals.send("prosecutor", order, "removal-clarification")["state"] == "received"
    assert removals.hour(order).due_at == removals.clock() + ONE_HOUR


def test_who_may_send_what_is_the_removal_table(removals: Removals) -> None:
    order = removals.received()
    removals.refused("prosecutor", order, "removal-confirmation", 403, "forbidden")
    removals.refused("prosecutor", order, "removal-clarification", 409, "transition-not-allowed")
    removals.refused("enforcing", order, "removal-confirmation", 403, "forbidden")


def test_a_removal_message_never_reaches_an_epoc(removals: Removals, exchange: Any, network: Any) -> None:
    """The two families share the inbound path; the lifecycle table keeps each to its own orders."""
    epoc = exchange.receive(exchange.issue(exchange.draft()))
    answer = removals.post("provider", epoc, "removal-confirmation")
    assert answer.status_code == 409, answer.get_json()
    assert "an epoc has no 'removal-confirmation' step" in answer.get_json()["detail"]


def test_an_epoc_message_never_reaches_a_removal_order(removals: Removals, network: Any) -> None:
    order = removals.received()
    party = network["host"]
    first = next(m["id"] for m in order["messages"] if m["type"] == "removal-order")
    jws = party.sign("acknowledgement", {}, order["issuing_authority"]["id"], in_reply_to=first)
    answer = removals.client.post(
        f"/api/v1/orders/{order['id']}/messages",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    assert answer.status_code == 409, answer.get_json()
    assert "a removal order has no 'acknowledgement' step" in answer.get_json()["detail"]
