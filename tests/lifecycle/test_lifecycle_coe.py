"""Council of Europe orders through the API on their own routes, not the Regulation's.

A CETS 224 Art. 7 order goes straight to a provider in Serbia, and its simultaneous notification
(Art. 7(5)(a)) informs Serbia without holding anything; a Budapest Art. 29 preservation request goes to
the requested Party (the United States' authority), which takes delivery, has it preserved by serving it
on the provider (Art. 29(3)), and the preservation lasts at least 60 days from its receipt and then until
its issuer ends it (Art. 29(7)); neither takes the Regulation's own steps.
Each clock is tried at the instant before, at and after its end (broker.legal.routes.breached).
"""

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from broker.clocks.models import FIRED
from broker.legal import engine
from broker.legal.reference import load_reference
from broker.lifecycle import Clock
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

HOOK = "http://127.0.0.1:9/coe-hook"
TICK = timedelta(microseconds=1)
PRODUCED = {"outcome": "produced", "data_preserved": True}


@pytest.fixture
def coe(flow: Any, client: Any, network: Any) -> Any:
    """The lifecycle driver with a Japanese prosecutor, a provider established in Serbia and one in the
    United States, Serbia's and the United States' competent authorities; the providers' and the US
    authority's webhooks, so every step fills the outbox."""
    issuing = OrganisationKind.ISSUING_AUTHORITY
    network.add(
        "tokyo",
        "Tokyo District Public Prosecutors Office",
        issuing,
        "JP",
        Role.CASEWORKER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )
    network.add(
        "belgrade_mail",
        "Belgrade Mail",
        OrganisationKind.PROVIDER,
        "RS",
        Role.LEGAL_OFFICER,
        addressee_country="RS",
    )
    network.add(
        "us_mail", "US Mail", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="US"
    )
    network.add(
        "belgrade",
        "Higher Public Prosecutor's Office in Belgrade",
        OrganisationKind.ENFORCING_AUTHORITY,
        "RS",
        Role.REVIEWER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )
    network.add(
        "washington",
        "U.S. Department of Justice, Office of International Affairs",
        OrganisationKind.ENFORCING_AUTHORITY,
        "US",
        Role.REVIEWER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )
    for provider in ("belgrade_mail", "us_mail", "washington"):
        hook = client.post("/api/v1/webhooks", json={"url": HOOK}, headers=network[provider].headers)
        assert hook.status_code == 201, hook.get_json()
    return flow


@pytest.fixture
def serbia_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serbia declares under Art. 7(5)(a) that it requires simultaneous notification."""
    reference = load_reference()
    parties = dict(reference.protocol_parties)
    parties["RS"] = dataclasses.replace(parties["RS"], art7_simultaneous_notification=True)
    monkeypatch.setattr(
        engine, "load_reference", lambda: dataclasses.replace(reference, protocol_parties=parties)
    )


def issued(coe: Any, drafts: Any, kind: str) -> dict[str, Any]:
    """An Art. 7 order from Tokyo to Belgrade Mail, or an Art. 29 preservation from Paris to US Mail."""
    if kind == "art7":
        author, order_type = "tokyo", "epoc"
        certificate = drafts.epoc(coe.network.addressees["belgrade_mail"], instrument="cets-224-art7")
    else:
        author, order_type = "prosecutor", "epoc-pr"
        certificate = drafts.epoc_pr(
            coe.network.addressees["us_mail"],
            instrument="cets-185-art29",
            subsequent_request="mla",
            data_categories=["traffic"],
        )
    answer = coe.client.post(
        "/api/v1/orders",
        json={"order_type": order_type, "certificate": certificate},
        headers=coe.network[author].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    draft = answer.get_json()
    assert draft["checks"]["blocking"] is False, draft["checks"]["findings"]
    return coe.exchange.issue(draft, author=author)


def served(coe: Any, order: dict[str, Any]) -> dict[str, Any]:
    """Budapest Art. 29(3): the requested Party's authority takes delivery and serves the request."""
    for action in ("receive", "serve"):
        answer = coe.client.post(
            f"/api/v1/orders/{order['id']}/{action}", headers=coe.fresh("washington").headers
        )
        assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def received(coe: Any, drafts: Any, kind: str) -> dict[str, Any]:
    order = issued(coe, drafts, kind)
    if kind == "art7":
        return coe.exchange.receive(order, provider="belgrade_mail")
    return coe.exchange.receive(served(coe, order), provider="us_mail")


def travel_to(clock: Any, moment: Any) -> None:
    delta = moment - clock()
    assert delta >= timedelta(0), "time travel goes forward only"
    clock.advance(days=delta.days, seconds=delta.seconds, microseconds=delta.microseconds)


# The known wrong of issuing: EU Art. 8 applied to a CoE order ------------------------------------


def test_an_art7_notification_informs_serbia_and_holds_nothing(coe, drafts, serbia_declared):
    """CETS 224 Art. 7(5)(a): the requested Party is told at the same time as the provider; no 10-day
    review (Regulation Art. 12(1)) starts and the transfer is not held (Art. 8(4), 10(2))."""
    order = issued(coe, drafts, "art7")
    assert order["enforcing_authority"]["id"] == coe.network["belgrade"].organisation_id
    assert coe.clocks(order) == {}, "no enforcing review under the Protocol"
    coe.exchange.receive(order, provider="belgrade_mail")
    assert coe.clocks(order) == {"production": "running"}
    answer = coe.post("belgrade_mail", order, "response", PRODUCED)
    assert answer.status_code == 201, answer.get_json()
    assert coe.state(order) == "produced"


def test_without_a_declaration_nobody_is_notified(coe, drafts):
    """CETS 224 Art. 7(5)(a): notification only where the requested Party declared it (none has)."""
    order = issued(coe, drafts, "art7")
    assert order["enforcing_authority"] is None
    assert "order.issued" in coe.actions(order)


# The Regulation's own steps are refused, naming the treaty's way forward ---------------------------


def test_the_notified_party_cannot_review_under_art12(coe, drafts, serbia_declared):
    """Regulation Art. 12 is EU law; under CETS 224 Art. 7 the notified Party has no review window."""
    order = received(coe, drafts, "art7")
    problem = coe.refuse("belgrade", order, "enforcing-review", status=409, problem="transition-not-allowed")
    assert "Art. 12" in problem["detail"] and "Art. 7(1), (5)(a), (7)" in problem["detail"]


def test_an_unanswered_art7_order_is_not_enforced_under_art16(coe, drafts):
    """CETS 224 Art. 7(7): refusal or silence leaves only Art. 8 or mutual legal assistance."""
    order = received(coe, drafts, "art7")
    to = coe.network["belgrade"].organisation_id
    problem = coe.refuse(
        "tokyo", order, "enforcement-request", to=to, status=409, problem="transition-not-allowed"
    )
    assert "cets-224-art8 or mutual legal assistance" in problem["detail"]


def test_an_art29_preservation_is_not_extended_by_30_days(coe, drafts):
    """Regulation Art. 11(1)'s single extension is EU law; Budapest Art. 29(7) needs none."""
    order = received(coe, drafts, "art29")
    problem = coe.refuse(
        "prosecutor", order, "preservation-extension", status=409, problem="transition-not-allowed"
    )
    assert "Art. 11(1)" in problem["detail"] and "mutual legal assistance" in problem["detail"]


# Clocks at their edges -----------------------------------------------------------------------------

EDGES = [
    # kind, clock, length, what the worker records strictly after the end, state after it
    ("art7", Clock.PRODUCTION, timedelta(days=30), "deadline.missed", "received"),  # CETS 224 Art. 7(7)
    (
        "art29",
        Clock.PRESERVATION,
        timedelta(days=60),
        "preservation.minimum_reached",
        "received",
    ),  # Art. 29(7)
]


@pytest.mark.parametrize(("kind", "kind_of_clock", "length", "action", "state"), EDGES, ids=["art7", "art29"])
def test_a_treaty_clock_before_at_and_after_its_end(
    coe, drafts, clock, work, kind, kind_of_clock, length, action, state
):
    order = received(coe, drafts, kind)
    row = coe.clock_of(order, kind_of_clock)
    assert row is not None and row.due_at == row.started_at + length
    for moment in (row.due_at - TICK, row.due_at):  # the last instant is still in time
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith(action)]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith(action)] == [action]
    assert coe.state(order) == state
    assert coe.actions(order).count(action) == 1
    assert action in coe.outbox(order)
    after = coe.clock_of(order, kind_of_clock)
    assert after is not None and after.status == FIRED
    assert after.breached is (action == "deadline.missed")


def test_an_art29_request_goes_to_the_requested_party_which_serves_it(coe, drafts, clock):
    """Budapest Art. 29(1), (3): the request is made to the requested Party, which takes the measures to
    preserve expeditiously; its receipt starts the 60 days (Art. 29(7)); the provider sees it once served."""
    order = issued(coe, drafts, "art29")
    assert order["enforcing_authority"]["id"] == coe.network["washington"].organisation_id
    assert coe.clocks(order) == {}
    hidden = coe.client.get(f"/api/v1/orders/{order['id']}", headers=coe.fresh("us_mail").headers)
    assert hidden.status_code == 404, "the provider does not see the request before it is served"
    early = coe.client.post(f"/api/v1/orders/{order['id']}/receive", headers=coe.fresh("us_mail").headers)
    assert early.status_code == 404
    taken = coe.client.post(f"/api/v1/orders/{order['id']}/receive", headers=coe.fresh("washington").headers)
    assert taken.get_json()["state"] == "awaiting_service"
    row = coe.clock_of(order, Clock.PRESERVATION)
    assert row is not None and row.started_at == clock() and row.due_at == clock() + timedelta(days=60)
    clock.advance(hours=3)
    served(coe, order)
    assert coe.state(order) == "served"
    coe.exchange.receive(order, provider="us_mail")
    assert coe.state(order) == "received"
    assert coe.clock_of(order, Clock.PRESERVATION).due_at == row.due_at, (
        "receipt by the provider changes nothing"
    )
    answer = coe.post("us_mail", order, "response", {"outcome": "preserved", "data_preserved": True})
    assert answer.status_code == 201, answer.get_json()
    assert coe.state(order) == "preserved"
    assert {"order.received_for_service", "order.served", "order.received"} <= set(coe.actions(order))


def test_art29_preservation_runs_on_until_the_issuer_ends_it(coe, drafts, clock, work):
    """Budapest Art. 29(7): at least 60 days, then until the request for mutual assistance is decided."""
    order = received(coe, drafts, "art29")
    clock.advance(days=200)
    work()
    assert coe.state(order) == "received", "no end of preservation by the clock"
    assert "order.preservation_ended" not in coe.actions(order)
    released = coe.post("prosecutor", order, "preservation-release", {"reason": "The request was decided."})
    assert released.status_code == 201, released.get_json()
    assert coe.state(order) == "preservation_ended"


def test_a_regulation_preservation_still_ends_after_60_days(flow, clock, work):
    """Regulation Art. 11(1): the EU preservation order ends when its 60 days fall due."""
    order = flow.received("epoc-pr")
    travel_to(clock, flow.clock_of(order, Clock.PRESERVATION).due_at)
    assert any(line.startswith("order.preservation_ended") for line in work())
    assert flow.state(order) == "preservation_ended"
