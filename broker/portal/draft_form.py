"""The guided form for an EPOC or EPOC-PR: its question pages, and the answers it turns into a draft.

A caseworker answers one page at a time (GOV.UK "one thing per page"). Every answer is a string
under a form field's name, carried from page to page in the form itself, so nothing is kept on the
server until the certificate is complete and stored as an order in state draft, exactly as the
API's POST /orders stores it. `draft_of(answers)` turns the answers into the API's draft body
(broker/api/schemas/orders.py, `DraftOrderSchema`): the field names are the wire certificate's, and
a member is left out until its page is answered, so the schema's "missing" errors say what is left.

This module only reads and shapes text; what is lawful is decided by the same operation the API
runs (`broker.orders.operations.check_draft`), on what this module builds.
"""

import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from broker import problems
from broker.portal.draft_pages import MAX_ROWS
from broker.portal.draft_pages import STEPS
from broker.portal.draft_pages import Step
from broker.portal.forms import whole_number
from broker.portal.i18n import gettext as _
from broker.vocabulary import OrderType
from broker.vocabulary import Purpose


def steps_for(answers: dict[str, str]) -> list[Step]:
    """The pages this order has: some belong only to an EPOC or only to an EPOC-PR."""
    chosen = answers.get("order_type")
    return [step for step in STEPS if step.only is None or step.only.value == chosen]


def step_of_member(member: str, answers: dict[str, str]) -> Step:
    """The page that answers a certificate member (the first page for a member no page names)."""
    pages = steps_for(answers)
    return next((step for step in pages if member in step.members), pages[0])


def read_step(step: Step, posted: Any) -> dict[str, str]:
    """A page's answers from its posted form (a werkzeug MultiDict): lists joined a line each."""
    found: dict[str, str] = {}
    for field in step.fields:
        values = posted.getlist(field.name) if field.kind == "checkboxes" else [posted.get(field.name, "")]
        found[field.name] = "\n".join(value.strip() for value in values if value.strip())
    if step.rows == "targets":
        for prefix, parts in ROWS.items():
            filled = [
                [posted.get(f"{prefix}_{part}_{index}", "").strip() for part in parts]
                for index in range(MAX_ROWS)
            ]
            for index, row in enumerate(row for row in filled if any(row)):
                found |= {f"{prefix}_{part}_{index}": value for part, value in zip(parts, row, strict=True)}
    return found


ROWS = {"target": ("type", "value"), "ip": ("address", "port", "time")}


def rows(answers: dict[str, str], prefix: str) -> list[dict[str, str]]:
    """The filled rows of identifiers, in order."""
    found = []
    for index in range(MAX_ROWS):
        row = {part: answers.get(f"{prefix}_{part}_{index}", "") for part in ROWS[prefix]}
        if not any(row.values()):
            break
        found.append(row)
    return found


def check_step(step: Step, answers: dict[str, str]) -> dict[str, str]:
    """What is missing or unreadable on one page, by field name, in the page's order."""
    errors: dict[str, str] = {}
    for field in step.fields:
        value = answers.get(field.name, "")
        if not value and not field.optional:
            chosen = field.kind in ("radios", "checkboxes", "select")
            errors[field.name] = _("Select an answer") if chosen else _("Enter an answer")
        elif value and field.kind == "number" and whole_number(value) is None:
            errors[field.name] = _("Enter a whole number, such as 36")
        elif value and field.kind == "datetime" and _instant(value) is None:
            errors[field.name] = _("Enter a date and time, such as 2026-09-01 00:00")
    if step.rows == "targets":
        if not rows(answers, "target"):
            errors["target_value_0"] = _("Enter at least one identifier")
        for index, row in enumerate(rows(answers, "target")):
            if not row["type"] or not row["value"]:
                errors[f"target_value_{index}"] = _("Give each identifier its kind and its value")
        for index, row in enumerate(rows(answers, "ip")):
            if not row["address"] or _instant(row["time"]) is None:
                errors[f"ip_address_{index}"] = _("Give each IP address with the date and time it was seen")
            elif row["port"] and whole_number(row["port"], digits=5) is None:
                errors[f"ip_address_{index}"] = _("Enter the port as a whole number")
    return errors


def draft_of(answers: dict[str, str]) -> tuple[OrderType | None, dict[str, Any]]:
    """The order type and the API's draft certificate the answers make so far (unanswered members left out)."""
    order_type = _enum(OrderType, answers.get("order_type", ""))
    draft: dict[str, Any] = {}
    put = _putter(draft, answers)
    put("instrument", answers.get("instrument"))
    put("addressee", answers.get("addressee"))
    if answers.get("data_categories"):
        draft["data_categories"] = answers["data_categories"].split("\n")
    targets = [{"type": row["type"], "value": row["value"]} for row in rows(answers, "target")]
    if targets:
        draft["targets"] = targets
    identification = [_ip(row) for row in rows(answers, "ip")]
    if identification:
        draft["identification"] = identification
    start, end = _instant(answers.get("period_start", "")), _instant(answers.get("period_end", ""))
    if start and end:
        draft["time_range"] = {"start": start, "end": end}
    if answers.get("offence_description"):
        draft["offence"] = _offence(answers)
    put("purpose", answers.get("purpose"))
    if answers.get("purpose") == Purpose.SENTENCE_EXECUTION.value:
        draft["sentence"] = {
            "imposed_months": _number(answers.get("sentence_months", "")),
            "rendered_in_absentia": _yes(answers.get("in_absentia", "")),
            "absconded": _yes(answers.get("absconded", "")),
        }
    put("case_summary", answers.get("case_summary"))
    put("necessity_and_proportionality", answers.get("necessity_and_proportionality"))
    if answers.get("emergency"):
        draft["emergency"] = answers["emergency"] == "yes"
    put("emergency_justification", answers.get("emergency_justification"))
    if answers.get("validating_authority"):
        draft["validating_authority"] = {"organisation": answers["validating_authority"]}
    draft["issuing_authority"] = _issuing_authority(answers)
    put("language", answers.get("language"))
    if order_type is OrderType.EPOC:
        _epoc(draft, answers)
    elif order_type is OrderType.EPOC_PR:
        put("subsequent_request", answers.get("subsequent_request"))
    return order_type, draft


# What the draft names besides its certificate (create_draft's and change_draft's arguments): the removal
# order whose preserved content it asks for, the threat notification it answers. Carried as answers.
REFERENCES = ("removal_order", "threat_notification")


def references_of(answers: dict[str, str]) -> dict[str, uuid.UUID | None]:
    """The ids the draft names besides its certificate; an answer that is no id is refused."""
    found: dict[str, uuid.UUID | None] = {}
    for name in REFERENCES:
        value = answers.get(name, "")
        try:
            found[name] = uuid.UUID(value) if value else None
        except ValueError as error:
            raise problems.ValidationFailed(f"{name} is not an id", errors={name: ["not an id"]}) from error
    return found


def _putter(draft: dict[str, Any], answers: dict[str, str]) -> Any:
    def put(member: str, value: str | None) -> None:
        if value:
            draft[member] = value

    return put


def _epoc(draft: dict[str, Any], answers: dict[str, str]) -> None:
    for member in ("offence_committed_in_issuing_state", "person_resides_in_issuing_state"):
        if answers.get(member):
            draft[member] = answers[member] == "yes"
    if answers.get("similar_domestic_order_possible"):
        draft["similar_domestic_order_possible"] = answers["similar_domestic_order_possible"] == "yes"
    if answers.get("user_information"):
        decision: dict[str, Any] = {"decision": answers["user_information"]}
        if answers.get("user_information_justification"):
            decision["justification"] = answers["user_information_justification"]
        draft["user_information"] = decision


def _offence(answers: dict[str, str]) -> dict[str, Any]:
    offence: dict[str, Any] = {
        "description": answers["offence_description"],
        "legal_provisions": [line for line in answers.get("legal_provisions", "").split("\n") if line],
        "maximum_penalty_months": _number(answers.get("maximum_penalty_months", "")),
    }
    if answers.get("annex_iv_category"):
        offence["annex_iv_category"] = answers["annex_iv_category"]
    if answers.get("listed_directive"):
        listed: dict[str, Any] = {
            "directive": answers["listed_directive"],
            "article": _number(answers.get("listed_article", "")),
        }
        if answers.get("by_information_system"):
            listed["by_information_system"] = answers["by_information_system"] == "yes"
        offence["listed_offence"] = listed
    return offence


def _issuing_authority(answers: dict[str, str]) -> dict[str, Any]:
    authority: dict[str, Any] = {}
    if answers.get("file_number"):
        authority["file_number"] = answers["file_number"]
    contact = {
        part: answers[f"contact_{part}"]
        for part in ("name", "email", "phone")
        if answers.get(f"contact_{part}")
    }
    if contact:
        authority["contact"] = contact
    return authority


def _ip(row: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {"ip_address": row["address"], "timestamp": _instant(row["time"]) or row["time"]}
    if row["port"]:
        seen["source_port"] = _number(row["port"])
    return seen


def _instant(value: str) -> str | None:
    """A date and time typed as UTC (a datetime-local input, or with a space) in RFC 3339."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: str) -> int | None:
    return whole_number(value)


def _yes(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _enum(enum: type[OrderType], value: str) -> OrderType | None:
    try:
        return enum(value)
    except ValueError:
        return None
