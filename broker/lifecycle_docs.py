"""docs/lifecycle.md, rendered from broker.lifecycle so the page cannot drift from the table.

Regenerate with: python -m broker.lifecycle_docs > docs/lifecycle.md
"""

import sys

from broker.lifecycle import KEEP
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
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
