"""Removal orders in the numbers (Regulation (EU) 2021/784): the authorities' statistics and the provider's
transparency report count them from the same records the workflow keeps, each figure with its definition.

Three orders of the Parquet de Paris to the video host: one removed within the hour, kept from the uploader
for a day and renewed once (Art. 11(3)), then told (Art. 11(1)), about which the uploader complained twice and
had one outcome (Art. 10); one held by an outage and then missed; one removed, scrutinised on the provider's
request, found to infringe and reinstated.
"""

from collections.abc import Callable
from datetime import timedelta
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
    "complaint_outcomes": 1,
    "information_withheld": 1,
    "withholding_renewed": 1,
    "content_provider_informed": 1,
}


@pytest.fixture
def three_orders(removals: Removals) -> Removals:
    first = removals.removed(minutes=20)
    removals.send("prosecutor", first, "removal-withholding", until=removals.instant(days=1))
    removals.send(
        "prosecutor", first, "removal-withholding", decision="renew", until=removals.instant(days=2)
    )
    removals.clock.advance(days=2)
    assert any(line.startswith("withholding.ended") for line in removals.work())
    removals.send("host", first, "content-provider-information", informed_at=removals.instant())
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


def _told_at_once(removals: Removals) -> None:
    order = removals.removed()
    removals.send("host", order, "content-provider-information", informed_at=removals.instant())


def _told_twice(removals: Removals) -> None:
    order = removals.removed()
    removals.send("host", order, "content-provider-information", informed_at=removals.instant())
    removals.send("host", order, "content-provider-information", informed_at=removals.instant())


def _withheld_then_told(removals: Removals) -> None:
    order = removals.removed()
    removals.send("prosecutor", order, "removal-withholding", until=removals.instant(days=1))
    removals.refused("host", order, "content-provider-information", 409, "transition-not-allowed")
    removals.clock.advance(days=1)
    assert any(line.startswith("withholding.ended") for line in removals.work())
    removals.send("host", order, "content-provider-information", informed_at=removals.instant())


def _withheld_and_renewed_before_removal(removals: Removals) -> None:
    order = removals.received()
    removals.send("prosecutor", order, "removal-withholding", until=removals.instant(weeks=1))
    removals.send(
        "prosecutor", order, "removal-withholding", decision="renew", until=removals.instant(weeks=2)
    )


def _withheld_by_annex_i_from_receipt(removals: Removals) -> None:
    day = (removals.clock() + timedelta(days=10)).date().isoformat()
    order = removals.issued(withholding={"until": day, "reasons": "The uploader is under surveillance."})
    answer = removals.client.post(
        f"/api/v1/orders/{order['id']}/receive", headers=removals.network["host"].headers
    )
    assert answer.status_code == 200, answer.get_json()


def _annex_i_withholding_never_received(removals: Removals) -> None:
    day = (removals.clock() + timedelta(days=10)).date().isoformat()
    removals.issued(withholding={"until": day, "reasons": "The uploader is under surveillance."})


def _complaint_decided(removals: Removals) -> None:
    order = removals.removed()
    removals.send("host", order, "removal-complaint", received_at=removals.instant())
    removals.send("host", order, "removal-complaint-outcome", decided_at=removals.instant())


RIGHTS = (
    "information_withheld",
    "withholding_renewed",
    "content_provider_informed",
    "complaints",
    "complaint_outcomes",
)
# Each row adds one order to the year, and what it adds to each figure of RIGHTS, counted by hand.
ROWS: list[tuple[str, Callable[[Removals], None], tuple[int, int, int, int, int]]] = [
    ("told at once after the removal", _told_at_once, (0, 0, 1, 0, 0)),
    ("told twice: one order", _told_twice, (0, 0, 1, 0, 0)),
    ("withheld for a day, refused meanwhile, then told", _withheld_then_told, (1, 0, 1, 0, 0)),
    ("withheld and renewed before the removal", _withheld_and_renewed_before_removal, (1, 1, 0, 0, 0)),
    ("withheld by Annex I (g), from receipt", _withheld_by_annex_i_from_receipt, (1, 0, 0, 0, 0)),
    (
        "Annex I (g), not yet received: nothing withheld yet",
        _annex_i_withholding_never_received,
        (0, 0, 0, 0, 0),
    ),
    ("a complaint and its outcome", _complaint_decided, (0, 0, 0, 1, 1)),
]


def test_the_content_provider_s_rights_are_counted_order_by_order(removals: Removals, network: Any) -> None:
    """Arts. 10-11: after each row, the provider's report and the French authorities' statistics say the sum
    of the rows so far; the CSV carries the last with the figures' definitions."""
    year, counted = removals.clock().year, [0] * len(RIGHTS)
    for name, scenario, adds in ROWS:
        scenario(removals)
        counted = [total + add for total, add in zip(counted, adds, strict=True)]
        for path, who in (
            (f"transparency?year={year}", "host"),
            (f"art28?year={year}&country=FR", "prosecutor"),
        ):
            report = removals.client.get(f"/api/v1/reports/{path}", headers=network[who].headers).get_json()
            figures = report["removal_orders"]["figures"]
            assert [figures[figure] for figure in RIGHTS] == counted, f"{name}, {who}"
    text = to_csv(report)
    assert (
        'removal_orders.information_withheld,total,3,"Of them, on which the issuing authority decided' in text
    )
    assert "removal_orders.content_provider_informed,total,3," in text
