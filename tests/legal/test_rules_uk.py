"""UK overseas production orders under the UK-US Data Access Agreement: orders that pass and that fail.

One row per rule and per exception, each citing the section or term it tests; the lawful order below
is the baseline every row changes.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from broker.legal import CATALOGUE
from broker.legal import Family
from broker.legal import InvalidCheckInput
from broker.legal import Stage
from broker.legal.overseas import check_overseas_order
from broker.legal.overseas import serving_authority

RULES = {rule.id: rule for rule in CATALOGUE}

Change = Callable[[dict[str, Any]], None]


def lawful() -> dict[str, Any]:
    """A Crown Court order to a US mail provider for a fraud suspect's stored mail."""
    return {
        "instrument": "uk-copo-2019",
        "judge": {"name": "HHJ Okafor", "jurisdiction": "england_and_wales"},
        "applicant": {"name": "DC Priya Shah", "appropriate_officer": True},
        "respondent": {"name": "Example Mail Inc.", "country": "US"},
        "designated_arrangement": "uk-us-2019",
        "requires": "produce",
        "data_description": "Messages stored in the account between 1 March and 30 June 2026.",
        "excepted_data_excluded": True,
        "targets": [
            {
                "type": "email_address",
                "value": "seller@example.com",
                "counterpart_person": False,
                "located_in_counterpart": False,
            }
        ],
        "offence": {
            "description": "Fraud by false representation through a fake online shop.",
            "indictable": True,
            "terrorist_investigation": False,
            "maximum_penalty_months": 120,
        },
        "made_on": "2026-11-30",
    }


def put(path: str, value: Any) -> Change:
    def change(order: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = order
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def drop(path: str) -> Change:
    def change(order: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = order
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return change


@dataclass(frozen=True)
class Row:
    rule: str
    name: str
    passes: bool
    changes: tuple[Change, ...]
    missing_data: bool = False


def passes(rule: str, name: str, *changes: Change) -> Row:
    return Row(rule, name, True, changes)


def fails(rule: str, name: str, *changes: Change, missing_data: bool = False) -> Row:
    return Row(rule, name, False, changes, missing_data)


def order_with(*changes: Change) -> dict[str, Any]:
    order = lawful()
    for change in changes:
        change(order)
    return order


ROWS = [
    passes("CO-01", "s.1(1): a Crown Court judge on a detective constable's application"),
    fails(
        "CO-01",
        "s.1(1), s.2: the applicant is not an appropriate officer",
        put("applicant.appropriate_officer", False),
    ),
    fails("CO-01", "s.1(1): the judge's name is blank", put("judge.name", "   ")),
    passes("CO-02", "s.1(5): the UK-US agreement is designated"),
    fails(
        "CO-02",
        "s.1(2)(a), s.1(5): an arrangement nobody designated",
        put("designated_arrangement", "uk-fr-mlat"),
    ),
    passes("CO-03", "s.1(3): the officer has no grounds to believe excepted data are included"),
    fails(
        "CO-03",
        "s.1(3), s.3: the data may include legally privileged material",
        put("excepted_data_excluded", False),
    ),
    fails("CO-03", "s.1(2)(b): the data description is blank", put("data_description", " ")),
    passes("CO-04", "s.4: the respondent is based in the United States"),
    fails(
        "CO-04", "s.4: the respondent is in Canada, outside the arrangement", put("respondent.country", "CA")
    ),
    passes("CO-05", "s.4: an indictable offence under investigation"),
    passes(
        "CO-05",
        "s.4: a terrorist investigation, whatever the offence",
        put("offence.indictable", False),
        put("offence.terrorist_investigation", True),
    ),
    fails(
        "CO-05",
        "s.4: a summary-only offence and no terrorist investigation",
        put("offence.indictable", False),
    ),
    passes("CL-01", "agreement: a UK fraud suspect outside the United States"),
    fails("CL-01", "agreement: the target is a US person", put("targets.0.counterpart_person", True)),
    fails(
        "CL-01",
        "agreement: the target is located in the United States",
        put("targets.0.located_in_counterpart", True),
    ),
    fails(
        "CL-01",
        "agreement: whether the target is in the United States is not known yet",
        drop("targets.0.located_in_counterpart"),
        missing_data=True,
    ),
    passes("CL-02", "serious crime: exactly three years", put("offence.maximum_penalty_months", 36)),
    passes("CL-02", "serious crime: the law sets no maximum", put("offence.maximum_penalty_months", None)),
    fails(
        "CL-02", "serious crime: two years is not serious crime", put("offence.maximum_penalty_months", 24)
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_rule_table(row: Row) -> None:
    report = check_overseas_order(order_with(*row.changes))
    if row.passes:
        assert report.findings == (), [f.message for f in report.findings]
        return
    assert {f.rule_id for f in report.findings} == {row.rule}, [f.message for f in report.findings]
    assert {f.citation for f in report.findings} == {RULES[row.rule].citation}
    assert report.blocking
    assert all(f.missing_data is row.missing_data for f in report.findings)


def test_every_issuing_rule_has_passing_and_failing_rows() -> None:
    issuing = {r.id for r in CATALOGUE if r.instrument is Family.UK_US and r.stage is Stage.ISSUING}
    assert {row.rule for row in ROWS if row.passes} == issuing
    assert {row.rule for row in ROWS if not row.passes} == issuing


def test_rows_are_uniquely_named() -> None:
    assert len({row.name for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize(
    ("jurisdiction", "server"),
    [
        ("england_and_wales", "Secretary of State"),
        ("northern_ireland", "Secretary of State"),
        ("scotland", "Lord Advocate"),
    ],
)
def test_s9_who_serves(jurisdiction: str, server: str) -> None:
    assert serving_authority(jurisdiction) == server
    derived = check_overseas_order(order_with(put("judge.jurisdiction", jurisdiction))).derived
    assert derived["served_by"] == server


@pytest.mark.parametrize(
    ("made_on", "serve_by"),
    [
        # s.9(1): 3 months beginning with the day the order is made end with the day before the
        # corresponding date, in UK time (GMT in winter, BST in summer).
        ("2026-01-15", "2026-04-15T00:00:00+01:00"),
        ("2026-11-30", "2027-03-01T00:00:00+00:00"),  # no 30 February: the period ends with 28 February
        ("2026-10-31", "2027-01-31T00:00:00+00:00"),
    ],
)
def test_s9_service_period(made_on: str, serve_by: str) -> None:
    derived = check_overseas_order(order_with(put("made_on", made_on))).derived
    assert derived["serve_by"] == serve_by
    assert derived["route"] == "designated_authority"


def test_s5_compliance_period_is_seven_days_unless_the_judge_set_another() -> None:
    assert check_overseas_order(lawful()).derived["compliance_days"] == 7
    set_by_judge = order_with(put("compliance_period_days", 14))
    assert check_overseas_order(set_by_judge).derived["compliance_days"] == 14


@pytest.mark.parametrize(
    "change",
    [
        put("instrument", "reg-2023-1543"),
        put("judge.jurisdiction", "wales"),
        drop("excepted_data_excluded"),
        put("targets", []),
        put("made_on", "2026-02-30"),
        put("eu_member", True),
    ],
    ids=[
        "other instrument",
        "unknown jurisdiction",
        "no excepted-data answer",
        "no target",
        "no such day",
        "unknown member",
    ],
)
def test_an_order_the_schema_refuses_is_named_not_judged(change: Change) -> None:
    with pytest.raises(InvalidCheckInput) as refused:
        check_overseas_order(order_with(change))
    assert "order" in refused.value.errors


def test_no_eu_only_member_is_demanded() -> None:
    """The order carries none of the Regulation's certificate members and still passes."""
    order = lawful()
    assert not {"similar_domestic_order_possible", "user_information", "purpose", "language"} & set(order)
    assert check_overseas_order(copy.deepcopy(order)).findings == ()
