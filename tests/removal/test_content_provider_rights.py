"""The content provider's rights on a removal order, Regulation (EU) 2021/784 Arts. 10-11, through the API.

The provider tells the issuing authority, in signed messages, that it informed the content provider (Art.
11(1)-(2)), and that it received a complaint and gave its outcome (Art. 10). The issuing authority may decide
that nothing be disclosed for at most 6 weeks, and renew it by 6 weeks (Art. 11(3), UNCONFIRMED): a clock of
its own, started at receipt where Annex I (g) decided it, ended by the worker without a breach. A complaint's
outcome is due within two weeks (UNCONFIRMED), its last instant in time. The broker never holds the content.
"""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest

from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.lifecycle import Clock
from tests.removal.conftest import Removals

SIX_WEEKS, TWO_WEEKS = timedelta(weeks=6), timedelta(weeks=2)
SECOND = timedelta(seconds=1)


def _informed(removals: Removals, order: dict[str, Any], **members: Any) -> Any:
    """The provider's Art. 11 information, made available now, as it came back."""
    return removals.post(
        "host", order, "content-provider-information", **{"informed_at": removals.instant(), **members}
    )


def _withheld(removals: Removals, order: dict[str, Any], decision: str, until: timedelta) -> Any:
    """The issuer's Art. 11(3) decision (or renewal) until now plus `until`."""
    return removals.post(
        "prosecutor",
        order,
        "removal-withholding",
        decision=decision,
        until=removals.instant(seconds=until.total_seconds()),
    )


def test_the_provider_records_that_it_informed_the_content_provider(removals: Removals) -> None:
    """Art. 11(1)-(2): after removal, to the issuing authority; the state stays, nothing is held but the words."""
    order = removals.removed()
    answer = _informed(removals, order)
    assert answer.status_code == 201, answer.get_json()
    sent = answer.get_json()
    assert sent["state"] == "removed"
    information = next(m for m in sent["messages"] if m["type"] == "content-provider-information")
    assert information["recipient"] == order["issuing_authority"]["id"]


def test_nothing_is_told_before_the_content_is_removed(removals: Removals) -> None:
    """Art. 11(1): the information is on a removal that happened."""
    order = removals.received()
    removals.refused("host", order, "content-provider-information", 409, "transition-not-allowed")


def test_only_the_provider_informs(removals: Removals) -> None:
    order = removals.removed()
    removals.refused("prosecutor", order, "content-provider-information", 403, "forbidden")


def test_information_in_the_future_is_refused(removals: Removals) -> None:
    order = removals.removed()
    answer = _informed(removals, order, informed_at=removals.instant(minutes=5))
    assert answer.status_code == 422, answer.get_json()


@pytest.mark.parametrize(
    ("until", "status"),
    [
        # Art. 11(3): "not exceeding six weeks from that decision" (UNCONFIRMED); the last instant is allowed.
        pytest.param(SIX_WEEKS, 201, id="exactly 6 weeks"),
        pytest.param(SIX_WEEKS - SECOND, 201, id="6 weeks minus 1 second"),
        pytest.param(SIX_WEEKS + SECOND, 422, id="6 weeks and 1 second"),
        pytest.param(timedelta(0), 422, id="ending now"),
    ],
)
def test_a_withholding_lasts_at_most_six_weeks_from_the_decision(
    removals: Removals, until: timedelta, status: int
) -> None:
    order = removals.received()
    answer = _withheld(removals, order, "withhold", until)
    assert answer.status_code == status, answer.get_json()
    if status == 201:
        clock = removals.clock_of(order, Clock.WITHHOLDING)
        assert clock is not None and clock.status == RUNNING
        assert clock.due_at == removals.clock() + until


def test_while_withheld_the_provider_tells_nothing_and_then_the_worker_ends_it(removals: Removals) -> None:
    """Art. 11(3): refused with the rule's citation until the end; the end is recorded, not a breach."""
    order = removals.removed()
    _withheld(removals, order, "withhold", timedelta(days=10))
    removals.clock.advance(days=10, seconds=-1)
    refused = _informed(removals, order)
    assert refused.status_code == 409, refused.get_json()
    assert "Art. 11(3)" in refused.get_json()["detail"] and "TCO-17" in refused.get_json()["detail"]
    assert not any(line.startswith("withholding.ended") for line in removals.work())
    removals.clock.advance(seconds=1)
    assert any(line.startswith("withholding.ended: withholding") for line in removals.work())
    clock = removals.clock_of(order, Clock.WITHHOLDING)
    assert clock is not None and (clock.status, clock.breached) == (FIRED, False)
    assert "withholding.ended" in removals.events(order)
    told = _informed(removals, order)
    assert told.status_code == 201, told.get_json()
    # An instant inside the withholding is not one at which the content provider may have been told.
    late = _informed(removals, order, informed_at=removals.instant(days=-2))
    assert late.status_code == 422, late.get_json()
    assert "informed_at" in late.get_json()["errors"]["body"]


def test_a_renewal_adds_at_most_six_weeks_once_while_the_withholding_runs(removals: Removals) -> None:
    """Art. 11(3): "a further six weeks" while non-disclosure is still justified (UNCONFIRMED: once)."""
    order = removals.received()
    _withheld(removals, order, "withhold", SIX_WEEKS)
    first_end = removals.clock() + SIX_WEEKS
    removals.later(weeks=5)
    too_long = _withheld(
        removals, order, "renew", timedelta(weeks=7, seconds=1)
    )  # 6 weeks + 1 s past the end
    assert too_long.status_code == 422, too_long.get_json()
    renewed = _withheld(removals, order, "renew", timedelta(weeks=7))
    assert renewed.status_code == 201, renewed.get_json()
    clock = removals.clock_of(order, Clock.WITHHOLDING)
    assert clock is not None and clock.due_at == first_end + SIX_WEEKS and clock.extended
    again = _withheld(removals, order, "renew", timedelta(weeks=8))
    assert again.status_code == 409, again.get_json()
    # A second decision is a renewal, not a fresh six weeks.
    fresh = _withheld(removals, order, "withhold", timedelta(weeks=1))
    assert fresh.status_code == 409, fresh.get_json()


def test_a_renewal_needs_a_running_withholding(removals: Removals) -> None:
    order = removals.received()
    answer = _withheld(removals, order, "renew", timedelta(weeks=1))
    assert answer.status_code == 409, answer.get_json()
    assert "never taken" in answer.get_json()["detail"]


def test_nothing_is_withheld_once_the_content_provider_was_told(removals: Removals) -> None:
    order = removals.removed()
    assert _informed(removals, order).status_code == 201
    answer = _withheld(removals, order, "withhold", timedelta(weeks=1))
    assert answer.status_code == 409, answer.get_json()


def test_only_the_issuing_authority_withholds(removals: Removals) -> None:
    order = removals.received()
    removals.refused("host", order, "removal-withholding", 403, "forbidden")


def test_annex_i_withholding_starts_its_clock_at_receipt(removals: Removals) -> None:
    """Annex I (g), Art. 11(3): the order's own decision binds the provider from receipt to its day (00:00 UTC)."""
    day = (removals.clock() + timedelta(days=20)).date()
    order = removals.issued(
        withholding={"until": day.isoformat(), "reasons": "The uploader is under surveillance."}
    )
    received = removals.client.post(
        f"/api/v1/orders/{order['id']}/receive", headers=removals.network["host"].headers
    )
    assert received.status_code == 200, received.get_json()
    clock = removals.clock_of(order, Clock.WITHHOLDING)
    assert clock is not None and clock.status == RUNNING
    assert clock.due_at == datetime.combine(day, time(), UTC)
    assert clock.cause == "Annex I (g) of the removal order"
    removed = removals.send("host", received.get_json(), "removal-confirmation", done_at=removals.instant())
    assert _informed(removals, removed).status_code == 409
    # Annex I's decision is the first: the authority renews it rather than deciding again.
    assert _withheld(removals, removed, "withhold", timedelta(weeks=1)).status_code == 409
    renewed = removals.post(
        "prosecutor",
        removed,
        "removal-withholding",
        decision="renew",
        until=(datetime.combine(day, time(), UTC) + timedelta(weeks=2)).isoformat(),
    )
    assert renewed.status_code == 201, renewed.get_json()


@pytest.mark.parametrize(
    ("after", "late"),
    [
        # Art. 10(2): "within two weeks" (UNCONFIRMED); the last instant is in time.
        pytest.param(TWO_WEEKS - SECOND, False, id="two weeks minus 1 second"),
        pytest.param(TWO_WEEKS, False, id="exactly two weeks"),
        pytest.param(TWO_WEEKS + SECOND, True, id="two weeks and 1 second"),
    ],
)
def test_a_complaint_s_outcome_is_due_within_two_weeks(
    removals: Removals, after: timedelta, late: bool
) -> None:
    order = removals.removed()
    received_at = removals.instant()
    sent = removals.send("host", order, "removal-complaint", received_at=received_at)
    assert sent["state"] == "removed"
    clock = removals.clock_of(order, Clock.COMPLAINT)
    assert clock is not None and clock.due_at == removals.clock() + TWO_WEEKS
    removals.clock.advance(seconds=after.total_seconds())
    worked = removals.work()
    assert any(line.startswith("deadline.missed: complaint") for line in worked) is late
    decided = removals.send("host", order, "removal-complaint-outcome", decided_at=removals.instant())
    assert decided["state"] == "removed"
    clock = removals.clock_of(order, Clock.COMPLAINT)
    assert clock is not None and clock.breached is late
    assert clock.status == (FIRED if late else STOPPED)


def test_an_outcome_reported_late_before_the_worker_ran_is_a_breach(removals: Removals) -> None:
    order = removals.removed()
    removals.send("host", order, "removal-complaint", received_at=removals.instant())
    removals.clock.advance(days=15)  # no worker runs meanwhile
    removals.send("host", order, "removal-complaint-outcome", decided_at=removals.instant())
    clock = removals.clock_of(order, Clock.COMPLAINT)
    assert clock is not None and clock.breached


def test_one_complaint_awaits_its_outcome_at_a_time(removals: Removals) -> None:
    order = removals.removed()
    removals.refused("host", order, "removal-complaint-outcome", 409, "transition-not-allowed")
    removals.send("host", order, "removal-complaint", received_at=removals.instant())
    removals.refused(
        "host", order, "removal-complaint", 409, "transition-not-allowed", received_at=removals.instant()
    )
    removals.send(
        "host",
        order,
        "removal-complaint-outcome",
        outcome="reinstated",
        remedies=None,
        decided_at=removals.instant(),
    )
    removals.send("host", order, "removal-complaint", received_at=removals.instant())


@pytest.mark.parametrize(
    ("members", "member"),
    [
        pytest.param({"received_at": "2099-01-01T00:00:00Z"}, "received_at", id="received in the future"),
        pytest.param({"received_at": "2000-01-01T00:00:00Z"}, "received_at", id="received before the order"),
    ],
)
def test_a_complaint_s_receipt_is_a_past_instant_after_the_order(
    removals: Removals, members: dict[str, str], member: str
) -> None:
    order = removals.removed()
    answer = removals.post("host", order, "removal-complaint", **members)
    assert answer.status_code == 422, answer.get_json()
    assert member in answer.get_json()["errors"]["body"]


def test_a_complaint_comes_only_about_removed_content(removals: Removals) -> None:
    order = removals.received()
    removals.refused(
        "host", order, "removal-complaint", 409, "transition-not-allowed", received_at=removals.instant()
    )
