"""docs/legal-rules.md, rendered from the catalogue so the page cannot drift from the code."""

from collections.abc import Iterable

from broker.legal.catalogue import CATALOGUE
from broker.legal.model import Family
from broker.legal.model import Rule
from broker.legal.reference import FILES
from broker.legal.reference import load_reference
from broker.legal.routes import ALL_ROUTES
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.legal.routes import Route
from broker.legal.routes import Timer
from broker.vocabulary import Instrument
from broker.wire.requirements import OWNERS

COMMAND = "python -m broker.legal.docs > docs/legal-rules.md"

TITLES = {
    Family.CHOICE: "Choice of instrument",
    Family.REGULATION: "Regulation (EU) 2023/1543: European Production and Preservation Orders",
    Family.BUDAPEST: "Budapest Convention on Cybercrime (CETS 185): Art. 29 preservation requests",
    Family.PROTOCOL: "Second Additional Protocol to the Budapest Convention (CETS 224): Arts. 7, 8 and 9",
    Family.TCO: "Regulation (EU) 2021/784: removal orders of terrorist content online",
    Family.UK_US: "UK overseas production orders under the UK-US Data Access Agreement",
    Family.DSA: "Regulation (EU) 2022/2065 (Digital Services Act), Art. 18: notifications of threats to life or safety",
}
# Removal orders and overseas production orders are not certificates and name no Instrument: their rules
# apply to the order itself.
APPLIES_TO = {
    Family.TCO: "removal orders (broker.legal.removal.check_removal_order)",
    Family.UK_US: "overseas production orders (broker.legal.overseas.check_overseas_order)",
    Family.DSA: "providers' notifications of suspected threats to life or safety (broker.orders.threats)",
}

INTRODUCTION = f"""\
# Legal rules the broker checks

<!-- Generated from broker/legal; do not edit. Regenerate with: {COMMAND} -->

Every order names its legal instrument in the certificate member `instrument`. Before a
certificate leaves the issuing authority, `broker.legal.check` runs the issuing-stage rules of
that instrument and reports findings; rules for later stages are listed here with where the
broker enforces them. Nothing here is legal advice.

## How to read this page

- **Id**: stable; a finding names it. EE-01 to EE-30 follow the research notes (legal-rules.md
  §6.1), BC and P2 rules its §6.3, CO and CL rules its §6.5 (UK overseas production orders,
  checked by `broker.legal.overseas.check_overseas_order`), TCO rules tco-dsa.md (removal orders
  under Regulation (EU) 2021/784, checked by `broker.legal.removal.check_removal_order`); other
  numbers are the broker's additions.
- **Severity**: *error* blocks issuing; *warning* lets the certificate go but should be read.
- **Stage**: *issuing* is checked on the certificate before it leaves; *lifecycle* is enforced
  later by the order workflow; *record* is a duty to keep data or records.
- **Confidence**: *confirmed* means the legal text was read; *secondary* means only commentary, a
  summary or official guidance was; *unconfirmed* means neither was, so verify the rule against the
  Official Journal or the Council of Europe text before relying on it.
- **Source**: where the rule was researched (keys such as E2 or B3 are the sources listed in
  legal-rules.md) and the reference data it reads.
- A finding whose message starts with "Needs data" could not be decided: it names the fields to
  give. `Report.derived` carries `notification_required`, `notify_state`, `deadline` and
  `ex_post_validation_required` for the order workflow.
- **Owns**: the certificate members a rule answers for (the table is `broker/wire/requirements.py`).
  When the wire schema refuses one of them (missing, empty or of the wrong type), its message starts
  with the rule id and citation and ends with the same how-to-fix the rule's finding gives for a
  member the schema accepts but the law does not (a blank statement, a false attestation).
- **Overridable**: the law asks for it only "where necessary", which a person judges: a finding of
  such a rule may be overruled with a reason (`CheckInput.overrides`, by rule id); it is kept with
  that reason and never blocks.
"""


def render_markdown(catalogue: Iterable[Rule] = CATALOGUE) -> str:
    """The whole page: introduction, one section per instrument family, reference data versions."""
    rules = tuple(catalogue)
    sections = [INTRODUCTION]
    for family, title in TITLES.items():
        members = [rule for rule in rules if rule.instrument is family]
        if members:
            sections.append(f"## {title}\n")
            sections.extend(_rule(rule) for rule in members)
    sections.append(_routes(ALL_ROUTES))
    sections.append(_reference())
    return "\n".join(sections)


def _rule(rule: Rule) -> str:
    lines = [
        f"### {rule.id}: {rule.citation}",
        "",
        rule.explanation,
        "",
        f"- Severity: {rule.severity} · Stage: {rule.stage} · Confidence: {rule.confidence}",
        f"- Applies to: {APPLIES_TO.get(rule.instrument) or ', '.join(i for i in Instrument if i in rule.applies_to)}",
        f"- Source: {rule.source}",
    ]
    if rule.enforced_by:
        lines.append(f"- Enforced by: {rule.enforced_by}")
    owned = _owned(rule)
    if owned:
        lines.append(f"- Owns: {owned}")
    if rule.overridable:
        lines.append("- Overridable: a person may overrule its findings with a reason")
    return "\n".join(lines) + "\n"


def _owned(rule: Rule) -> str:
    """'`case_summary`, `purpose` (epoc-pr)': the members this rule owns, by broker.wire.requirements."""
    members = []
    for path, owners in OWNERS.items():
        keys = [key for key, owner in owners.items() if owner.rule_id == rule.id]
        qualifiers = sorted({key.split(":", 1)[1] for key in keys if ":" in key})
        if keys:
            only = f" ({', '.join(qualifiers)})" if qualifiers and len(qualifiers) == len(keys) else ""
            members.append(f"`{path}`{only}")
    return ", ".join(members)


ROUTES_INTRODUCTION = """\
## Routes and clocks outside the Regulation

The Regulation's route and clocks are the lifecycle table ([lifecycle.md](lifecycle.md)). The treaties
and the UK's overseas production orders go other ways; `broker.legal.routes` holds each as data: who
receives the order first, who is told at the same time, the clocks and the event each runs from, and
what follows when one falls due. A period is in time up to and including its last instant. Periods
in UK days or months begin with the day of the event, in UK time.
"""


CARRIED = {
    True: "through that authority, which takes delivery (POST /orders/{id}/receive) and serves it on the provider "
    "(POST /orders/{id}/serve); the provider sees it only once served",
    False: "to the provider directly",
}


def _refusal(route: Route) -> str:
    """Whether the route's authority may refuse to give effect to the order, on which grounds, and why."""
    refusal = route.refusal
    if refusal is None:
        return "- Refusal by the first recipient: none the broker carries"
    grounds = ", ".join(f"`{ground}`" for ground in refusal.grounds)
    return (
        f"- Refusal by the first recipient (`requested-party-refusal`): on {grounds} only; {refusal.citation} "
        f"· Confidence: {refusal.confidence} · Source: {refusal.source}"
    )


def _routes(routes: Iterable[Route]) -> str:
    parts = [ROUTES_INTRODUCTION]
    for route in routes:
        when = f" ({route.when})" if route.when else ""
        lines = [
            f"### {route.name}{when}: {route.citation}",
            "",
            f"- First recipient: {route.channel} · Confidence: {route.confidence}",
            f"- The broker carries it: {CARRIED[route.name in SERVED_BY_AUTHORITY]}",
            f"- Told at the same time: {route.notify or 'nobody'}",
            f"- After a refusal or silence: {', '.join(route.follow_up)}",
            *(_timer(timer) for timer in route.timers),
            _refusal(route),
            *([f"- Source: {route.source}"] if route.source else []),
        ]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _timer(timer: Timer) -> str:
    return (
        f"- Clock `{timer.name}`: {timer.describe()}, from {timer.runs_from.replace('_', ' ')} ({timer.citation}, "
        f"{timer.confidence}); then {timer.then}"
    )


def _reference() -> str:
    versions = load_reference().versions
    rows = "\n".join(f"| `broker/legal/reference/{name}` | {versions[name]} |" for name in FILES)
    return (
        "## Reference data\n\n"
        "Lists that change without the law changing are data, each entry with its source and confidence.\n\n"
        "| File | Version (updated) |\n|---|---|\n"
        f"{rows}\n"
    )
