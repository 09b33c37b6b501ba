"""Every family of lifecycle steps through the API, with signed messages between the real parties.

Each accepted step must leave exactly one `order.<type>` log entry and one outbox row per webhook
endpoint (the provider registered one); each refusal must name its problem type and leave nothing
behind (`flow.send` and `flow.refuse` check both on every call).
"""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from broker.audit.models import AuditEntry
from broker.lifecycle import Clock

TRANSITION, FORBIDDEN, INVALID, HELD = (
    "transition-not-allowed",
    "forbidden",
    "validation-error",
    "transfer-held",
)
NOT_EXECUTED = {
    "outcome": "not_executed",
    "reason": "de_facto_impossibility",
    "explanation": "The servers holding the data are seized.",
    "data_preserved": True,
}


def last_entry(database, order, action):
    with database.transaction() as session:
        leaves = session.scalars(
            sa.select(AuditEntry.leaf)
            .where(AuditEntry.object_id == order["id"], AuditEntry.action == action)
            .order_by(AuditEntry.index.desc())
        ).all()
    return json.loads(leaves[0])


# Addressee's first steps ------------------------------------------------------------------------


def test_before_receipt_the_addressee_may_only_take_delivery(flow):
    order = flow.issued()
    problem = flow.refuse("provider", order, "acknowledgement", status=409, problem=TRANSITION)
    assert problem["detail"] == (
        "'acknowledgement' is not allowed while the epoc is issued; the addressee may send: receive"
    )
    assert problem["state"] == "issued"


def test_acknowledgement_then_preservation_notice(flow, database, network):
    order = flow.received()
    problem = flow.refuse("prosecutor", order, "acknowledgement", status=403, problem=FORBIDDEN)
    assert problem["detail"] == "only the addressee may send 'acknowledgement', not the issuing authority"

    assert flow.send("provider", order, "acknowledgement")["state"] == "acknowledged"
    entry = last_entry(database, order, "order.acknowledgement")
    assert entry["details"]["state"] == {"from": "received", "to": "acknowledged"}
    assert entry["details"]["message"]["type"] == "acknowledgement"
    assert entry["actor"]["organisation"] == network["provider"].organisation_id

    problem = flow.refuse("provider", order, "acknowledgement", status=409, problem=TRANSITION)
    assert "'acknowledgement' is not allowed while the epoc is acknowledged" in problem["detail"]
    assert problem["detail"].endswith(
        "the addressee may send: clarification-request, evidence-manifest, immunity-concern, preservation-notice, "
        "response, third-country-objection"
    )

    assert flow.send("provider", order, "preservation-notice")["state"] == "preserved"
    flow.refuse("provider", order, "preservation-notice", status=409, problem=TRANSITION)


def test_an_epoc_pr_has_no_preservation_notice_step(flow):
    order = flow.received("epoc-pr")
    problem = flow.refuse("provider", order, "preservation-notice", status=409, problem=TRANSITION)
    assert problem["detail"] == "an epoc-pr has no 'preservation-notice' step"


def test_certificates_and_strangers_do_not_belong_here(flow):
    order = flow.received()
    problem = flow.refuse(
        "prosecutor", order, "epoc", order["certificate"], status=422, problem="unexpected-message-type"
    )
    assert "POST /api/v1/orders/{id}/issue" in problem["detail"]
    flow.refuse(
        "provider", order, "acknowledgement", path="responses", status=422, problem="unexpected-message-type"
    )
    flow.refuse("other_provider", order, "acknowledgement", status=404, problem="not-found")
    flow.refuse("oversight", order, "closure", status=403, problem=FORBIDDEN)


# Pauses: clarification, immunity concern, third-country objection --------------------------------


def test_clarification_stops_the_production_clock_for_exactly_the_pause(flow, clock, at):
    order = flow.received()
    received_at = clock()
    flow.send("provider", order, "acknowledgement")
    due = flow.clock_of(order, Clock.PRODUCTION).due_at
    assert due == received_at + timedelta(days=10)

    clock.advance(hours=2)
    paused_at = clock()
    assert flow.send("provider", order, "clarification-request")["state"] == "clarification_requested"
    assert flow.clock_of(order, Clock.PRODUCTION).status == "paused"
    assert flow.clock_of(order, Clock.CLARIFICATION).due_at == paused_at + timedelta(days=5)
    flow.refuse("provider", order, "response", status=409, problem=TRANSITION)
    flow.refuse("provider", order, "clarification-request", status=409, problem=TRANSITION)
    flow.refuse("provider", order, "clarification-answer", status=403, problem=FORBIDDEN)

    clock.advance(hours=30, minutes=15)
    resumed = flow.send("prosecutor", order, "clarification-answer")
    assert resumed["state"] == "acknowledged", "back to where it was before the pause"
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert production.status == "running"
    assert production.due_at == due + timedelta(hours=30, minutes=15)
    assert production.pauses == [
        {"paused_at": at(paused_at), "resumed_at": at(clock()), "cause": "clarification-request"}
    ]
    assert flow.clock_of(order, Clock.CLARIFICATION).status == "stopped"
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


@pytest.mark.parametrize(
    ("decision", "state"), [("maintain", "preserved"), ("adapt", "preserved"), ("withdraw", "withdrawn")]
)
def test_an_immunity_concern_waits_for_the_issuers_decision(flow, clock, decision, state):
    order = flow.received()
    flow.send("provider", order, "preservation-notice")
    due = flow.clock_of(order, Clock.PRODUCTION).due_at
    clock.advance(days=1)
    assert flow.send("provider", order, "immunity-concern")["state"] == "under_review"
    assert flow.clock_of(order, Clock.PRODUCTION).status == "paused"
    flow.refuse("prosecutor", order, "clarification-answer", status=409, problem=TRANSITION)
    flow.refuse("prosecutor", order, "court-review-outcome", status=409, problem=TRANSITION)

    clock.advance(days=2)
    decided = flow.send("prosecutor", order, "order-decision", decision=decision)
    assert decided["state"] == state
    production = flow.clock_of(order, Clock.PRODUCTION)
    if decision == "withdraw":
        assert set(flow.clocks(order).values()) == {"stopped"}
    else:
        assert (production.status, production.due_at) == ("running", due + timedelta(days=2))


@pytest.mark.parametrize(("outcome", "state"), [("upheld", "received"), ("lifted", "withdrawn")])
def test_a_third_country_objection_within_ten_days_suspends_until_the_court_decides(
    flow, clock, outcome, state
):
    order = flow.received()
    clock.advance(days=9, hours=23, minutes=59)
    assert flow.send("provider", order, "third-country-objection")["state"] == "suspended"
    assert flow.clock_of(order, Clock.PRODUCTION).status == "paused"
    flow.refuse("provider", order, "court-review-outcome", status=403, problem=FORBIDDEN)
    flow.refuse("provider", order, "third-country-objection", status=409, problem=TRANSITION)

    clock.advance(days=20)
    assert flow.send("prosecutor", order, "court-review-outcome", outcome=outcome)["state"] == state
    production = flow.clock_of(order, Clock.PRODUCTION)
    if outcome == "upheld":
        assert (production.status, production.due_at) == ("running", clock() + timedelta(minutes=1))
    else:
        assert production.status == "stopped"


@pytest.mark.parametrize("worker_ran", [False, True], ids=["before-the-worker", "after-the-worker"])
def test_a_third_country_objection_after_ten_days_is_refused(flow, clock, work, worker_ran):
    order = flow.received()
    flow.send("provider", order, "acknowledgement")
    clock.advance(days=10)
    if worker_ran:
        assert any(line.startswith("objection_window.closed") for line in work())
    problem = flow.refuse("provider", order, "third-country-objection", status=409, problem=TRANSITION)
    assert "within 10 days of receipt (Art. 17)" in problem["detail"]


# The enforcing authority's review (Art. 8, 10, 12) ------------------------------------------------


def test_a_notified_epoc_holds_the_data_until_the_enforcing_authority_confirms(flow, clock, at):
    order = flow.notified()
    window_ends = clock() + timedelta(days=10)
    assert flow.clock_of(order, Clock.ENFORCING_REVIEW).due_at == window_ends
    clock.advance(hours=1)
    flow.exchange.receive(order)
    clock.advance(days=2)

    for outcome in ("produced", "partially_produced"):
        body = {"outcome": outcome, "data_preserved": True}
        if outcome == "partially_produced":
            body |= {"reason": "data_not_stored", "explanation": "Part of the period is gone."}
        problem = flow.refuse("provider", order, "response", body, path="responses", status=409, problem=HELD)
        assert problem["held_until"] == at(window_ends)
        assert at(window_ends) in problem["detail"]
    flow.refuse("provider", order, "enforcing-review", status=403, problem=FORBIDDEN)

    assert flow.send("enforcing", order, "enforcing-review")["state"] == "received"
    assert flow.order(order).transfer_released_at == clock()
    assert flow.clock_of(order, Clock.ENFORCING_REVIEW).status == "stopped"
    flow.refuse("enforcing", order, "enforcing-review", status=409, problem=TRANSITION)
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


@pytest.mark.parametrize("worker_ran", [True, False], ids=["worker-fired", "worker-late"])
def test_the_hold_ends_with_the_review_window(flow, clock, work, worker_ran):
    order = flow.notified()
    window_ends = clock() + timedelta(days=10)
    clock.advance(hours=1)
    flow.exchange.receive(order)
    clock.advance(days=10, hours=-1, seconds=-1)
    flow.refuse("provider", order, "response", path="responses", status=409, problem=HELD)
    clock.advance(seconds=1)
    assert clock() == window_ends
    if worker_ran:
        assert any(line.startswith("enforcing_review.ended") for line in work())
        assert flow.clock_of(order, Clock.ENFORCING_REVIEW).status == "fired"
    problem = flow.refuse("enforcing", order, "enforcing-review", status=409, problem=TRANSITION)
    assert "review window has closed" in problem["detail"]
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


def test_in_an_emergency_the_data_go_at_once_and_a_later_refusal_requires_deletion(flow, clock, at):
    order = flow.notified(emergency=True)
    issued_at = clock()
    flow.exchange.receive(order)
    assert flow.clock_of(order, Clock.ENFORCING_REVIEW).due_at == issued_at + timedelta(hours=96)
    assert flow.clock_of(order, Clock.PRODUCTION).due_at == issued_at + timedelta(hours=8)
    clock.advance(hours=3)
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"

    problem = flow.refuse("judge", order, "closure", status=409, problem=TRANSITION)
    assert f"may still object until {at(issued_at + timedelta(hours=96))}" in problem["detail"]

    clock.advance(hours=40)
    refused = flow.send(
        "enforcing",
        order,
        "enforcing-review",
        decision="refusal",
        ground="manifest_fundamental_rights_breach",
        explanation="The target is a lawyer in privileged correspondence.",
    )
    assert refused["state"] == "refused"
    assert refused["deletion_required"] is True, "Art. 10(4): data already transferred are deleted"
    assert set(flow.clocks(order).values()) == {"stopped"}
    assert flow.send("judge", order, "withdrawal")["state"] == "withdrawn"


def test_a_refusal_stops_execution_so_no_deadline_is_missed_afterwards(flow, clock, work, client):
    order = flow.notified()
    flow.exchange.receive(order)
    clock.advance(days=3)
    refused = flow.send(
        "enforcing",
        order,
        "enforcing-review",
        decision="refusal",
        ground="ne_bis_in_idem",
        explanation="The person was tried for the same acts in Ireland.",
    )
    assert (refused["state"], refused["deletion_required"]) == ("refused", False)
    assert set(flow.clocks(order).values()) == {"stopped"}
    flow.refuse("provider", order, "response", path="responses", status=409, problem=TRANSITION)
    flow.refuse("judge", order, "enforcement-request", status=409, problem=TRANSITION)

    clock.advance(days=30)
    assert work() == [], "a refused order has no deadline left to miss"
    overdue = client.get("/api/v1/inbox?overdue=true", headers=flow.fresh("judge").headers).get_json()
    assert overdue["items"] == []
    assert flow.send("judge", order, "withdrawal")["state"] == "withdrawn"


def test_ee17_double_criminality_is_no_ground_for_a_serious_annex_iv_offence(flow):
    offence = {
        "description": "Online investment fraud",
        "legal_provisions": ["Code pénal, art. 313-1"],
        "maximum_penalty_months": 60,
        "annex_iv_category": "fraud",
    }
    order = flow.notified(offence=offence)
    refusal = {"decision": "refusal", "explanation": "Not an offence in Ireland."}
    problem = flow.refuse(
        "enforcing",
        order,
        "enforcing-review",
        {**refusal, "ground": "no_double_criminality"},
        status=422,
        problem=INVALID,
    )
    assert problem["detail"].startswith("EE-17 (Regulation (EU) 2023/1543, Art. 12(1)(d))")
    assert "ground" in problem["errors"]["body"]
    refused = flow.send("enforcing", order, "enforcing-review", {**refusal, "ground": "ne_bis_in_idem"})
    assert refused["state"] == "refused"


def test_double_criminality_may_be_raised_when_no_annex_iv_category_is_ticked(flow):
    order = flow.notified()
    refused = flow.send(
        "enforcing",
        order,
        "enforcing-review",
        decision="refusal",
        ground="no_double_criminality",
        explanation="Not an offence in Ireland.",
    )
    assert refused["state"] == "refused"


# Ex-post validation (Art. 4(5)) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "state", "deletion"), [("granted", "produced", False), ("refused", "withdrawn", True)]
)
def test_ex_post_validation_within_48_hours(flow, clock, outcome, state, deletion):
    order = flow.unvalidated()
    assert flow.clock_of(order, Clock.EX_POST_VALIDATION).due_at == clock() + timedelta(hours=48)
    flow.exchange.receive(order)
    flow.send("provider", order, "response", path="responses")
    problem = flow.refuse("police", order, "closure", status=409, problem=TRANSITION)
    assert "ex-post validation (Art. 4(5))" in problem["detail"]
    flow.refuse("provider", order, "ex-post-validation", status=403, problem=FORBIDDEN)

    clock.advance(hours=47, minutes=59)
    validated = flow.send("police", order, "ex-post-validation", outcome=outcome)
    assert (validated["state"], validated["deletion_required"]) == (state, deletion)
    assert flow.clock_of(order, Clock.EX_POST_VALIDATION).status == "stopped"
    if outcome == "granted":
        flow.refuse("police", order, "ex-post-validation", status=409, problem=TRANSITION)
        assert flow.send("police", order, "closure")["state"] == "closed"
    else:
        assert set(flow.clocks(order).values()) == {"stopped"}


def test_ex_post_validation_is_refused_once_the_48_hours_have_passed(flow, clock):
    order = flow.unvalidated("epoc-pr")
    clock.advance(hours=48)
    problem = flow.refuse("police", order, "ex-post-validation", status=409, problem=TRANSITION)
    assert "the 48 hours have passed" in problem["detail"]


def test_an_order_validated_before_issuing_takes_no_ex_post_validation(flow):
    order = flow.received()
    flow.refuse("prosecutor", order, "ex-post-validation", status=409, problem=TRANSITION)


# Withdrawal, new deadline, closure ----------------------------------------------------------------


@pytest.mark.parametrize("delete", [True, False])
def test_withdrawal_stops_every_clock_and_records_the_deletion_duty(flow, delete):
    order = flow.received()
    assert set(flow.clocks(order).values()) == {"running"}
    flow.refuse("provider", order, "withdrawal", status=403, problem=FORBIDDEN)
    withdrawn = flow.send("prosecutor", order, "withdrawal", delete_received_data=delete)
    assert (withdrawn["state"], withdrawn["deletion_required"]) == ("withdrawn", delete)
    assert set(flow.clocks(order).values()) == {"stopped"}
    problem = flow.refuse("provider", order, "acknowledgement", status=409, problem=TRANSITION)
    assert problem["detail"].endswith("the addressee may send: nothing")
    flow.refuse("prosecutor", order, "withdrawal", status=409, problem=TRANSITION)


def test_a_new_deadline_must_lie_ahead_and_reopens_a_not_executed_order(flow, clock, at):
    order = flow.received()
    flow.send("provider", order, "response", NOT_EXECUTED, path="responses")
    assert flow.clock_of(order, Clock.PRODUCTION).status == "stopped"
    for past in (clock() - timedelta(minutes=1), clock()):
        problem = flow.refuse(
            "prosecutor", order, "new-deadline", deadline=at(past), status=422, problem=INVALID
        )
        assert problem["errors"] == {"body": {"deadline": ["in the past"]}}
    flow.refuse(
        "provider",
        order,
        "new-deadline",
        deadline=at(clock() + timedelta(days=1)),
        status=403,
        problem=FORBIDDEN,
    )

    deadline = clock() + timedelta(days=3)
    assert flow.send("prosecutor", order, "new-deadline", deadline=at(deadline))["state"] == "acknowledged"
    production = flow.clock_of(order, Clock.PRODUCTION)
    assert (production.status, production.due_at, production.breached) == ("running", deadline, False)
    assert production.reminder_at == deadline - timedelta(days=3) / 5

    later = deadline + timedelta(days=2)
    assert flow.send("prosecutor", order, "new-deadline", deadline=at(later))["state"] == "acknowledged"
    assert flow.clock_of(order, Clock.PRODUCTION).due_at == later
    assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


def test_closure_only_once_answered_and_then_nothing(flow):
    order = flow.received()
    flow.refuse("prosecutor", order, "closure", status=409, problem=TRANSITION)
    flow.send("provider", order, "response", path="responses")
    flow.refuse("provider", order, "closure", status=403, problem=FORBIDDEN)
    assert flow.send("prosecutor", order, "closure")["state"] == "closed"
    for handle, message_type in (("prosecutor", "withdrawal"), ("provider", "acknowledgement")):
        problem = flow.refuse(handle, order, message_type, status=409, problem=TRANSITION)
        assert problem["detail"].endswith("may send: nothing")


# Preservation orders (Art. 11) ------------------------------------------------------------------


def test_an_epoc_pr_is_preserved_extended_once_confirmed_released_and_closed(flow, clock):
    order = flow.received("epoc-pr")
    received_at = clock()
    flow.refuse(
        "provider",
        order,
        "response",
        {"outcome": "produced", "data_preserved": True},
        path="responses",
        status=422,
        problem=INVALID,
    )
    answer = {"outcome": "preserved", "data_preserved": True}
    assert flow.send("provider", order, "response", answer, path="responses")["state"] == "preserved"
    assert flow.clock_of(order, Clock.PRESERVATION).due_at == received_at + timedelta(days=60)
    flow.refuse("provider", order, "response", answer, path="responses", status=409, problem=TRANSITION)
    flow.refuse("provider", order, "preservation-extension", status=403, problem=FORBIDDEN)

    clock.advance(days=50)
    assert flow.send("prosecutor", order, "preservation-extension")["state"] == "preserved"
    preservation = flow.clock_of(order, Clock.PRESERVATION)
    assert (preservation.due_at, preservation.extended) == (received_at + timedelta(days=90), True)
    problem = flow.refuse("prosecutor", order, "preservation-extension", status=409, problem=TRANSITION)
    assert "already extended once" in problem["detail"]

    clock.advance(days=20)
    assert flow.send("prosecutor", order, "production-request-confirmation")["state"] == "preserved"
    assert flow.clock_of(order, Clock.PRESERVATION).status == "stopped"
    flow.refuse("prosecutor", order, "preservation-extension", status=409, problem=TRANSITION)
    flow.refuse("prosecutor", order, "closure", status=409, problem=TRANSITION)
    assert flow.send("prosecutor", order, "preservation-release")["state"] == "preservation_ended"
    flow.refuse("prosecutor", order, "withdrawal", status=409, problem=TRANSITION)
    assert flow.send("prosecutor", order, "closure")["state"] == "closed"


@pytest.mark.parametrize("worker_ran", [False, True], ids=["before-the-worker", "after-the-worker"])
def test_an_extension_must_come_before_the_end(flow, clock, work, worker_ran):
    order = flow.received("epoc-pr")
    flow.send(
        "provider", order, "response", {"outcome": "preserved", "data_preserved": True}, path="responses"
    )
    clock.advance(days=60)
    if worker_ran:
        assert any(line.startswith("order.preservation_ended") for line in work())
    problem = flow.refuse("prosecutor", order, "preservation-extension", status=409, problem=TRANSITION)
    if worker_ran:
        assert "while the epoc-pr is preservation_ended" in problem["detail"]
    else:
        assert "an extension must come before the end" in problem["detail"]


# Enforcement (Art. 16) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "state"), [("recognised", "acknowledged"), ("refused", "enforcement_refused")]
)
def test_enforcement_only_after_non_compliance_then_the_enforcing_authoritys_decision(
    flow, clock, network, outcome, state
):
    order = flow.received()
    problem = flow.refuse("prosecutor", order, "enforcement-request", status=409, problem=TRANSITION)
    assert "only after the addressee did not comply" in problem["detail"]
    flow.send("provider", order, "response", NOT_EXECUTED, path="responses")

    requested = flow.send(
        "prosecutor", order, "enforcement-request", annex_iii_message=flow.message_id(order, "response")
    )
    assert requested["state"] == "enforcement_requested"
    assert requested["enforcing_authority"]["id"] == network["enforcing"].organisation_id
    assert flow.clock_of(order, Clock.ENFORCEMENT_DECISION).status == "running"
    flow.refuse("provider", order, "enforcement-decision", status=403, problem=FORBIDDEN)
    flow.refuse("prosecutor", order, "enforcement-request", status=409, problem=TRANSITION)

    clock.advance(days=2)
    decision = {"outcome": outcome, "explanation": "Decided under Art. 16."}
    if outcome == "refused":
        decision["ground"] = "Art. 16(4)(b): immunity under Irish law."
    assert flow.send("enforcing", order, "enforcement-decision", decision)["state"] == state
    assert flow.clock_of(order, Clock.ENFORCEMENT_DECISION).status == "stopped"
    if outcome == "refused":
        assert flow.send("prosecutor", order, "closure")["state"] == "closed"
    else:
        assert flow.send("provider", order, "response", path="responses")["state"] == "produced"


def test_the_wrong_order_id_in_reply_is_refused_and_changes_nothing(flow):
    order = flow.received()
    flow.refuse(
        "provider", order, "acknowledgement", in_reply_to=str(uuid.uuid4()), status=422, problem=INVALID
    )
