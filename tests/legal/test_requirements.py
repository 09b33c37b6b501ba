"""Every refusal names its rule: the same rule id, citation and how-to-fix whether a member is missing,
empty, of the wrong type (the wire schema refuses) or present but saying nothing (the rule refuses).

One row per rule and member, citing the article; then the table itself is held to the catalogue and
to every member the certificate schemas require.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from marshmallow import ValidationError
from marshmallow import fields

from broker.legal import CATALOGUE
from broker.legal import CheckInput
from broker.legal import InvalidCheckInput
from broker.legal import Severity
from broker.legal import check
from broker.legal.rules.declare import FAMILY
from broker.vocabulary import Instrument
from broker.wire.certificates import EpocPrSchema
from broker.wire.certificates import EpocSchema
from broker.wire.registry import validate_body
from broker.wire.requirements import FORM_ONLY
from broker.wire.requirements import OWNERS
from broker.wire.requirements import STRUCTURAL
from broker.wire.requirements import form_only
from broker.wire.requirements import requirement
from tests.legal.situations import Change
from tests.legal.situations import Situation
from tests.legal.situations import drop
from tests.legal.situations import put
from tests.legal.situations import situation

RULES = {rule.id: rule for rule in CATALOGUE}
MISSING, EMPTY, WRONG = "missing", "empty", "wrong type"


@dataclass(frozen=True)
class Row:
    """A member a rule owns, in a lawful baseline, and the ways a caseworker can get it wrong."""

    rule: str
    article: str  # what the row cites, checked against the rule's citation
    kind: str  # the baseline (tests/legal/situations.py)
    path: str
    setup: tuple[Change, ...] = ()
    refused: tuple[tuple[str, Any], ...] = ()  # (how, value): the wire schema refuses
    flagged: tuple[Any, ...] = ()  # values the schema accepts and the rule refuses

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.kind}-{self.path}"


BLANK = "   "
STATEMENT = ((MISSING, None), (EMPTY, ""), (WRONG, 42))
EMERGENCY = (put("emergency", True), put("emergency_justification", "A child is held now."))
DELAY = (put("user_information", {"decision": "delay", "justification": "It would warn the suspect."}),)
SENTENCE = (
    put("purpose", "sentence_execution"),
    put("sentence", {"imposed_months": 12, "rendered_in_absentia": False, "absconded": True}),
)
ROWS = [
    Row("INS-01", "Art. 9(1)", "epoc", "instrument", refused=((MISSING, None), (WRONG, "treaty"))),
    Row(
        "EE-09",
        "Art. 5(4)",
        "epoc",
        "offence.maximum_penalty_months",
        refused=((MISSING, None), (WRONG, "five years")),
    ),
    Row("EE-10", "Art. 5(3)", "epoc", "sentence", SENTENCE, refused=((MISSING, None),)),
    Row(
        "EE-10",
        "Art. 5(3)",
        "epoc",
        "sentence.absconded",
        SENTENCE,
        refused=((MISSING, None), (WRONG, "yes")),
    ),
    Row(
        "EE-11",
        "Art. 5(2)",
        "epoc",
        "necessity_and_proportionality",
        refused=STATEMENT,
        flagged=(BLANK,),
    ),
    Row(
        "EE-11",
        "Art. 5(2)",
        "epoc",
        "similar_domestic_order_possible",
        refused=((MISSING, None), (WRONG, "yes")),
        flagged=(False,),
    ),
    Row("EE-12", "Art. 8(1)-(2)", "epoc", "person_resides_in_issuing_state", refused=((WRONG, "no"),)),
    Row("EE-15", "Art. 10(4)", "epoc", "emergency", refused=((MISSING, None), (WRONG, "true"))),
    Row("EE-15", "Art. 10(4)", "epoc", "emergency_justification", EMERGENCY, STATEMENT, (BLANK,)),
    Row("EE-24", "Art. 13(1)-(3)", "epoc", "user_information", refused=((MISSING, None),)),
    Row("EE-24", "Art. 13(1)-(3)", "epoc", "user_information.justification", DELAY, STATEMENT, (BLANK,)),
    Row("EE-26", "Art. 9(3)-(5)", "epoc", "language", refused=((MISSING, None), (WRONG, "EN"))),
    Row("EE-31", "Annex IV", "epoc", "offence.annex_iv_category", refused=((EMPTY, ""),)),
    Row("EE-35", "Art. 6", "epoc-pr", "sentence", SENTENCE, refused=((MISSING, None),)),
    Row("EE-36", "Art. 5(5)", "epoc", "case_summary", refused=STATEMENT, flagged=(BLANK,)),
    Row("EE-36", "Art. 5(5)", "epoc", "offence.description", refused=STATEMENT, flagged=(BLANK,)),
    Row("EE-36", "Art. 5(5)", "epoc", "targets", refused=((MISSING, None), (EMPTY, []), (WRONG, "x"))),
    Row("EE-36", "Art. 5(5)", "epoc", "targets.0.value", refused=STATEMENT, flagged=(BLANK,)),
    Row("EE-36", "Art. 5(5)", "epoc", "data_categories", refused=((MISSING, None), (EMPTY, []))),
    Row("EE-36", "Art. 5(5)", "epoc", "time_range", refused=((MISSING, None), (WRONG, "last month"))),
    Row(
        "EE-36",
        "Art. 6(2)-(3)",
        "epoc-pr",
        "necessity_and_proportionality",
        refused=STATEMENT,
        flagged=(BLANK,),
    ),
    Row("EE-36", "Art. 6(2)-(3)", "epoc-pr", "subsequent_request", refused=((MISSING, None), (WRONG, "eaw"))),
    Row(
        "EE-37",
        "Art. 3(10)",
        "epoc",
        "identification",
        (
            put("data_categories", ["user_identification"]),
            put(
                "identification",
                [{"ip_address": "203.0.113.7", "source_port": 443, "timestamp": "2026-10-01T21:14:09Z"}],
            ),
        ),
        refused=((MISSING, None), (EMPTY, [])),
    ),
    Row(
        "EE-37",
        "Art. 3(10)",
        "epoc",
        "identification.0.timestamp",
        (
            put("data_categories", ["user_identification"]),
            put(
                "identification",
                [{"ip_address": "203.0.113.7", "source_port": 443, "timestamp": "2026-10-01T21:14:09Z"}],
            ),
        ),
        refused=((MISSING, None), (WRONG, "yesterday")),
    ),
    Row(
        "BC-01",
        "Art. 29(2)",
        "art29",
        "subsequent_request",
        refused=((MISSING, None), (WRONG, "x")),
        flagged=("epo",),
    ),
    Row("BC-01", "Art. 29(2)", "art29", "necessity_and_proportionality", refused=STATEMENT, flagged=(BLANK,)),
    Row("BC-01", "Art. 29(2)", "art29", "case_summary", refused=STATEMENT, flagged=(BLANK,)),
    Row("BC-01", "Art. 29(2)", "art29", "targets", refused=((MISSING, None),)),
    Row("P2-03", "Art. 9(1)", "art9", "emergency_justification", refused=STATEMENT, flagged=(BLANK,)),
    Row("P2-12", "Art. 4", "art7", "language", refused=((MISSING, None),)),
    Row("P2-15", "Arts. 7, 8 and 9", "art7", "case_summary", refused=STATEMENT, flagged=(BLANK,)),
    Row("P2-15", "Arts. 7, 8 and 9", "art8", "offence.description", refused=STATEMENT, flagged=(BLANK,)),
    Row("P2-15", "Arts. 7, 8 and 9", "art7", "offence.maximum_penalty_months", refused=((MISSING, None),)),
]


def _changed(row: Row, value: Any) -> Situation:
    change = drop(row.path) if value is None else put(row.path, value)
    return situation(row.kind, *row.setup, change)


def _owner(row: Row, s: Situation) -> Any:
    owner = requirement(row.path, s.certificate.get("instrument"), s.order_type)
    assert owner is not None, row.path
    return owner


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_the_row_cites_its_rules_article(row: Row) -> None:
    rule = RULES[row.rule]
    assert row.article in rule.citation
    s = situation(row.kind, *row.setup)
    assert _owner(row, s).rule_id == rule.id
    assert _owner(row, s).citation == rule.citation
    assert not s.report().blocking, [f.message for f in s.report().findings]


REFUSALS = [(row, how, value) for row in ROWS for how, value in row.refused]


@pytest.mark.parametrize(
    ("row", "how", "value"), REFUSALS, ids=[f"{row.id}-{how}" for row, how, _ in REFUSALS]
)
def test_a_member_the_schema_refuses_names_its_rule_citation_and_fix(row: Row, how: str, value: Any) -> None:
    s = _changed(row, value)
    owner = _owner(row, s)
    with pytest.raises(InvalidCheckInput) as refused:
        s.report()
    [finding] = [f for f in refused.value.findings if f.fields == (row.path,)]
    assert (finding.rule_id, finding.citation, finding.severity) == (row.rule, owner.citation, Severity.ERROR)
    assert finding.message.startswith(f"{row.rule} ({owner.citation}): ")
    assert finding.message.endswith(owner.fix)
    # The same words reach whoever validates the certificate with the wire schema (the API's drafts).
    with pytest.raises(ValidationError) as invalid:
        validate_body(s.order_type, 1, s.certificate)
    assert finding.message in str(invalid.value.messages)


FLAGS = [(row, value) for row in ROWS for value in row.flagged]


@pytest.mark.parametrize(("row", "value"), FLAGS, ids=[f"{row.id}-{value!r}" for row, value in FLAGS])
def test_a_member_the_schema_accepts_but_the_rule_refuses_reads_the_same(row: Row, value: Any) -> None:
    s = _changed(row, value)
    owner = _owner(row, s)
    findings = [f for f in s.report().findings if f.rule_id == row.rule]
    assert [f.fields for f in findings] == [(row.path,)]
    assert findings[0].citation == owner.citation
    assert findings[0].message.endswith(owner.fix)
    assert s.report().blocking


# "Where necessary" (Art. 3(10)): a finding a person overrules with a reason, not a refusal ---------


def _without_port() -> Situation:
    return situation(
        "epoc",
        put("data_categories", ["user_identification"]),
        put("identification", [{"ip_address": "203.0.113.7", "timestamp": "2026-10-01T21:14:09Z"}]),
    )


def _with(s: Situation, overrides: dict[str, str]) -> CheckInput:
    return CheckInput(s.order_type, s.certificate, s.addressee_languages, s.issuing_date, overrides)


def test_an_ip_address_without_a_source_port_is_a_finding_not_a_refusal() -> None:
    [finding] = _without_port().report().findings
    assert (finding.rule_id, finding.fields) == ("EE-37", ("identification.0.source_port",))
    assert (finding.overridable, finding.overridden) == (True, None)
    assert "overrule" in finding.message


def test_a_reason_overrules_it_and_stays_on_the_record() -> None:
    reason = "A fixed address assigned to one subscriber: no port is needed to identify the user."
    [finding] = check(_with(_without_port(), {"EE-37": reason})).findings
    assert finding.overridden == reason
    assert finding.to_dict()["overridden"] == reason
    assert not finding.blocks


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_reason_overrules_nothing(reason: str) -> None:
    [finding] = check(_with(_without_port(), {"EE-37": reason})).findings
    assert finding.overridden is None
    assert "overridden" not in finding.to_dict()


def test_a_rule_that_is_not_overridable_cannot_be_overruled() -> None:
    s = situation("epoc", put("necessity_and_proportionality", BLANK))
    report = check(_with(s, {"EE-11": "We are sure it is necessary."}))
    [finding] = report.findings
    assert (finding.rule_id, finding.overridden, report.blocking) == ("EE-11", None, True)


def test_only_rules_for_where_necessary_are_overridable() -> None:
    assert {rule.id for rule in CATALOGUE if rule.overridable} == {"EE-37"}


# The table itself --------------------------------------------------------------------------------

GROUP_INSTRUMENTS = {
    "reg-2023-1543": {Instrument.REG_2023_1543},
    "cets-185-art29": {Instrument.CETS_185_ART29},
    "cets-224": {Instrument.CETS_224_ART7, Instrument.CETS_224_ART8, Instrument.CETS_224_ART9},
}


@pytest.mark.parametrize("path", sorted(OWNERS))
def test_every_owner_is_a_catalogue_rule_of_that_instrument_with_its_own_citation(path: str) -> None:
    for key, owner in OWNERS[path].items():
        rule = RULES[owner.rule_id]
        assert owner.citation == rule.citation, (path, key)
        instruments = GROUP_INSTRUMENTS[key.split(":")[0]]
        assert (
            instruments <= rule.applies_to
            or FAMILY[next(iter(instruments))] is rule.instrument
            or (rule.id == "INS-01")
        ), (path, key, rule.id)
        assert owner.fix.endswith("."), (path, key)


def _required(schema: Any, prefix: str = "") -> set[str]:
    """Every member a certificate schema requires outright, nested members included."""
    found: set[str] = set()
    for name, field in schema._declared_fields.items():
        path = f"{prefix}{name}"
        if field.required:
            found.add(path)
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            nested = f"{path}.*." if isinstance(field, fields.List) else f"{path}."
            found |= _required(inner.nested, nested)
    return found


# Members required only under a condition (the schemas' cross-field rules).
CONDITIONAL = {"identification", "sentence", "emergency_justification", "user_information.justification"}
ORDER_INSTRUMENTS = {
    "epoc": ["reg-2023-1543", "cets-224-art7", "cets-224-art8", "cets-224-art9"],
    "epoc-pr": ["reg-2023-1543", "cets-185-art29"],
}


@pytest.mark.parametrize(("order_type", "schema"), [("epoc", EpocSchema), ("epoc-pr", EpocPrSchema)])
def test_every_required_member_is_owned_by_a_rule_or_says_why_not(order_type: str, schema: Any) -> None:
    members = (_required(schema) | CONDITIONAL) - (
        {"user_information.justification"} if order_type != "epoc" else set()
    )
    for instrument in ORDER_INSTRUMENTS[order_type]:
        for path in sorted(members):
            if order_type == "epoc-pr" and path.startswith("user_information"):
                continue
            structural = any(path == s or path.startswith(f"{s}.") for s in STRUCTURAL)
            owned = requirement(path.replace("*", "0"), instrument, order_type) is not None
            assert owned or structural or form_only(path, instrument), (order_type, instrument, path)


def test_form_only_members_are_never_also_owned() -> None:
    for group, paths in FORM_ONLY.items():
        for path in paths:
            assert group not in OWNERS.get(path, {}), (group, path)
