"""Budapest Art. 29, CETS 224 Arts. 7-9 and the choice of instrument: orders that pass and that fail."""

import pytest
from situations import Change
from situations import Row
from situations import accepting
from situations import as_type
from situations import authority
from situations import declare
from situations import drop
from situations import fails
from situations import passes
from situations import put
from situations import situation

from broker.legal import CATALOGUE
from broker.legal import Family
from broker.legal import Severity
from broker.legal import Stage

RULES = {rule.id: rule for rule in CATALOGUE}
# test_rules_eu covers the Regulation (EU) 2023/1543, test_rules_tco the removal order's Regulation,
# test_rules_uk the UK's overseas production orders.
FAMILIES = set(Family) - {Family.REGULATION, Family.TCO, Family.UK_US}
POLICE = put("issuing_authority", authority("other_competent_authority", "JP"))
FRANCE_TO_US = (put("issuing_authority.country", "FR"), put("addressee.country", "US"))


def instrument(value: str) -> Change:
    return put("instrument", value)


ROWS = [
    passes("INS-01", "Art. 7 order sent as an EPOC", "art7"),
    passes("INS-01", "Art. 29 request sent as an EPOC-PR", "art29"),
    fails("INS-01", "Art. 29 request sent as an EPOC", "art7", instrument("cets-185-art29")),
    fails("INS-01", "Art. 7 order sent as an EPOC-PR", "art7", as_type("epoc-pr")),
    passes("BC-01", "France asks the US to preserve data pending mutual legal assistance", "art29"),
    fails(
        "BC-01",
        "Art. 29 request announcing a European Production Order",
        "art29",
        put("subsequent_request", "epo"),
    ),
    passes("BC-03", "Art. 29 request between two Parties", "art29"),
    fails(
        "BC-03",
        "Ireland, a signatory only, sends an Art. 29 request",
        "art29",
        put("issuing_authority.country", "IE"),
    ),
    fails("BC-03", "Art. 29 request to the requesting State itself", "art29", put("addressee.country", "FR")),
    passes("P2-10", "Japanese prosecutor orders from a Serbian provider", "art7"),
    fails(
        "P2-10", "French prosecutor orders from a US provider, neither having ratified", "art7", *FRANCE_TO_US
    ),
    fails("P2-10", "Art. 7 order to a provider in the issuing State", "art7", put("addressee.country", "JP")),
    passes(
        "P2-01",
        "Art. 7 order for IP identification",
        "art7",
        put("data_categories", ["user_identification"]),
        put("identification", [{"ip_address": "203.0.113.7", "timestamp": "2026-10-01T21:14:09Z"}]),
    ),
    fails(
        "P2-01", "Art. 7 order for traffic data", "art7", put("data_categories", ["subscriber", "traffic"])
    ),
    passes("P2-11", "Art. 7 order to a Party applying Art. 7", "art7", declare("RS")),
    fails(
        "P2-11", "Art. 7 order to a Party that reserved Art. 7", "art7", declare("RS", art7_not_applied=True)
    ),
    passes(
        "P2-05",
        "prosecutor's Art. 7 order to a Party requiring supervision",
        "art7",
        declare("RS", art7_supervision_required=True),
    ),
    passes(
        "P2-05",
        "police Art. 7 order validated by a prosecutor, to a Party requiring supervision",
        "art7",
        POLICE,
        put("validating_authority", authority("public_prosecutor", "JP")),
        declare("RS", art7_supervision_required=True),
    ),
    fails(
        "P2-05",
        "police Art. 7 order alone to a Party requiring supervision",
        "art7",
        POLICE,
        declare("RS", art7_supervision_required=True),
    ),
    passes("P2-06", "Art. 7 order to a Party not asking for notification", "art7", declare("RS")),
    fails(
        "P2-06",
        "Art. 7 order to a Party requiring simultaneous notification",
        "art7",
        declare("RS", art7_simultaneous_notification=True),
    ),
    passes("P2-09", "Art. 8 order for subscriber information and traffic data", "art8"),
    fails("P2-09", "Art. 8 order for content data", "art8", put("data_categories", ["content"])),
    passes(
        "P2-07",
        "Art. 8 order for subscriber information to a Party excluding traffic data",
        "art8",
        put("data_categories", ["subscriber"]),
        declare("RS", art8_no_traffic_data=True),
    ),
    fails(
        "P2-07",
        "Art. 8 order for traffic data to a Party excluding traffic data",
        "art8",
        declare("RS", art8_no_traffic_data=True),
    ),
    passes("P2-03", "Art. 9 request in an emergency", "art9"),
    fails(
        "P2-03",
        "Art. 9 request without an emergency",
        "art9",
        put("emergency", False),
        drop("emergency_justification"),
    ),
    passes(
        "P2-08",
        "Art. 9 request for traffic data to a Party refusing subscriber-only requests",
        "art9",
        declare("RS", art9_no_subscriber_only=True),
    ),
    fails(
        "P2-08",
        "Art. 9 request for subscriber data only to such a Party",
        "art9",
        put("data_categories", ["subscriber"]),
        declare("RS", art9_no_subscriber_only=True),
    ),
    passes("P2-12", "Art. 8 order in English to a provider accepting English", "art8"),
    fails("P2-12", "Art. 8 order in Japanese to a provider accepting English", "art8", put("language", "ja")),
    fails("P2-12", "Art. 9 request to a provider with no recorded language", "art9", accepting()),
    fails(
        "P2-03",
        "Art. 9 request whose emergency is described by spaces",
        "art9",
        put("emergency_justification", " "),
    ),
    passes("P2-15", "Art. 7 order stating the offence and the facts", "art7"),
    fails(
        "P2-15", "Art. 7 order whose summary of the facts is only spaces", "art7", put("case_summary", "  ")
    ),
    fails(
        "P2-15", "Art. 8 order whose offence is described by spaces", "art8", put("offence.description", " ")
    ),
    fails(
        "BC-01",
        "Art. 29 request whose necessity of preservation is blank",
        "art29",
        put("necessity_and_proportionality", " "),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_rule_table(row: Row) -> None:
    report = situation(row.kind, *row.changes).report()
    if row.passes:
        assert not report.blocking, [f.message for f in report.findings]
        assert row.rule not in {f.rule_id for f in report.findings}
    else:
        assert {f.rule_id for f in report.findings} == {row.rule}, [f.message for f in report.findings]
        assert {f.citation for f in report.findings} == {RULES[row.rule].citation}


@pytest.mark.parametrize("kind", ["art29", "art7", "art8", "art9"])
def test_lawful_baselines_have_no_findings(kind: str) -> None:
    assert situation(kind).report().findings == ()


def test_every_issuing_rule_has_passing_and_failing_situations() -> None:
    checked = {r.id for r in CATALOGUE if r.instrument in FAMILIES and r.check is not None}
    assert {row.rule for row in ROWS if row.passes} >= checked
    assert {row.rule for row in ROWS if not row.passes} >= checked
    unchecked = {r.id for r in CATALOGUE if r.instrument in FAMILIES and r.stage is Stage.ISSUING} - checked
    assert not unchecked, "an issuing-stage rule without a check needs a schema-enforced case"


def test_rows_are_uniquely_named() -> None:
    assert len({row.name for row in ROWS}) == len(ROWS)


def test_regulation_rules_do_not_judge_a_protocol_order() -> None:
    """A Japanese order to Serbia is not checked against the Regulation's list of Member States."""
    assert not any(f.rule_id.startswith("EE-") for f in situation("art7").report().findings)


def test_simultaneous_notification_is_derived_for_the_requested_party() -> None:
    report = situation("art7", declare("RS", art7_simultaneous_notification=True)).report()
    assert report.derived["notification_required"] is True
    assert report.derived["notify_state"] == "RS"
    assert [f.severity for f in report.findings] == [Severity.WARNING]


DEADLINES = [
    ("art29", (), "preservation_at_least_60_days"),
    ("art7", (), "art7_30_days"),
    ("art8", (), "art8_45_days"),
    ("art8", (put("data_categories", ["subscriber"]),), "art8_20_days"),
    ("art9", (), "art9_emergency"),
]


@pytest.mark.parametrize(("kind", "changes", "deadline"), DEADLINES)
def test_deadlines(kind: str, changes: tuple[Change, ...], deadline: str) -> None:
    derived = situation(kind, *changes).report().derived
    assert derived["deadline"] == deadline
    assert derived["ex_post_validation_required"] is False
