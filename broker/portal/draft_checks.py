"""The legal findings for the guided form's answers, from exactly what the API runs on a draft.

The answers' draft goes through the API's draft schema (`DraftOrderSchema`, as POST /orders/check
reads it) and then `operations.check_draft`, the operation behind POST /orders/check: the registry
completes the certificate, the wire schema checks it, the legal engine reports. A certificate the
schema refuses has no findings yet; its refusals are listed instead, each sent back to the page
that answers it (a refusal of a member a legal rule owns already names that rule, its article and
how to fix it: broker/wire/requirements.py). Nothing is written.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api.schemas.orders import DraftOrderSchema
from broker.clock import Clock
from broker.orders import operations
from broker.portal import draft_form


@dataclass(frozen=True)
class Refusal:
    """Something the certificate still lacks or gets wrong, and the page that answers it."""

    step: str
    path: str
    message: str


@dataclass(frozen=True)
class Assessment:
    """The check of the answers so far: the engine's report once the certificate is whole, else refusals."""

    report: dict[str, Any] | None = None
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.report is not None

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.report["findings"]) if self.report else []

    @property
    def blocking(self) -> bool:
        return bool(self.report["blocking"]) if self.report else True

    def shown(self, visited: set[str]) -> list[Refusal]:
        """The refusals of pages already answered: an unanswered page is not yet a mistake."""
        return [refusal for refusal in self.refusals if refusal.step in visited]

    def to_dict(self, visited: set[str]) -> dict[str, Any]:
        """The JSON the form's script reads (static/drafting.js)."""
        return {
            "complete": self.complete,
            "blocking": self.blocking,
            "findings": self.findings,
            "refusals": [vars(refusal) for refusal in self.shown(visited)],
        }


def assess(session: orm.Session, clock: Clock, actor: Actor, answers: dict[str, str]) -> Assessment:
    """Check the answers' draft as POST /api/v1/orders/check would."""
    order_type, draft = draft_form.draft_of(answers)
    body = {"order_type": order_type.value if order_type else None, "certificate": draft}
    try:
        loaded = DraftOrderSchema().load(body)
        report = operations.check_draft(session, clock, actor, loaded["order_type"], loaded["certificate"])
    except ValidationError as error:
        return Assessment(refusals=refusals(error.messages, answers))
    except (problems.ValidationFailed, problems.InvalidReference) as problem:
        return Assessment(refusals=refusals(problem.extensions.get("errors") or {}, answers))
    return Assessment(report=report)


def refusals(errors: Any, answers: dict[str, str]) -> list[Refusal]:
    """A problem's errors (marshmallow's nesting) as refusals, each at the page that answers its member."""
    found = []
    for path, message in error_paths(errors, ()):
        parts = [part for part in path if part != "certificate"]
        member = str(parts[0]) if parts else "order_type"
        step = draft_form.step_of_member(member, answers)
        found.append(Refusal(step.slug, ".".join(str(part) for part in parts) or member, message))
    return found


def error_paths(errors: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Marshmallow's nested error messages as (path, message) pairs."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from error_paths(value, (*path, key) if key != "_schema" else path)
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        for message in errors:
            yield path, message
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            yield from error_paths(value, (*path, index))
    else:
        yield path, str(errors)
