"""The removal-order form (Regulation (EU) 2021/784, Annex I): its answers, read, checked and shaped.

A caseworker fills one page: the addressee, the statement of reasons, the exact URLs, redress, the
emergency and the withholding of Art. 11(3), the file. Every answer is a string under a form field's
name, so a refused form comes back exactly as typed. `draft_of(answers)` makes the API's draft body
(broker/api/schemas/orders.py, `RemovalOrderDraftSchema`), which the view loads and stores through
the API's own operations; `answers_of(order)` reads a stored one back for changing. What is lawful is
the legal engine's to say (broker/legal/removal.py): this module only checks that each answer can be
read, in the caseworker's words, and sends the schema's refusals back to the field that caused them.
"""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from broker.portal.draft_checks import error_paths
from broker.portal.i18n import gettext as _
from broker.wire.removal import LEGAL_BASIS
from broker.wire.removal import URL_PATTERN

MAX_LOCATIONS = 100  # Annex I (c): the order names at most 100 URLs (broker/wire/removal.py)
TEXTS = (
    "addressee",
    "statement",
    "redress",
    "emergency",
    "emergency_justification",
    "withhold",
    "withholding_until",
    "withholding_reasons",
    "file_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "language",
)
CONTACT = ("name", "email", "phone")
# Where a refusal of the draft's member (its dotted path's first parts) is told on the page.
FIELD_OF = {
    "reasons.material_types": "material_types",
    "reasons.statement": "statement",
    "reasons": "statement",
    "withholding.until": "withholding_until",
    "withholding.reasons": "withholding_reasons",
    "withholding": "withhold",
    "issuing_authority.file_number": "file_number",
    "issuing_authority.contact.name": "contact_name",
    "issuing_authority.contact.email": "contact_email",
    "issuing_authority.contact.phone": "contact_phone",
    "issuing_authority": "contact_name",
    "redress": "redress",
    "emergency": "emergency",
    "emergency_justification": "emergency_justification",
    "language": "language",
    "content": "url_0",
}


def read(posted: Any) -> dict[str, str]:
    """The answers in a posted form (a werkzeug MultiDict): trimmed, ticked boxes a line each, URL rows renumbered."""
    answers = {name: posted.get(name, "").strip() for name in TEXTS}
    answers["material_types"] = "\n".join(value for value in posted.getlist("material_types") if value)
    filled = [
        (posted.get(f"url_{index}", "").strip(), posted.get(f"identification_{index}", "").strip())
        for index in range(MAX_LOCATIONS)
    ]
    for index, (url, identification) in enumerate(row for row in filled if any(row)):
        answers[f"url_{index}"], answers[f"identification_{index}"] = url, identification
    return answers


def locations(answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The filled URL rows, in order: (URL, what else identifies the content)."""
    found = []
    for index in range(MAX_LOCATIONS):
        row = (answers.get(f"url_{index}", ""), answers.get(f"identification_{index}", ""))
        if not any(row):
            break
        found.append(row)
    return found


def check(answers: Mapping[str, str]) -> dict[str, str]:
    """What is missing or unreadable, by field name, in the page's order (translated)."""
    errors: dict[str, str] = {}
    if not answers.get("addressee"):
        errors["addressee"] = _("Select the provider's contact point or legal representative")
    if not answers.get("material_types"):
        errors["material_types"] = _("Select at least one type of material")
    if not answers.get("statement"):
        errors["statement"] = _("Enter the statement of reasons")
    rows = locations(answers)
    if not rows:
        errors["url_0"] = _("Enter at least one exact URL of the content")
    for index, (url, _identification) in enumerate(rows):
        if not url:
            errors[f"url_{index}"] = _("Enter the URL of this content")
        elif not re.match(URL_PATTERN, url):
            errors[f"url_{index}"] = _("Enter an exact http or https address, without spaces")
    if not answers.get("redress"):
        errors["redress"] = _("Enter the redress information")
    if answers.get("emergency") not in ("yes", "no"):
        errors["emergency"] = _("Select whether it is an emergency")
    elif answers["emergency"] == "yes" and not answers.get("emergency_justification"):
        errors["emergency_justification"] = _("Say why it is an emergency")
    if answers.get("withhold") not in ("yes", "no"):
        errors["withhold"] = _("Select whether the content provider may be told of the removal")
    elif answers["withhold"] == "yes":
        if _day(answers.get("withholding_until", "")) is None:
            errors["withholding_until"] = _("Enter the last day of the withholding, such as 2026-12-31")
        if not answers.get("withholding_reasons"):
            errors["withholding_reasons"] = _("Enter the reasons for withholding the information")
    if not answers.get("language"):
        errors["language"] = _("Select the language of the order")
    return errors


def draft_of(answers: Mapping[str, str]) -> dict[str, Any]:
    """The API's removal-order draft the answers make: the addressee by id, the rest as Annex I says it."""
    draft: dict[str, Any] = {
        "legal_basis": LEGAL_BASIS,
        "addressee": answers.get("addressee", ""),
        "reasons": {
            "material_types": [line for line in answers.get("material_types", "").split("\n") if line],
            "statement": answers.get("statement", ""),
        },
        "content": [_location(url, identification) for url, identification in locations(answers)],
        "redress": answers.get("redress", ""),
        "emergency": answers.get("emergency") == "yes",
        "language": answers.get("language", ""),
        "issuing_authority": _issuing_authority(answers),
    }
    if draft["emergency"]:
        draft["emergency_justification"] = answers.get("emergency_justification", "")
    if answers.get("withhold") == "yes":
        draft["withholding"] = {
            "until": answers.get("withholding_until", ""),
            "reasons": answers.get("withholding_reasons", ""),
        }
    return draft


def answers_of(order: Mapping[str, Any]) -> dict[str, str]:
    """A stored removal order's answers, to change it on the same page."""
    authority = order.get("issuing_authority") or {}
    contact = authority.get("contact") or {}
    withholding = order.get("withholding")
    answers = {
        "addressee": str((order.get("addressee") or {}).get("id", "")),
        "material_types": "\n".join(order.get("reasons", {}).get("material_types", [])),
        "statement": order.get("reasons", {}).get("statement", ""),
        "redress": order.get("redress", ""),
        "emergency": "yes" if order.get("emergency") else "no",
        "emergency_justification": order.get("emergency_justification", ""),
        "withhold": "yes" if withholding else "no",
        "withholding_until": withholding["until"] if withholding else "",
        "withholding_reasons": withholding["reasons"] if withholding else "",
        "file_number": authority.get("file_number", ""),
        "language": order.get("language", ""),
        **{f"contact_{part}": contact.get(part, "") for part in CONTACT},
    }
    for index, location in enumerate(order.get("content", [])):
        answers[f"url_{index}"] = location["url"]
        answers[f"identification_{index}"] = location.get("identification", "")
    return answers


def errors_of(messages: Any) -> dict[str, str]:
    """The schema's or the registry's refusals (marshmallow's nested messages) by the field that answers them.

    The message is the schema's own (in English): the checks above catch what a person usually gets
    wrong, in their language; what reaches here is rarer (a text too long, an addressee that does not
    receive removal orders).
    """
    errors: dict[str, str] = {}
    for path, message in error_paths(messages, ()):
        parts = [str(part) for part in path if part != "certificate"]
        errors.setdefault(_field(parts), message)
    return errors


def _field(parts: list[str]) -> str:
    if parts[:1] == ["content"] and len(parts) > 1:
        return f"{'identification' if parts[2:3] == ['identification'] else 'url'}_{parts[1]}"
    for length in range(len(parts), 0, -1):
        name = FIELD_OF.get(".".join(parts[:length]))
        if name is not None:
            return name
    return "addressee"  # the addressee, or a member the form does not ask for: told at the top


def _location(url: str, identification: str) -> dict[str, str]:
    return {"url": url, "identification": identification} if identification else {"url": url}


def _issuing_authority(answers: Mapping[str, str]) -> dict[str, Any]:
    """Annex I (a) as only the caseworker knows it: the file number and a contact; the registry adds the rest."""
    authority: dict[str, Any] = {}
    if answers.get("file_number"):
        authority["file_number"] = answers["file_number"]
    contact = {part: answers[f"contact_{part}"] for part in CONTACT if answers.get(f"contact_{part}")}
    if contact:
        authority["contact"] = contact
    return authority


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
