"""Removal orders in the numbers (Regulation (EU) 2021/784): the authorities' statistics and the provider's
transparency report count them from the same records the workflow keeps, each figure with its definition.

Three orders of the Parquet de Paris to the video host: one removed within the hour, about which the uploader
complained twice (Art. 10); one held by an outage and then missed; one removed, scrutinised on the
provider's request, found to infringe and reinstated.
"""

from typing import Any

import pytest

from broker.reports.csv_export import to_csv
from tests.removal.conftest import Removals

INFRINGEMENT = {"finding": "infringement", "grounds": ["charter"]}
EXPECTED = {
    "issued": 3,
    "emergency": 3,
    "cross_border": 3,
    "received": 3,
    "complied_within_one_hour": 2,
    "one_hour_missed": 1,
    "impossibility_reported": 1,
    "clarification_requested": 0,
    "scrutiny_requested": 1,
    "scrutinised": 1,
    "infringement_found": 1,
    "reinstated": 1,
    "complaints": 2,
}


@pytest.fixture
def three_orders(removals: Removals) -> Removals:
    first = removals.removed(minutes=20)
    removals.send("host", first, "removal-complaint", received_at=removals.instant())
    removals.send("host", first, "removal-complaint-outcome", decided_at=removals.instant())
    removals.send("host", first, "removal-complaint", received_at=removals.instant())
    held = removals.received()
    removals.send("host", held, "removal-impossibility")
    removals.clock.advance(minutes=30)
    removals.send("host", held, "impossibility-ceased", ceased_at=removals.instant())
    removals.clock.advance(hours=1, seconds=1)
    assert any(line.startswith("deadline.missed: removal") for line in removals.work())
    challenged = removals.removed(minutes=5)
    removals.send("host", challenged, "removal-scrutiny-request")
    removals.send("enforcing", challenged, "removal-scrutiny-intention")
    removals.send("enforcing", challenged, "removal-scrutiny-decision", **INFRINGEMENT)
    removals.send("host", challenged, "removal-reinstatement", done_at=removals.instant())
    return removals


def test_the_authorities_statistics_count_their_removal_orders(three_orders: Removals, network: Any) -> None:
    client = three_orders.client
    year = three_orders.clock().year
    for who in ("prosecutor", "oversight"):
        report = client.get(f"/api/v1/reports/art28?year={year}&country=FR", headers=network[who].headers)
        assert report.status_code == 200, report.get_json()
        removal = report.get_json()["removal_orders"]
        assert removal["figures"] == EXPECTED
        assert set(removal["definitions"]) == {"scope", *EXPECTED}
    other_state = client.get(
        f"/api/v1/reports/art28?year={year}&country=IE", headers=network["oversight"].headers
    )
    assert other_state.get_json()["removal_orders"]["figures"]["issued"] == 0, "Ireland issued none"


def test_the_provider_s_transparency_report_counts_the_orders_it_was_sent(
    three_orders: Removals, network: Any
) -> None:
    year = three_orders.clock().year
    report = three_orders.client.get(
        f"/api/v1/reports/transparency?year={year}", headers=network["host"].headers
    )
    assert report.status_code == 200, report.get_json()
    assert report.get_json()["removal_orders"]["figures"] == EXPECTED
    other = three_orders.client.get(
        f"/api/v1/reports/transparency?year={year}", headers=network["provider"].headers
    )
    assert other.get_json()["removal_orders"]["figures"]["issued"] == 0


def test_a_period_without_removal_orders_counts_none(three_orders: Removals, network: Any) -> None:
    year = three_orders.clock().year - 1
    report = three_orders.client.get(
        f"/api/v1/reports/art28?year={year}", headers=network["oversight"].headers
    )
    figures = report.get_json()["removal_orders"]["figures"]
    assert figures == {name: (None if value is None else 0) for name, value in EXPECTED.items()}


def test_the_csv_carries_the_removal_figures_with_their_definitions(
    three_orders: Removals, network: Any
) -> None:
    year = three_orders.clock().year
    report = three_orders.client.get(
        f"/api/v1/reports/art28?year={year}", headers=network["oversight"].headers
    )
    text = to_csv(report.get_json())
    assert (
        'removal_orders.complied_within_one_hour,total,2,"Of them, removed or disabled within the hour'
        in text
    )
