"""Regulation (EU) 2021/784: one case per rule and per exception, each citing its article.

The removal order is the valid example of tests/contract; each case changes one fact and names the
rule it expects, or none.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from broker.legal import CATALOGUE
from broker.legal import Confidence
from broker.legal import Family
from broker.legal import InvalidCheckInput
from broker.legal import Severity
from broker.legal import Stage
from broker.legal.removal import RemovalCheckInput
from broker.legal.removal import check_removal_order
from tests.removal.examples import removal_order

ISSUED = datetime(2024, 4, 5, 9, 0, tzinfo=UTC)  # the example withholds until 2024-05-15: under 6 weeks
TCO = {rule.id: rule for rule in CATALOGUE if rule.instrument is Family.TCO}


def _given(**changes: Any) -> RemovalCheckInput:
    """A later order to a provider registered as a contact point: nothing to find."""
    return replace(
        RemovalCheckInput(
            order=removal_order(),
            issued_at=ISSUED,
            addressee_registered_as="contact_point",
            earlier_orders_to_provider=3,
            procedures_notice_at=None,
        ),
        **changes,
    )


def _order(**members: Any) -> dict[str, Any]:
    order = copy.deepcopy(removal_order())
    for path, value in members.items():
        node: Any = order
        *parents, last = path.split("__")
        for step in parents:
            node = node[int(step)] if isinstance(node, list) else node[step]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return order


EMERGENCY = {"emergency": True, "emergency_justification": "An attack is announced for tonight."}


@dataclass(frozen=True)
class Case:
    name: str
    given: Callable[[], RemovalCheckInput]
    rules: set[str] = field(default_factory=set)  # the rules expected to find something; none: lawful
    missing_data: bool = False


CASES = [
    Case("a later order to a registered contact point is lawful", _given),
    # TCO-04, Art. 3(2): the first order waits 12 hours after the notice of procedures.
    Case(
        "Art. 3(2) first order 12 hours after the notice",
        lambda: _given(earlier_orders_to_provider=0, procedures_notice_at=ISSUED - timedelta(hours=12)),
    ),
    Case(
        "Art. 3(2) first order 12 hours less a second after the notice",
        lambda: _given(
            earlier_orders_to_provider=0,
            procedures_notice_at=ISSUED - timedelta(hours=12) + timedelta(seconds=1),
        ),
        {"TCO-04"},
    ),
    Case(
        "Art. 3(2) first order without any notice",
        lambda: _given(earlier_orders_to_provider=0),
        {"TCO-04"},
        missing_data=True,
    ),
    Case(
        "Art. 3(2) exception: a duly justified emergency needs no notice",
        lambda: _given(earlier_orders_to_provider=0, order=_order(**EMERGENCY)),
    ),
    Case(
        "Art. 3(2) exception: an emergency an hour after the notice",
        lambda: _given(
            earlier_orders_to_provider=0,
            procedures_notice_at=ISSUED - timedelta(hours=1),
            order=_order(**EMERGENCY),
        ),
    ),
    Case(
        "Art. 3(2) an emergency justified by blanks is no exception",
        lambda: _given(order=_order(emergency=True, emergency_justification="   ")),
        {"TCO-05"},
    ),
    # TCO-05, Art. 3(4) and Annex I: the contents must say something.
    Case(
        "Annex I (b) a blank statement of reasons",
        lambda: _given(order=_order(reasons__statement=" ")),
        {"TCO-05"},
    ),
    Case("Annex I (f) blank redress information", lambda: _given(order=_order(redress="\t")), {"TCO-05"}),
    Case(
        "Annex I (c) the same URL twice",
        lambda: _given(order=_order(content=[{"url": "https://a.test/x"}, {"url": "https://a.test/x"}])),
        {"TCO-05"},
    ),
    Case("Annex I (g) no withholding decided", lambda: _given(order=_order(withholding=None))),
    # TCO-17, Art. 11(3): withholding for at most 6 weeks at a time.
    Case(
        "Art. 11(3) withholding for exactly 6 weeks",
        lambda: _given(order=_order(withholding__until="2024-05-17")),
    ),
    Case(
        "Art. 11(3) withholding for 6 weeks and a day",
        lambda: _given(order=_order(withholding__until="2024-05-18")),
        {"TCO-17"},
    ),
    Case(
        "Art. 11(3) withholding that ends on the day of issue",
        lambda: _given(order=_order(withholding__until="2024-04-05")),
        {"TCO-17"},
    ),
    Case(
        "Art. 11(3) withholding without reasons in words",
        lambda: _given(order=_order(withholding__reasons="  ")),
        {"TCO-17"},
    ),
    # TCO-22, Art. 3(5), 15, 17: the contact point or the legal representative, as registered.
    Case(
        "Art. 17 a legal representative registered as one",
        lambda: _given(
            addressee_registered_as="legal_representative",
            order=_order(addressee__addressee_type="legal_representative"),
        ),
    ),
    Case(
        "Art. 15 a contact point the registry calls a legal representative",
        lambda: _given(addressee_registered_as="legal_representative"),
        {"TCO-22"},
    ),
    Case(
        "Art. 15 a designated establishment under Directive 2023/1544 is no contact point",
        lambda: _given(addressee_registered_as="designated_establishment"),
        {"TCO-22"},
    ),
    Case(
        "Art. 15 the registry does not say",
        lambda: _given(addressee_registered_as=None),
        {"TCO-22"},
        missing_data=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_rule_and_exception(case: Case) -> None:
    report = check_removal_order(case.given())
    assert {finding.rule_id for finding in report.findings} == case.rules
    assert report.blocking is bool(case.rules)  # every TCO issuing rule is an error
    assert all(finding.missing_data is case.missing_data for finding in report.findings)
    for finding in report.findings:
        assert finding.citation == TCO[finding.rule_id].citation
        assert finding.instrument is Family.TCO


def test_case_names_are_unique() -> None:
    assert len({case.name for case in CASES}) == len(CASES)


def test_the_report_tells_the_workflow_the_hour_and_whether_it_is_a_first_order() -> None:
    assert check_removal_order(_given()).derived == {
        "deadline": "removal_1_hour",
        "first_order": False,
        "scrutiny_state": "IE",  # TCO-11, Art. 4(1): from Paris to an Irish contact point
    }
    first = _given(earlier_orders_to_provider=0, order=_order(**EMERGENCY))
    assert check_removal_order(first).derived["first_order"] is True


def test_an_order_to_an_addressee_at_home_sends_no_copy() -> None:
    """Art. 4(1) concerns an addressee in another Member State only."""
    order = _order()
    order["addressee"]["country"] = order["issuing_authority"]["country"]
    assert check_removal_order(_given(order=order)).derived["scrutiny_state"] is None


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        pytest.param({"order": _order(content=[])}, "order", id="Annex I (c) no URL is a schema refusal"),
        pytest.param({"issued_at": datetime(2024, 4, 5, 9, 0)}, "issued_at", id="a naive instant of issue"),
        pytest.param(
            {"procedures_notice_at": datetime(2024, 4, 4, 9, 0)}, "procedures_notice_at", id="a naive notice"
        ),
    ],
)
def test_input_the_rules_cannot_read_is_refused_by_field(changes: dict[str, Any], field_name: str) -> None:
    with pytest.raises(InvalidCheckInput) as refusal:
        check_removal_order(_given(**changes))
    assert field_name in refusal.value.errors


def test_the_catalogue_holds_the_removal_order_rules_with_their_articles() -> None:
    assert {
        rule_id: rule.citation.removeprefix("Regulation (EU) 2021/784, ") for rule_id, rule in TCO.items()
    } == {
        "TCO-03": "Art. 3(3)",
        "TCO-04": "Art. 3(2)",
        "TCO-05": "Art. 3(4), Annex I",
        "TCO-06": "Art. 3(5)",
        "TCO-07": "Art. 3(6), Annex II",
        "TCO-08": "Art. 3(7), Annex III",
        "TCO-09": "Art. 3(8), Annex III",
        "TCO-11": "Art. 4(1)",
        "TCO-12": "Art. 4(3)-(4)",
        "TCO-13": "Art. 4(5)-(7)",
        "TCO-14": "Art. 6(1)",
        "TCO-15": "Art. 6(2)",
        "TCO-16": "Art. 11(1)-(2)",
        "TCO-17": "Art. 11(3)",
        "TCO-18": "Art. 10",
        "TCO-22": "Art. 3(5), Art. 15, Art. 17",
    }


@pytest.mark.parametrize("rule_id", ["TCO-04", "TCO-05", "TCO-07", "TCO-13", "TCO-15", "TCO-17"])
def test_unconfirmed_facts_are_flagged(rule_id: str) -> None:
    """The 12 hours, the Annex I and II forms, Art. 4(5)-(7), the six months' extension and the 6 weeks
    were not read in the Official Journal."""
    assert TCO[rule_id].confidence is Confidence.UNCONFIRMED


@pytest.mark.parametrize("rule_id", ["TCO-03", "TCO-06", "TCO-08", "TCO-09", "TCO-22"])
def test_rules_read_in_a_source_are_confirmed(rule_id: str) -> None:
    assert TCO[rule_id].confidence is Confidence.CONFIRMED


@pytest.mark.parametrize("rule_id", ["TCO-12", "TCO-14"])
def test_rules_read_only_in_secondary_sources(rule_id: str) -> None:
    """TCO-12: the 72 hours were read in part of the text and a guide, not the Official Journal, and the
    48-hour request window says UNCONFIRMED in its words; TCO-14: the duty to preserve, in guides."""
    assert TCO[rule_id].confidence is Confidence.SECONDARY
    assert "UNCONFIRMED" in TCO["TCO-12"].explanation


@pytest.mark.parametrize("rule_id", ["TCO-16", "TCO-18"])
def test_content_provider_rights_read_in_secondary_sources(rule_id: str) -> None:
    """TCO-16: Art. 11(1)'s duty and its exception, on BIPT's page; TCO-18: the two weeks, in Tech Against
    Terrorism's guide. Whether Art. 10 reaches a removal order's content is flagged in the rule's words."""
    assert TCO[rule_id].confidence is Confidence.SECONDARY
    assert "UNCONFIRMED" in TCO["TCO-18"].explanation


def test_issuing_rules_are_checked_here_and_the_others_say_where_they_are_enforced() -> None:
    for rule in TCO.values():
        assert rule.severity is Severity.ERROR
        assert rule.check is None  # the certificate engine never runs them on an EPOC
        if rule.stage is Stage.ISSUING:
            assert (
                rule.enforced_by
                == "broker.legal.removal.check_removal_order, on the removal order before it leaves."
            )
        else:
            assert rule.enforced_by and "broker." in rule.enforced_by
