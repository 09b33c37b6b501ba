"""UK overseas production orders through the API, on their own route (Crime (Overseas Production Orders)
Act 2019 and the UK-US Data Access Agreement).

The Metropolitan Police (an appropriate officer, s.2) drafts the order a Crown Court judge made; the
broker checks it (broker.legal.overseas: CO-01..07, CL-01..02) at draft, check and issue. Issued, it goes
to the Secretary of State, who alone may serve an order made in England and Wales (s.9(2)); its 3 months
to be served run from the day it was made (s.9(1)) and, unserved, it is treated as quashed. Served, the
US respondent has 7 days beginning with the day of service (s.5), or the period the judge set, and may
withhold excepted electronic data (s.3) with its grounds. Each clock is tried before, at and after its end.
"""

import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from broker.lifecycle import Clock
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

LONDON = ZoneInfo("Europe/London")
TICK = timedelta(microseconds=1)
MADE_ON = "2026-11-23"  # the day before the frozen clock's start (tests/conftest.py: 2026-11-24 09:00 UTC)


def opo(addressee: str, **changes: Any) -> dict[str, Any]:
    """A lawful overseas production order for a US provider's subscriber and traffic records."""
    order: dict[str, Any] = {
        "instrument": "uk-copo-2019",
        "addressee": addressee,
        "judge": {"name": "HHJ Rowan Ellis", "jurisdiction": "england_and_wales"},
        "applicant": {"name": "DC Priya Shah, Metropolitan Police Service", "appropriate_officer": True},
        "designated_arrangement": "uk-us-2019",
        "requires": "produce",
        "data_description": "Subscriber records and login IP addresses of the account, 1 Sept to 1 Nov 2026.",
        "excepted_data_excluded": True,
        "targets": [
            {
                "type": "email_address",
                "value": "seller.x@usmail.example",
                "counterpart_person": False,
                "located_in_counterpart": False,
            }
        ],
        "offence": {
            "description": "Supplying controlled drugs of class A through an online shop.",
            "indictable": True,
            "terrorist_investigation": False,
            "maximum_penalty_months": None,
        },
        "made_on": MADE_ON,
    }
    order.update(changes)
    return order


@pytest.fixture
def uk(flow: Any, client: Any, network: Any, database: Any) -> Any:
    """The Met, a US provider, the Home Office (the Secretary of State's service of orders) and the Lord
    Advocate, both registered as designated authorities (COPO s.9)."""
    network.add(
        "met",
        "Metropolitan Police Service",
        OrganisationKind.ISSUING_AUTHORITY,
        "GB",
        Role.CASEWORKER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )
    network.add(
        "us_mail", "US Mail", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="US"
    )
    for handle, name in (
        ("home_office", "Secretary of State for the Home Department"),
        ("lord_advocate", "Lord Advocate"),
    ):
        network.add(
            handle,
            name,
            OrganisationKind.ENFORCING_AUTHORITY,
            "GB",
            Role.REVIEWER,
            AuthorityType.OTHER_COMPETENT_AUTHORITY,
        )
        with database.transaction() as session:  # as `broker org create --treaty-role designated_authority`
            session.execute(
                sa.update(Organisation)
                .where(Organisation.id == uuid.UUID(network[handle].organisation_id))
                .values(treaty_role=TreatyRole.DESIGNATED_AUTHORITY)
            )
    return flow


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    document = answer.get_json()
    assert answer.status_code == status, document
    assert answer.mimetype == "application/problem+json"
    assert document["type"] == PROBLEM_BASE + kind, document
    return document


def drafted(uk: Any, **changes: Any) -> dict[str, Any]:
    answer = uk.client.post(
        "/api/v1/orders",
        json={
            "order_type": "overseas-production-order",
            "certificate": opo(uk.network.addressees["us_mail"], **changes),
        },
        headers=uk.network["met"].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def issue(uk: Any, draft: dict[str, Any]) -> Any:
    party = uk.network["met"]
    jws = party.sign("overseas-production-order", draft["certificate"], draft["provider"]["id"])
    return uk.client.post(
        f"/api/v1/orders/{draft['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )


def issued(uk: Any, **changes: Any) -> dict[str, Any]:
    answer = issue(uk, drafted(uk, **changes))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def act(uk: Any, handle: str, order: dict[str, Any], action: str) -> dict[str, Any]:
    answer = uk.client.post(f"/api/v1/orders/{order['id']}/{action}", headers=uk.fresh(handle).headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def served(uk: Any, **changes: Any) -> dict[str, Any]:
    order = issued(uk, **changes)
    act(uk, "home_office", order, "receive")
    return act(uk, "home_office", order, "serve")


def travel_to(clock: Any, moment: Any) -> None:
    delta = moment - clock()
    assert delta >= timedelta(0), "time travel goes forward only"
    clock.advance(days=delta.days, seconds=delta.seconds, microseconds=delta.microseconds)


def test_a_draft_is_checked_and_its_respondent_filled_from_the_registry(uk):
    """COPO ss.1, 4: the respondent is the provider the caseworker names, where the registry has it."""
    draft = drafted(uk)
    assert draft["order_type"] == "overseas-production-order" and draft["instrument"] == "uk-copo-2019"
    assert draft["certificate"]["respondent"] == {"name": "US Mail", "country": "US"}
    assert draft["checks"]["blocking"] is False, draft["checks"]["findings"]
    assert draft["checks"]["derived"]["served_by"] == "Secretary of State"
    again = uk.client.post(f"/api/v1/orders/{draft['id']}/check", headers=uk.network["met"].headers)
    assert again.status_code == 200 and again.get_json()["checks"]["blocking"] is False


@pytest.mark.parametrize(
    ("rule", "changes"),
    [
        ("CO-01", {"applicant": {"name": "A civilian", "appropriate_officer": False}}),  # s.1(1), s.2
        ("CO-02", {"designated_arrangement": "uk-fr-2030"}),  # s.1(2)(a), (5)
        ("CO-03", {"excepted_data_excluded": False}),  # s.1(3), s.3
        ("CL-02", {"offence": {**opo("x")["offence"], "maximum_penalty_months": 24}}),  # serious crime
    ],
)
def test_an_unlawful_order_is_flagged_at_draft_and_refused_at_issue(uk, rule, changes):
    draft = drafted(uk, **changes)
    assert rule in {f["rule_id"] for f in draft["checks"]["findings"]}
    document = problem(issue(uk, draft), 422, "legal-check-failed")
    assert rule in document["detail"]


def test_an_order_goes_to_the_secretary_of_state_not_to_the_respondent(uk, clock):
    """COPO s.9(1)-(2): the Secretary of State alone serves an order made in England and Wales, within
    3 months beginning with the day it was made."""
    order = issued(uk)
    assert order["enforcing_authority"]["id"] == uk.network["home_office"].organisation_id
    service = uk.clock_of(order, Clock.SERVICE)
    assert service.due_at == datetime(2027, 2, 23, tzinfo=LONDON).astimezone(UTC)  # 23 Nov + 3 months, UK
    unseen = uk.client.get(f"/api/v1/orders/{order['id']}", headers=uk.network["us_mail"].headers)
    problem(unseen, 404, "not-found")
    hidden = uk.client.get(f"/api/v1/orders/{order['id']}", headers=uk.network["lord_advocate"].headers)
    problem(hidden, 404, "not-found")


def test_an_order_made_in_scotland_goes_to_the_lord_advocate(uk):
    """COPO s.9(3)."""
    order = issued(uk, judge={"name": "Lady Paton", "jurisdiction": "scotland"})
    assert order["enforcing_authority"]["id"] == uk.network["lord_advocate"].organisation_id


def test_served_the_respondent_has_7_days_beginning_with_the_day_of_service(uk, clock):
    """COPO s.5: the compliance period runs from service, in UK days, the day of service the first."""
    order = served(uk)
    assert order["state"] == "served"
    compliance = uk.clock_of(order, Clock.PRODUCTION)
    served_day = clock().astimezone(LONDON).date()
    assert compliance.due_at == datetime.combine(
        served_day + timedelta(days=7), datetime.min.time(), LONDON
    ).astimezone(UTC)
    assert uk.clocks(order) == {"service": "stopped", "production": "running"}
    uk.exchange.receive(order, provider="us_mail")
    answer = uk.post("us_mail", order, "response", {"outcome": "produced", "data_preserved": True})
    assert answer.status_code == 201, answer.get_json()
    assert uk.state(order) == "produced"


def test_a_judge_set_period_replaces_the_7_days(uk, clock):
    order = served(uk, compliance_period_days=14)
    compliance = uk.clock_of(order, Clock.PRODUCTION)
    served_day = clock().astimezone(LONDON).date()
    assert compliance.due_at == datetime.combine(
        served_day + timedelta(days=14), datetime.min.time(), LONDON
    ).astimezone(UTC)


@pytest.mark.parametrize(("withheld", "state"), [("all", "not_executed"), ("part", "partially_produced")])
def test_the_respondent_withholds_excepted_electronic_data_with_its_grounds(uk, withheld, state):
    """COPO s.1(3), s.3: the order may not require legally privileged items or confidential personal
    records; the respondent says which it withholds, and the compliance clock stops."""
    order = served(uk)
    uk.exchange.receive(order, provider="us_mail")
    body = {
        "grounds": ["legal_privilege"],
        "withheld": withheld,
        "explanation": "Counsel's advice to the user.",
    }
    sent = uk.post("us_mail", order, "excepted-data-refusal", body)
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["state"] == state
    assert "order.excepted-data-refusal" in uk.actions(order)
    assert uk.clocks(order)["production"] == "stopped"
    closed = uk.post("met", order, "closure", {"reason": "Completed."})
    assert closed.status_code == 201, closed.get_json()


def test_excepted_data_refusal_belongs_to_overseas_orders_only(flow):
    order = flow.received()
    body = {"grounds": ["legal_privilege"], "withheld": "all", "explanation": "x"}
    refused = flow.refuse(
        "provider", order, "excepted-data-refusal", body, status=409, problem="transition-not-allowed"
    )
    assert "has no 'excepted-data-refusal' step" in refused["detail"]


def test_unserved_for_3_months_the_order_is_treated_as_quashed(uk, clock, work):
    """COPO s.9(1): not served within 3 months beginning with the day it was made: quashed."""
    order = issued(uk)
    act(uk, "home_office", order, "receive")
    row = uk.clock_of(order, Clock.SERVICE)
    for moment in (row.due_at - TICK, row.due_at):
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith("order.quashed")]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith("order.quashed")] == ["order.quashed"]
    assert uk.state(order) == "withdrawn"
    refused = uk.client.post(f"/api/v1/orders/{order['id']}/serve", headers=uk.fresh("home_office").headers)
    problem(refused, 409, "transition-not-allowed")


def test_the_compliance_period_before_at_and_after_its_end(uk, clock, work):
    order = served(uk)
    row = uk.clock_of(order, Clock.PRODUCTION)
    for moment in (row.due_at - TICK, row.due_at):
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith("deadline.missed")]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith("deadline.missed")] == [
        "deadline.missed"
    ]


def test_an_order_whose_3_months_have_passed_is_not_issued(uk, clock):
    """COPO s.9(1), CO-06: made more than 3 months ago, it is treated as quashed; nothing to issue."""
    draft = drafted(uk, made_on="2026-08-01")
    assert "CO-06" in {f["rule_id"] for f in draft["checks"]["findings"] if f["severity"] == "error"}
    document = problem(issue(uk, draft), 422, "legal-check-failed")
    assert "CO-06" in document["detail"]


def test_without_a_designated_authority_the_order_cannot_be_issued(flow, network):
    network.add(
        "met",
        "Metropolitan Police Service",
        OrganisationKind.ISSUING_AUTHORITY,
        "GB",
        Role.CASEWORKER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )
    network.add(
        "us_mail", "US Mail", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="US"
    )
    draft = drafted(flow)
    document = problem(issue(flow, draft), 422, "invalid-reference")
    assert "--treaty-role designated_authority" in document["detail"]


def test_the_orders_pdf_is_a_problem_not_a_crash(uk, sealed):
    """The PDF forms are the Regulation's annexes and the removal order's; an overseas production order has
    none yet, which the API says with a problem document."""
    order = issued(uk)
    answer = sealed.test_client().get(f"/api/v1/orders/{order['id']}/pdf", headers=uk.network["met"].headers)
    document = problem(answer, 404, "not-found")
    assert "overseas production order" in document["detail"]
