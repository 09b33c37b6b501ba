"""UK overseas production orders in the reports: counted per instrument in the provider's transparency
report, as every other order it received; never in Art. 28's, which is the Regulation's own.

The Metropolitan Police's order (Crime (Overseas Production Orders) Act 2019), made by a Crown Court judge
and served by the Secretary of State (s.9), reaches US Mail, which produces the data (s.5).
"""

import uuid
from typing import Any

import sqlalchemy as sa

from broker.parties.models import Organisation
from broker.reports.models import CountedOrder
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

MADE_ON = "2026-11-23"  # the day before the frozen clock's start


def uk_order(steps: Any, database: Any, targets: int) -> dict[str, Any]:
    """An overseas production order from the Met to US Mail, issued and served, naming `targets` accounts."""
    network = steps.network
    if "met" not in network.parties:
        network.add(
            "met", "Metropolitan Police Service", OrganisationKind.ISSUING_AUTHORITY, "GB", Role.CASEWORKER,
            AuthorityType.OTHER_COMPETENT_AUTHORITY,
        )  # fmt: skip
        network.add(
            "us_mail", "US Mail", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="US"
        )
        network.add(
            "home_office", "Secretary of State for the Home Department", OrganisationKind.ENFORCING_AUTHORITY,
            "GB", Role.REVIEWER, AuthorityType.OTHER_COMPETENT_AUTHORITY,
        )  # fmt: skip
        with database.transaction() as session:
            session.execute(
                sa.update(Organisation)
                .where(Organisation.id == uuid.UUID(network["home_office"].organisation_id))
                .values(treaty_role=TreatyRole.DESIGNATED_AUTHORITY)
            )
    certificate = {
        "instrument": "uk-copo-2019",
        "addressee": network.addressees["us_mail"],
        "judge": {"name": "HHJ Rowan Ellis", "jurisdiction": "england_and_wales"},
        "applicant": {"name": "DC Priya Shah, Metropolitan Police Service", "appropriate_officer": True},
        "designated_arrangement": "uk-us-2019",
        "requires": "produce",
        "data_description": "Subscriber records and login IP addresses of the accounts, 1 Sept to 1 Nov 2026.",
        "excepted_data_excluded": True,
        "targets": [
            {
                "type": "email_address",
                "value": f"seller{index}@usmail.example",
                "counterpart_person": False,
                "located_in_counterpart": False,
            }
            for index in range(targets)
        ],
        "offence": {
            "description": "Supplying controlled drugs of class A through an online shop.",
            "indictable": True,
            "terrorist_investigation": False,
            "maximum_penalty_months": None,
        },
        "made_on": MADE_ON,
    }
    drafted = steps.client.post(
        "/api/v1/orders",
        json={"order_type": "overseas-production-order", "certificate": certificate},
        headers=network["met"].headers,
    )
    assert drafted.status_code == 201, drafted.get_json()
    order = steps.exchange.issue(drafted.get_json(), "met")
    for action in ("receive", "serve"):
        answer = steps.client.post(
            f"/api/v1/orders/{order['id']}/{action}", headers=network["home_office"].headers
        )
        assert answer.status_code == 200, answer.get_json()
    return order


def test_an_overseas_order_counts_in_the_transparency_report_under_its_instrument(steps, database, network):
    produced = uk_order(steps, database, targets=2)
    steps.receive(produced, "us_mail")
    steps.send(produced, "us_mail", "response", {"outcome": "produced", "data_preserved": True})
    steps.receive(uk_order(steps, database, targets=1), "us_mail")  # received, not answered yet
    uk_order(steps, database, targets=3)  # served, never received: not counted

    report = steps.report(f"transparency?year=2026&provider={network['us_mail'].organisation_id}")
    copo = {
        "requests": 2,
        "production_requests": 2,  # COPO s.1(4): an order to produce, or to give access to, data
        "preservation_requests": 0,
        "accounts_specified": 3,
        "some_data_disclosed": 1,
        "percentage_some_data_disclosed": 50.0,
        "emergency": 0,
        "legal_process": 2,
    }
    assert report["figures"]["by_country"] == {"GB": {**copo, "by_instrument": {"uk-copo-2019": copo}}}
    assert report["figures"]["total"] == {**copo, "by_instrument": {"uk-copo-2019": copo}}


def test_the_art28_report_does_not_count_overseas_orders(steps, database):
    before = steps.report("art28?year=2026")["figures"]
    order = uk_order(steps, database, targets=1)
    steps.receive(order, "us_mail")
    steps.send(order, "us_mail", "response", {"outcome": "produced", "data_preserved": True})
    assert steps.report("art28?year=2026")["figures"] == before, "Art. 28 is the Regulation's own"
    assert steps.report("art28?year=2026&country=GB")["figures"]["a"]["epoc"]["total"] == 0
    with database.transaction() as session:  # counted once, as the UK's, under its own instrument
        counted = session.get_one(CountedOrder, uuid.UUID(order["id"]))
        assert (counted.instrument, counted.country, counted.addressee) == (
            "uk-copo-2019",
            "GB",
            "US Mail (US)",
        )
