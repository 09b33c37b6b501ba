"""Every clock, travelling in time with the frozen clock and one `broker worker` round at a time.

Deadlines run from receipt, stand still while paused, fire at their due time and never a second
earlier, exactly once; a worker killed half-way leaves the clock due for the next round.
"""

import json
import uuid
from datetime import timedelta

import pytest
import responses
import sqlalchemy as sa

from broker import crypto
from broker.cli.worker import run_once
from broker.clock import to_rfc3339
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.workdays import add_working_days
from broker.workflow.operations import due as due_module

HOOK = "http://127.0.0.1:9/hook"  # the provider's endpoint (tests/lifecycle/conftest.py)

NOT_EXECUTED = {
    "outcome": "not_executed",
    "reason": "de_facto_impossibility",
    "explanation": "The servers holding the data are seized.",
    "data_preserved": False,
}


def fired(lines, action):
    return [line for line in lines if line.startswith(action)]


def travel_to(clock, moment):
    """Move the frozen clock to `moment` exactly (to the microsecond)."""
    delta = moment - clock()
    assert delta >= timedelta(0), "time travel goes forward only"
    clock.advance(days=delta.days, seconds=delta.seconds, microseconds=delta.microseconds)


# Production: from receipt, 10 days or 8 hours --------------------------------------------------


def test_the_production_deadline_runs_from_receipt_not_from_issuing(flow, clock, work):
    order = flow.issued()
    issued_at = clock()
    clock.advance(days=3)
    received_at = clock()
    flow.exchange.receive(order)
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.started_at, production.due_at) == (received_at, received_at + timedelta(days=10))
    assert production.reminder_at == production.due_at - timedelta(days=1)
    assert flow.clock_of(order, Clock.OBJECTION_WINDOW).due_at == received_at + timedelta(days=10)
    assert flow.clock_of(order, Clock.OBJECTION_WINDOW).reminder_at is None

    clock.advance(days=7)
    assert clock() == issued_at + timedelta(days=10)
    assert work() == [], "ten days after issuing nothing is due yet"


def test_in_an_emergency_the_data_are_due_eight_hours_after_receipt(flow, clock, work):
    order = flow.issued(emergency=True, emergency_justification="A threat to life.")
    clock.advance(minutes=20)
    received_at = clock()
    flow.exchange.receive(order)
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert production.due_at == received_at + timedelta(hours=8)
    assert production.reminder_at == received_at + timedelta(hours=8) - timedelta(hours=8) / 5

    clock.advance(hours=8, seconds=-1)
    assert fired(work(), "deadline.missed") == []
    clock.advance(seconds=1)
    assert len(fired(work(), "deadline.missed")) == 1


def test_a_reminder_fires_once_a_day_before_the_deadline(flow, clock, work):
    order = flow.received()
    reminder_at = flow.clock_of(order, Clock.PRODUCTION).reminder_at
    clock.advance(days=9, seconds=-1)
    assert work() == []
    clock.advance(seconds=1)
    assert clock() == reminder_at
    (line,) = work()
    assert line.startswith(f"reminder: production of order {order['id']} due")
    assert work() == [], "a reminder is sent once"
    clock.advance(hours=2)
    assert work() == []
    assert flow.actions(order).count("clock.reminder") == 1
    assert flow.outbox(order).count("clock.reminder") == 1, "the provider's webhook is told"
    assert flow.clock_of(order, Clock.PRODUCTION).reminded_at == reminder_at


def test_a_missed_deadline_is_recorded_once_at_its_due_time_and_the_order_keeps_its_state(
    flow, clock, work, client
):
    order = flow.received()
    flow.send("provider", order, "acknowledgement")
    due = flow.clock_of(order, Clock.PRODUCTION).due_at
    clock.advance(days=10, seconds=-1)
    assert fired(work(), "deadline.missed") == [], "not a second early"
    assert flow.clock_of(order, Clock.PRODUCTION).breached is False
    clock.advance(seconds=1)
    assert clock() == due
    done = work()
    assert len(fired(done, "deadline.missed")) == 1
    assert len(fired(done, "objection_window.closed")) == 1
    assert work() == []
    clock.advance(days=3)
    assert work() == []

    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.status, production.fired_at, production.breached) == ("fired", due, True)
    assert flow.clock_of(order, Clock.OBJECTION_WINDOW).breached is False, "a window is no deadline"
    assert flow.state(order) == "acknowledged"
    assert flow.actions(order).count("deadline.missed") == 1
    for handle in ("prosecutor", "provider"):
        overdue = client.get("/api/v1/inbox?overdue=true", headers=flow.fresh(handle).headers).get_json()
        assert [item["id"] for item in overdue["items"]] == [order["id"]]
    other = flow.received()
    overdue = client.get("/api/v1/inbox?overdue=true", headers=flow.fresh("prosecutor").headers).get_json()
    assert other["id"] not in [item["id"] for item in overdue["items"]]


def test_a_missed_deadline_opens_enforcement_timed_in_working_days_of_the_enforcing_state(flow, clock, work):
    order = flow.received()
    clock.advance(days=10)
    work()
    clock.advance(days=18, hours=1)  # Tuesday 22 December 2026, 10:00 UTC
    requested_at = clock()
    flow.send("prosecutor", order, "enforcement-request")
    decision = flow.clock_of(order, Clock.ENFORCEMENT_DECISION)
    # Christmas and St Stephen's Day are Irish public holidays: the fifth working day is the 30th.
    assert decision.due_at == add_working_days(requested_at, 5, "IE")
    assert decision.due_at.isoformat() == "2026-12-30T23:59:59.999999+00:00"

    travel_to(clock, decision.due_at - timedelta(seconds=1))
    assert fired(work(), "deadline.missed") == [], "the reminder at most; no breach a moment early"
    clock.advance(seconds=1)
    assert fired(work(), "deadline.missed") == [
        f"deadline.missed: enforcement_decision of order {order['id']} was due 2026-12-30T23:59:59.999999Z"
    ]
    assert flow.state(order) == "enforcement_requested"


def test_an_unanswered_clarification_is_the_issuers_missed_deadline_while_production_stands_still(
    flow, clock, work, client
):
    order = flow.received()
    production_due = flow.clock_of(order, Clock.PRODUCTION).due_at
    clock.advance(days=9)
    flow.send("provider", order, "clarification-request")
    clarification_due = clock() + timedelta(days=5)
    assert flow.clock_of(order, Clock.CLARIFICATION).due_at == clarification_due

    travel_to(clock, clarification_due - timedelta(seconds=1))
    done = work()
    assert fired(done, "deadline.missed") == [], "the paused production deadline (day 10) does not fire"
    assert flow.clock_of(order, Clock.PRODUCTION).status == "paused"
    clock.advance(seconds=1)
    assert fired(work(), "deadline.missed") == [
        f"deadline.missed: clarification of order {order['id']} was due {clarification_due:%Y-%m-%dT%H:%M:%SZ}"
    ]
    assert flow.state(order) == "clarification_requested"
    overdue = client.get("/api/v1/inbox?overdue=true", headers=flow.fresh("prosecutor").headers).get_json()
    assert [item["id"] for item in overdue["items"]] == [order["id"]]

    clock.advance(days=1)
    flow.send("prosecutor", order, "clarification-answer")
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.status, production.due_at) == ("running", production_due + timedelta(days=6))


# Preservation, enforcing review, ex-post validation ----------------------------------------------


@pytest.mark.parametrize("extended", [False, True])
def test_preservation_ends_by_itself_after_60_days_or_90_when_extended(flow, clock, work, extended):
    order = flow.received("epoc-pr")
    received_at = clock()
    flow.send(
        "provider", order, "response", {"outcome": "preserved", "data_preserved": True}, path="responses"
    )
    if extended:
        clock.advance(days=30)
        flow.send("prosecutor", order, "preservation-extension")
    end = received_at + timedelta(days=90 if extended else 60)

    travel_to(clock, end - timedelta(seconds=1))
    assert fired(work(), "order.preservation_ended") == []
    assert flow.state(order) == "preserved"
    clock.advance(seconds=1)
    assert len(fired(work(), "order.preservation_ended")) == 1
    assert work() == []
    assert flow.state(order) == "preservation_ended"
    assert flow.clock_of(order, Clock.PRESERVATION).status == "fired"
    assert flow.clock_of(order, Clock.PRESERVATION).breached is False
    assert flow.actions(order).count("order.preservation_ended") == 1


@pytest.mark.parametrize(("emergency", "window"), [(False, timedelta(days=10)), (True, timedelta(hours=96))])
def test_the_enforcing_review_window_ends_and_releases_the_hold(flow, clock, work, emergency, window):
    order = flow.notified(emergency=emergency)
    ends = clock() + window  # from the notification, which goes out with the order (Art. 8)
    clock.advance(minutes=30)
    flow.exchange.receive(order)
    assert flow.clock_of(order, Clock.ENFORCING_REVIEW).due_at == ends

    travel_to(clock, ends - timedelta(seconds=1))
    assert fired(work(), "enforcing_review.ended") == []
    if not emergency:
        flow.refuse("provider", order, "response", path="responses", status=409, problem="transfer-held")
    clock.advance(seconds=1)
    assert len(fired(work(), "enforcing_review.ended")) == 1
    assert work() == []
    assert flow.clock_of(order, Clock.ENFORCING_REVIEW).status == "fired"
    assert flow.actions(order).count("enforcing_review.ended") == 1
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


# Art. 10(2): a notified EPOC's data are due "at the end of that 10-day period", the very instant the
# transfer hold of Art. 8(4) ends; the addressee may transfer from that instant, so it is in breach
# only after it (broker.orders.deadlines.BREACH_AFTER_HOLD). Before, at and after, to the microsecond.

MICROSECOND = timedelta(microseconds=1)


def _notified_and_received_together(flow):
    order = flow.notified()
    flow.exchange.receive(order)  # the frozen clock stands still: received at the instant of issuing
    end = flow.clock_of(order, Clock.ENFORCING_REVIEW).due_at
    assert flow.clock_of(order, Clock.PRODUCTION).due_at == end, "the deadline and the hold end together"
    return order, end


def test_a_notified_epoc_is_in_breach_only_after_the_instant_its_hold_ends(flow, clock, work):
    order, end = _notified_and_received_together(flow)

    travel_to(clock, end - MICROSECOND)  # before: held, and no breach
    assert fired(work(), "deadline.missed") == []
    flow.refuse("provider", order, "response", path="responses", status=409, problem="transfer-held")

    clock.advance(microseconds=1)  # at: the hold ends, the data are due now, no breach yet
    done = work()
    assert len(fired(done, "enforcing_review.ended")) == 1
    assert fired(done, "deadline.missed") == []
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.status, production.breached) == ("running", False)

    clock.advance(microseconds=1)  # after: still nothing transferred, so the deadline is missed
    assert fired(work(), "deadline.missed") == [
        f"deadline.missed: production of order {order['id']} was due {to_rfc3339(end)}"
    ]
    assert work() == []
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.status, production.fired_at, production.breached) == (
        "fired",
        end + MICROSECOND,
        True,
    )
    assert flow.actions(order).count("deadline.missed") == 1


def test_a_notified_epoc_transferred_at_the_instant_its_hold_ends_is_never_in_breach(flow, clock, work):
    order, end = _notified_and_received_together(flow)
    travel_to(clock, end)
    assert fired(work(), "deadline.missed") == []
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"
    clock.advance(days=1)
    assert fired(work(), "deadline.missed") == []
    assert flow.clock_of(order, Clock.PRODUCTION).breached is False


def test_a_deadline_set_before_the_end_of_the_hold_is_breached_only_after_the_hold(flow, clock, work):
    order, end = _notified_and_received_together(flow)
    flow.send("provider", order, "acknowledgement")
    early = end - timedelta(days=5)
    flow.send("judge", order, "new-deadline", {"deadline": to_rfc3339(early), "reason": "Urgent."})
    assert flow.clock_of(order, Clock.PRODUCTION).due_at == early

    travel_to(clock, early + timedelta(days=1))  # past the new deadline, but the transfer is held
    assert fired(work(), "deadline.missed") == []
    travel_to(clock, end)
    assert fired(work(), "deadline.missed") == []
    clock.advance(microseconds=1)
    assert len(fired(work(), "deadline.missed")) == 1


def test_a_transfer_released_early_keeps_the_ordinary_deadline(flow, clock, work):
    order, end = _notified_and_received_together(flow)
    clock.advance(days=3)
    flow.send("enforcing", order, "enforcing-review")  # no objection: act as soon as possible (Art. 10(2))
    travel_to(clock, end - MICROSECOND)
    assert fired(work(), "deadline.missed") == []
    clock.advance(microseconds=1)
    assert len(fired(work(), "deadline.missed")) == 1, "at the latest at the end of the 10-day period"


@pytest.mark.parametrize("order_type", ["epoc", "epoc-pr"])
def test_without_ex_post_validation_the_order_is_withdrawn_after_48_hours(flow, clock, work, order_type):
    order = flow.unvalidated(order_type)
    flow.exchange.receive(order)
    if order_type == "epoc":
        flow.send("provider", order, "response", path="responses")
    clock.advance(hours=48, seconds=-1)
    assert fired(work(), "order.withdrawn") == []
    clock.advance(seconds=1)
    assert len(fired(work(), "order.withdrawn")) == 1
    assert work() == []
    stored = flow.order(order)
    assert (stored.state.value, stored.deletion_required) == ("withdrawn", True)
    assert set(flow.clocks(order).values()) <= {"stopped", "fired"}
    assert "running" not in flow.clocks(order).values()
    flow.refuse("police", order, "ex-post-validation", status=409, problem="transition-not-allowed")


def test_one_worker_round_fires_the_clock_and_delivers_its_notification(flow, clock, app, http):
    """With the broker's key the same round also delivers what it queued, signed, to the webhook."""
    order = flow.received()
    clock.advance(days=10)
    said: list[str] = []
    with responses.RequestsMock() as receiver:
        receiver.post(HOOK, status=204)
        done = run_once(flow.database, clock, app.extensions["broker"].log_signer, http, said.append)
        jwk = crypto.public_jwk(app.extensions["broker"].log_signer.private_key)
        bodies = [
            json.loads(crypto.verify_jws(call.request.body.decode("ascii"), jwk)) for call in receiver.calls
        ]
    fired_now = [line.split(":")[0] for line in said if not line.startswith("checkpoint signed")]
    assert sorted(fired_now) == ["deadline.missed", "objection_window.closed"]
    assert any(line.startswith("checkpoint signed") for line in said), "the round also signs the grown log"
    events = [body["event"] for body in bodies]
    assert {"deadline.missed", "objection_window.closed"} <= set(events)
    assert done == len(said) + len(bodies), "clocks fired plus HTTP calls made"
    missed = next(body for body in bodies if body["event"] == "deadline.missed")
    assert missed["order"]["id"] == order["id"]
    assert missed["details"]["clock"] == "production"


# The timeline ---------------------------------------------------------------------------------


def test_the_timeline_shows_every_pause_with_its_times(flow, clock, client, at):
    order = flow.received()
    received_at = clock()
    clock.advance(hours=1)
    first = clock()
    flow.send("provider", order, "clarification-request")
    clock.advance(hours=5)
    first_resumed = clock()
    flow.send("prosecutor", order, "clarification-answer")
    clock.advance(hours=2)
    second = clock()
    flow.send("provider", order, "immunity-concern")

    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline", headers=flow.fresh("prosecutor").headers)
    assert timeline.status_code == 200
    clocks = {entry["kind"]: entry for entry in timeline.get_json()["clocks"]}
    production = clocks["production"]
    assert production["status"] == "paused"
    assert production["paused_at"] == second.isoformat()
    assert production["pauses"] == [
        {"paused_at": at(first), "resumed_at": at(first_resumed), "cause": "clarification-request"},
        {"paused_at": at(second), "resumed_at": None, "cause": "immunity-concern"},
    ]
    assert production["due_at"] == (received_at + timedelta(days=10, hours=5)).isoformat(), "the first pause"
    assert clocks["clarification"]["status"] == "stopped"
    actions = [event["action"] for event in timeline.get_json()["events"]]
    for action in ("order.clarification-request", "order.clarification-answer", "order.immunity-concern"):
        assert action in actions


# A worker killed half-way -------------------------------------------------------------------------


class Killed(Exception):
    """The worker process dies here (SIGKILL, OOM, power loss): its transaction never commits."""


def kill_once(monkeypatch, target="record"):
    """Make broker.clocks.due.<target> blow up once, after the claim's UPDATE ran."""
    original = getattr(due_module, target)
    calls = []

    def dying(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise Killed("killed after the claim")
        return original(*args, **kwargs)

    monkeypatch.setattr(due_module, target, dying)
    return calls


@pytest.mark.parametrize(
    ("order_type", "days", "action"),
    [
        ("epoc", 9, "clock.reminder"),  # the reminder
        ("epoc", 10, "deadline.missed"),  # the breach record
        ("epoc-pr", 60, "order.preservation_ended"),  # an automatic end, with its change of state
    ],
)
def test_a_worker_killed_after_its_claim_leaves_the_clock_due_and_the_next_round_fires_it_once(
    flow, clock, work, monkeypatch, order_type, days, action
):
    order = flow.received(order_type)
    if order_type == "epoc-pr":
        flow.send(
            "provider", order, "response", {"outcome": "preserved", "data_preserved": True}, path="responses"
        )
    before = flow.snapshot(order)
    kind = Clock.PRODUCTION if order_type == "epoc" else Clock.PRESERVATION
    clock.advance(days=days)
    calls = kill_once(monkeypatch)

    with pytest.raises(Killed):
        work()
    assert len(calls) == 1, "the claim succeeded and the worker got as far as the log"
    assert flow.snapshot(order) == before, "nothing of the half-done round survives"
    row = flow.clock_of(order, kind)
    assert (row.status, row.fired_at, row.reminded_at, row.breached) == ("running", None, None, False)

    done = work()
    assert len(fired(done, action.replace("clock.reminder", "reminder"))) == 1
    assert work() == []
    assert flow.actions(order).count(action) == 1
    assert flow.outbox(order).count(action) == 1
    if order_type == "epoc-pr":
        assert flow.state(order) == "preservation_ended"


def test_a_worker_killed_while_telling_the_parties_leaves_nothing_behind(flow, clock, work, monkeypatch):
    order = flow.unvalidated()
    before = flow.snapshot(order)
    clock.advance(hours=48)
    kill_once(monkeypatch, "tell")
    with pytest.raises(Killed):
        work()
    assert flow.snapshot(order) == before
    assert fired(work(), "order.withdrawn") != []
    assert (flow.state(order), flow.order(order).deletion_required) == ("withdrawn", True)
    assert flow.actions(order).count("order.withdrawn") == 1


def test_a_clock_restarted_between_the_workers_read_and_its_claim_is_not_fired(
    flow, clock, work, monkeypatch, database
):
    """Without row locks (SQLite) a new deadline may land after the worker read the old one: the
    claim checks the clock is still due. PostgreSQL's FOR UPDATE excludes the race altogether."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the worker's row lock makes this interleaving impossible on PostgreSQL")
    order = flow.received()
    flow.send("provider", order, "response", NOT_EXECUTED, path="responses")
    production_id = flow.clock_of(order, Clock.PRODUCTION).id
    # Let the deadline pass unanswered: re-open with a new deadline that is missed in turn.
    flow.send("prosecutor", order, "new-deadline", deadline=(clock() + timedelta(days=1)).isoformat())
    clock.advance(days=1)
    new_due = clock() + timedelta(days=3)
    original = due_module._expire

    def restarted_meanwhile(session, clock_, now, order_, row):
        with database.transaction() as other:  # the issuing authority's new deadline commits first
            other.execute(
                sa.update(OrderClock)
                .where(OrderClock.id == row.id)
                .values(due_at=new_due, reminder_at=new_due - timedelta(days=1), started_at=now)
            )
        return original(session, clock_, now, order_, row)

    monkeypatch.setattr(due_module, "_expire", restarted_meanwhile)
    assert fired(work(), "deadline.missed") == []
    monkeypatch.setattr(due_module, "_expire", original)
    row = flow.clock_of(order, Clock.PRODUCTION)
    assert (row.id, row.status, row.due_at, row.breached) == (production_id, "running", new_due, False)
    clock.advance(days=3)
    assert len(fired(work(), "deadline.missed")) == 1
    assert flow.actions(order).count("deadline.missed") == 1


def test_a_worker_that_was_down_records_the_breach_but_sends_no_stale_reminder(flow, clock, work, database):
    order = flow.received()
    clock.advance(days=12)
    done = work()
    assert sorted(line.split(":")[0] for line in done) == ["deadline.missed", "objection_window.closed"]
    assert "clock.reminder" not in flow.actions(order)
    with database.transaction() as session:
        rows = session.scalars(sa.select(OrderClock).where(OrderClock.status == "fired")).all()
        assert {(row.order_id, row.fired_at) for row in rows} == {(uuid.UUID(order["id"]), clock())}
