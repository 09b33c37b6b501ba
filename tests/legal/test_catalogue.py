"""The catalogue itself: well-formed ids, complete metadata, honest confidence flags."""

import re

import pytest

from broker.legal import CATALOGUE
from broker.legal import Confidence
from broker.legal import Family
from broker.legal import Rule
from broker.legal import Stage

RULES = {rule.id: rule for rule in CATALOGUE}
ID = re.compile(r"(EE|BC|P2|INS|TCO|CO|CL|DSA)-[0-9]{2}")
PREFIX = {
    Family.CHOICE: "INS",
    Family.REGULATION: "EE",
    Family.BUDAPEST: "BC",
    Family.PROTOCOL: "P2",
    Family.TCO: "TCO",
    Family.UK_US: ("CO", "CL"),  # the Act's rules (CO) and the agreement's (CL), legal-rules.md §6.5
    Family.DSA: "DSA",  # tco-dsa.md DSA-xx
}
CITES = {
    Family.REGULATION: "Regulation (EU) 2023/1543, ",
    Family.BUDAPEST: "Budapest Convention (CETS 185), ",
    Family.PROTOCOL: "Second Additional Protocol (CETS 224), ",
    Family.TCO: "Regulation (EU) 2021/784, ",
    Family.DSA: "Regulation (EU) 2022/2065, ",
    Family.UK_US: ("Crime (Overseas Production Orders) Act 2019, ", "UK-US Data Access Agreement (2019)"),
}


def test_ids_are_unique() -> None:
    assert len(RULES) == len(CATALOGUE)


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda rule: rule.id)
def test_rule_is_well_formed(rule: Rule) -> None:
    assert ID.fullmatch(rule.id)
    assert rule.id.startswith(PREFIX[rule.instrument])
    assert rule.citation.startswith(CITES.get(rule.instrument, "Regulation (EU) 2023/1543, "))
    assert rule.explanation.strip().endswith(".")
    assert rule.source.strip()
    # Removal orders and overseas production orders name no certificate instrument: their rules apply to
    # the order itself.
    assert bool(rule.applies_to) is (rule.instrument not in {Family.TCO, Family.UK_US, Family.DSA})


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda rule: rule.id)
def test_rules_without_a_check_say_where_they_are_enforced(rule: Rule) -> None:
    if rule.stage is not Stage.ISSUING:
        assert rule.check is None
    if rule.check is None:
        assert rule.enforced_by and rule.enforced_by.strip().endswith(".")


def test_the_research_notes_rules_are_all_there() -> None:
    expected = {f"EE-{n:02}" for n in range(1, 31)} | {"BC-01", "BC-02"} | {f"P2-0{n}" for n in range(1, 5)}
    assert expected <= set(RULES)


@pytest.mark.parametrize(
    "rule_id",
    [
        "EE-13",
        "EE-14",
        "EE-16",
        "EE-17",
        "EE-18",
        "EE-19",
        "EE-20",
        "EE-21",
        "EE-22",
        "EE-23",
        "EE-25",
        "EE-28",
        "EE-29",
        "EE-30",
        "BC-02",
        "P2-02",
        "P2-04",
    ],
)
def test_lifecycle_and_record_rules(rule_id: str) -> None:
    assert RULES[rule_id].stage in (Stage.LIFECYCLE, Stage.RECORD)


@pytest.mark.parametrize(
    "rule_id",
    [
        "EE-02",  # Denmark not bound: recital not read
        "EE-09",  # the Art. 5(4)(b)-(c) directive list
        "EE-31",  # the Annex IV list
        "EE-26",  # accepted languages (Art. 9, 27, 31)
        "EE-20",
        "EE-21",
        "EE-22",
        "EE-29",
        "EE-35",
        "BC-03",  # the Party list
        "INS-01",  # CETS 224 Arts. 7-9 article bodies
    ],
)
def test_unconfirmed_facts_are_flagged(rule_id: str) -> None:
    assert RULES[rule_id].confidence is Confidence.UNCONFIRMED


def test_every_protocol_rule_is_unconfirmed() -> None:
    protocol = [rule for rule in CATALOGUE if rule.instrument is Family.PROTOCOL]
    assert len(protocol) >= 4
    assert all(rule.confidence is Confidence.UNCONFIRMED for rule in protocol)


@pytest.mark.parametrize("rule_id", ["EE-05", "EE-11", "EE-12", "BC-01"])
def test_rules_read_in_the_legal_text_are_confirmed(rule_id: str) -> None:
    assert RULES[rule_id].confidence is Confidence.CONFIRMED


def test_a_rule_without_check_or_enforcement_is_refused() -> None:
    with pytest.raises(ValueError, match="where it is enforced"):
        Rule(
            id="EE-99",
            instrument=Family.REGULATION,
            citation="Regulation (EU) 2023/1543, Art. 99",
            severity=RULES["EE-01"].severity,
            explanation="Nothing.",
            confidence=Confidence.UNCONFIRMED,
            source="none",
            stage=Stage.LIFECYCLE,
            applies_to=RULES["EE-01"].applies_to,
        )
