"""Run the catalogue's issuing-stage rules on one order and report what blocks it."""

from collections.abc import Mapping

from broker.legal.catalogue import CATALOGUE
from broker.legal.derived import derive
from broker.legal.facts import Facts
from broker.legal.model import CheckInput
from broker.legal.model import Finding
from broker.legal.model import Issue
from broker.legal.model import Report
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.reference import ReferenceData
from broker.legal.reference import load_reference
from broker.legal.validation import InvalidCheckInput
from broker.legal.validation import validate_check_input
from broker.wire.requirements import requirement

RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in CATALOGUE}


def check(order: CheckInput, reference: ReferenceData | None = None) -> Report:
    """Every finding for this order under the instrument it names, and the facts derived from it.

    Raises InvalidCheckInput, naming the fields, for an order the wire schema refuses; its findings
    name the rule that owns each refused member, as a finding of the engine would. Never raises for an
    order the schema accepts.
    """
    errors = validate_check_input(order)
    if errors:
        raise InvalidCheckInput(errors, refusals(order, errors))
    reference = reference or load_reference()
    facts = Facts.of(order)
    findings = tuple(
        finding(rule, issue, order.overrides)
        for rule in CATALOGUE
        if rule.check is not None and facts.instrument in rule.applies_to
        for issue in rule.check(facts, reference)
    )
    return Report(findings=findings, derived=derive(facts, reference))


def refusals(order: CheckInput, errors: Mapping[str, list[str]]) -> tuple[Finding, ...]:
    """The schema's refusals of members a legal rule owns, as blocking findings of that rule.

    The messages already carry the rule, citation and how to fix (broker.wire.requirements rewrites
    them); a member no rule owns gives no finding and stays in InvalidCheckInput.errors alone.
    """
    certificate = order.certificate if isinstance(order.certificate, Mapping) else {}
    found: list[Finding] = []
    for path, messages in errors.items():
        owner = requirement(path, certificate.get("instrument"), order.order_type)
        rule = RULES_BY_ID.get(owner.rule_id) if owner else None
        if rule is None:
            continue
        found.append(
            Finding(
                rule_id=rule.id,
                instrument=rule.instrument,
                citation=rule.citation,
                severity=Severity.ERROR,  # the schema refuses: nothing can be issued until it is fixed
                message=" ".join(messages),
                fields=(path,),
                confidence=rule.confidence,
                missing_data=False,
            )
        )
    return tuple(found)


def finding(rule: Rule, issue: Issue, overrides: Mapping[str, str] | None = None) -> Finding:
    """The rule's finding on one issue; an overridable rule's is overruled by a reason in `overrides`."""
    reason = (overrides or {}).get(rule.id, "").strip() if rule.overridable else ""
    return Finding(
        rule_id=rule.id,
        instrument=rule.instrument,
        citation=rule.citation,
        severity=rule.severity,
        message=issue.message,
        fields=issue.fields,
        confidence=rule.confidence,
        missing_data=issue.missing_data,
        overridable=rule.overridable,
        overridden=reason or None,
    )
