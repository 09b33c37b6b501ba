"""docs/lifecycle.md, rendered from broker.lifecycle so the page cannot drift from the table.

Regenerate with: python -m broker.lifecycle_docs > docs/lifecycle.md
"""

import sys

from broker.lifecycle import DIRECT
from broker.lifecycle import KEEP
from broker.lifecycle import REMOVAL_CLOCK
from broker.lifecycle import REMOVAL_RULES
from broker.lifecycle import RESUME
from broker.lifecycle import RULES
from broker.lifecycle import THROUGH_AUTHORITY
from broker.lifecycle import RemovalStep
from broker.lifecycle import Rule

COMMAND = "python -m broker.lifecycle_docs > docs/lifecycle.md"

INTRODUCTION = f"""\
# Order lifecycle

<!-- Generated from broker/lifecycle.py; do not edit. Regenerate with: {COMMAND} -->

Every step after issuing is a signed message of a declared type, sent to
`POST /api/v1/orders/{{id}}/messages` (responses also to `…/responses`); taking delivery is
`POST /api/v1/orders/{{id}}/receive`. A step not in this table is refused: `forbidden` (403) when the
sender's side never sends that message, `transition-not-allowed` (409) when the order's state does
not allow it, with the steps that are allowed. Clocks are fired by `broker worker`.

Targets: *resume* returns a paused order to the state it was in; *keep* leaves the state as it is.

An order under CETS 224 Art. 8 or 9, a Budapest Art. 29 preservation request, or a UK overseas
production order goes *through an authority*: the requested Party's competent authority, its 24/7
point of contact, or the UK authority that serves
overseas production orders takes delivery (`POST /api/v1/orders/{{id}}/receive`), then serves the order
on the provider (`POST /api/v1/orders/{{id}}/serve`), and the provider takes delivery of the served
order; the provider sees the order only from service on. Such a route's clocks (`service`, and the
provider's period as the `production` clock) are those of broker/legal/routes.py, each started at the
event the route's data name (receipt, service, or the making of the order, at issue); their lengths
and citations are in [legal-rules.md](legal-rules.md). Under Budapest Art. 29 the preservation
(`preservation`, at least 60 days, Art. 29(7)) runs from the requested Party's receipt.
Rows marked *(directly)* apply only to orders the provider receives directly; unmarked rows to both.
"""


VIA = {DIRECT: " (directly)", THROUGH_AUTHORITY: " (through an authority)"}


def _target(rule: Rule) -> str:
    if rule.by is not None:
        member, targets = rule.by
        return "; ".join(f"`{member}` {value} → {_name(target)}" for value, target in targets.items())
    return _name(rule.target or "")


def _name(target: str) -> str:
    return {RESUME: "*resume*", KEEP: "*keep*"}.get(target, f"`{target}`")


def render_markdown() -> str:
    """The lifecycle table as a page: one row per rule, with its clocks and its legal basis."""
    lines = [
        INTRODUCTION,
        "| order | from states | message | sent by | to | clocks | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in RULES:
        types = ", ".join(sorted(t.value for t in rule.order_types)) + VIA.get(rule.via, "")
        states = ", ".join(sorted(state.value for state in rule.states))
        clocks = ", ".join(f"{effect.value} {clock.value}" for clock, effect in rule.clocks)
        if rule.route_event:
            clocks += ("; " if clocks else "") + f"start the route's clocks that run from {rule.route_event}"
        clocks = clocks or "—"
        for value, extra in rule.also.items():
            clocks += f"; if {value}: " + ", ".join(
                f"{effect.value} {clock.value}" for clock, effect in extra
            )
        sender = rule.side.value.replace("_", " ")
        lines.append(
            f"| {types} | {states} | `{rule.event}` | {sender} | {_target(rule)} | {clocks} | {rule.why or '—'} |"
        )
    return "\n".join([*lines, REMOVAL_INTRODUCTION, *_removal_rows()]) + "\n"


REMOVAL_INTRODUCTION = """
## Removal orders (Regulation (EU) 2021/784)

A removal order obliges a hosting service provider to remove terrorist content, or disable access to
it in all Member States, within one hour of receipt (Art. 3(3)); [removal-orders.md](removal-orders.md)
describes it. The `removal` clock is that hour. *pause* holds it while the provider cannot comply
(Art. 3(7)) or waits for a clarification (Art. 3(8)); *start* after them gives a full hour again, from
when the reasons cease or the clarification is received. The `scrutiny` clock is the host State's
72 hours (Art. 4(3)-(4)), started by the issue step and again by a request for scrutiny; the
`content_preservation` clock is the six months the removed content is preserved (Art. 6(2)). *keep*
leaves the order's state as it is. Facts marked UNCONFIRMED await checking against the Official Journal.

| from states | message | sent by | to | clocks | why |
| --- | --- | --- | --- | --- | --- |"""


def _removal_clocks(step: RemovalStep) -> str:
    hour = [f"{step.clock.value} {REMOVAL_CLOCK}"] if step.clock else []
    return ", ".join([*hour, *(f"{effect.value} {clock.value}" for clock, effect in step.also)]) or "—"


def _removal_rows() -> list[str]:
    rows = []
    for rule in REMOVAL_RULES:
        states = ", ".join(sorted(state.value for state in rule.states))
        sender = rule.side.value.replace("_", " ")
        if rule.by is None:
            step = RemovalStep(rule.target, rule.clock, rule.also)
            target = f"`{step.target.value if step.target else 'keep'}`"
            clocks = _removal_clocks(step)
        else:
            member, steps = rule.by
            target = "; ".join(
                f"{member} {value}: `{answer.target.value if answer.target else 'keep'}`"
                for value, answer in steps.items()
            )
            clocks = "; ".join(f"if {value}: {_removal_clocks(answer)}" for value, answer in steps.items())
        rows.append(f"| {states} | `{rule.event}` | {sender} | {target} | {clocks} | {rule.why} |")
    return rows


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
