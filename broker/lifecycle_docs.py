"""docs/lifecycle.md, rendered from broker.lifecycle so the page cannot drift from the table.

Regenerate with: python -m broker.lifecycle_docs > docs/lifecycle.md
"""

import sys

from broker.lifecycle import KEEP
from broker.lifecycle import REMOVAL_CLOCK
from broker.lifecycle import REMOVAL_RULES
from broker.lifecycle import RESUME
from broker.lifecycle import RULES
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
"""


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
        types = ", ".join(sorted(t.value for t in rule.order_types))
        states = ", ".join(sorted(state.value for state in rule.states))
        clocks = ", ".join(f"{effect.value} {clock.value}" for clock, effect in rule.clocks) or "—"
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
when the reasons cease or the clarification is received. Facts marked UNCONFIRMED await checking
against the Official Journal. The endpoints do not carry removal orders yet
([removal-orders.md](removal-orders.md#not-yet)): this table is what the workflow will apply.

| from states | message | sent by | to | clock | why |
| --- | --- | --- | --- | --- | --- |"""


def _removal_rows() -> list[str]:
    rows = []
    for rule in REMOVAL_RULES:
        states = ", ".join(sorted(state.value for state in rule.states))
        clock = f"{rule.clock.value} {REMOVAL_CLOCK}" if rule.clock else "—"
        sender = rule.side.value.replace("_", " ")
        rows.append(
            f"| {states} | `{rule.event}` | {sender} | `{rule.target.value}` | {clock} | {rule.why} |"
        )
    return rows


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
