"""Run the catalogue's issuing-stage rules on one order and report what blocks it."""

from broker.legal.catalogue import CATALOGUE
from broker.legal.derived import derive
from broker.legal.facts import Facts
from broker.legal.model import CheckInput
from broker.legal.model import Finding
from broker.legal.model import Issue
from broker.legal.model import Report
from broker.legal.model import Rule
from broker.legal.reference import ReferenceData
from broker.legal.reference import load_reference
from broker.legal.validation import InvalidCheckInput
from broker.legal.validation import validate_check_input


def check(order: CheckInput, reference: ReferenceData | None = None) -> Report:
    """Every finding for this order under the instrument it names, and the facts derived from it.

    Raises InvalidCheckInput, naming the fields, for an order the wire schema refuses; never raises
    for one it accepts.
    """
    errors = validate_check_input(order)
    if errors:
        raise InvalidCheckInput(errors)
    reference = reference or load_reference()
    facts = Facts.of(order)
    findings = tuple(
        _finding(rule, issue)
        for rule in CATALOGUE
        if rule.check is not None and facts.instrument in rule.applies_to
        for issue in rule.check(facts, reference)
    )
    return Report(findings=findings, derived=derive(facts, reference))


def _finding(rule: Rule, issue: Issue) -> Finding:
    return Finding(
        rule_id=rule.id,
        instrument=rule.instrument,
        citation=rule.citation,
        severity=rule.severity,
        message=issue.message,
        fields=issue.fields,
        confidence=rule.confidence,
        missing_data=issue.missing_data,
    )
