"""What the guided form offers to choose from, and how its answers read back on "check your answers".

Addressees and authorities come from the directory (broker/parties/queries.py, the API's GET
/addressees and /organisations), offences from the legal reference lists (broker/legal/reference),
languages from the official languages of the Union the certificates are rendered in, and the removal
orders an order may name from the read behind create_draft's own check (`removal.referable`).
"""

import uuid
from collections.abc import Iterable
from enum import StrEnum

from broker.certificates import OFFICIAL_LANGUAGES
from broker.legal import load_reference
from broker.orders import removal
from broker.parties import queries as party_queries
from broker.parties.models import Addressee
from broker.portal import draft_form
from broker.portal import draft_pages
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.i18n import language_name
from broker.portal.i18n import when
from broker.portal.page import Visit
from broker.vocabulary import OrganisationKind

# (value, text, hint) as the radios macro takes them; a select ignores the hint.
Choice = tuple[str, str, str | None]
NONE = N_("None")


def choices_for(visit: Visit, step: draft_pages.Step, answers: dict[str, str]) -> dict[str, list[Choice]]:
    """Every choice list the page's fields name, translated."""
    lists: dict[str, list[Choice]] = {}
    for field in step.fields:
        if isinstance(field.choices, str):
            lists[field.name] = _dynamic(visit, field.choices, answers)
        else:
            lists[field.name] = [(value, _(text), None) for value, text in field.choices]
    lists["target_type"] = [(value, _(text), None) for value, text in draft_pages.TARGET_TYPES]
    return lists


def summary(visit: Visit, step: draft_pages.Step, answers: dict[str, str]) -> list[tuple[str, list[str]]]:
    """A page's answers as check-your-answers rows: (question, the answer's lines)."""
    choices = choices_for(visit, step, answers)
    found: list[tuple[str, list[str]]] = []
    for field in step.fields:
        value = answers.get(field.name, "")
        if field.name in ("provider", "country"):
            continue  # how the addressee was found, not part of the order
        if isinstance(field.choices, str) and not choices[field.name]:
            continue  # a question with nothing to choose is not asked (no removal order to name)
        texts = {choice: text for choice, text, _hint in choices[field.name]}
        lines = [texts.get(line, line) for line in value.split("\n") if line] if field.choices else [value]
        found.append((_(field.label), [line for line in lines if line]))
    if step.rows == "targets":
        kinds = {value: text for value, text, _hint in choices["target_type"]}
        targets = [
            f"{kinds.get(row['type'], row['type'])}: {row['value']}"
            for row in draft_form.rows(answers, "target")
        ]
        found.append((_("Identifiers"), targets))
        seen = [
            " ".join(
                part for part in (row["address"], row["port"] and f"port {row['port']}", row["time"]) if part
            )
            for row in draft_form.rows(answers, "ip")
        ]
        if seen:
            found.append((_("IP addresses to identify the user"), seen))
    return found


def _dynamic(visit: Visit, name: str, answers: dict[str, str]) -> list[Choice]:
    session = visit.session
    if name == "providers":
        providers = session.scalars(party_queries.organisations(kind=OrganisationKind.PROVIDER))
        return _led(_("Any provider"), ((str(p.id), p.name, None) for p in providers))
    if name == "countries":
        countries = sorted({a.country for a in session.scalars(party_queries.addressees())})
        return _led(_("Any Member State"), ((code, code, None) for code in countries))
    if name == "addressees":
        country, provider = answers.get("country") or None, _uuid(answers.get("provider", ""))
        return [
            (
                str(a.id),
                f"{a.provider.name}: {a.name} ({a.country})",
                f"{_words(a.addressee_type)}, {a.address}",
            )
            for a in session.scalars(party_queries.addressees(country, provider))
        ]
    if name == "authorities":
        authorities = session.scalars(party_queries.organisations(kind=OrganisationKind.ISSUING_AUTHORITY))
        return _led(
            _("None: my authority validates its own order"),
            (
                (str(o.id), o.name, f"{_words(o.authority_type)}, {o.country}")
                for o in authorities
                if o.id != visit.actor.organisation_id
            ),
        )
    if name == "removal_orders":
        return _removal_orders(visit, answers)
    reference = load_reference()
    if name == "annex_iv":
        return _led(_(NONE), ((code, label, None) for code, label in reference.annex_iv.items()))
    if name == "directives":
        listed = reference.listed_offences.items()
        return _led(_(NONE), ((code, f"{code}: {entry.title}", None) for code, entry in listed))
    return _led(_("Select a language"), ((code, language_name(code), None) for code in OFFICIAL_LANGUAGES))


def _removal_orders(visit: Visit, answers: dict[str, str]) -> list[Choice]:
    """The removal orders whose preserved content an order to the chosen addressee's provider may ask for
    (Regulation (EU) 2021/784, Art. 6), led by "No"; none at all when there is nothing to name. A chosen
    one that may no longer be named stays listed, so the page shows it and saving says why it is refused."""
    addressee_id = _uuid(answers.get("addressee", ""))
    addressee = visit.session.get(Addressee, addressee_id) if addressee_id else None
    found = (
        removal.referable(visit.session, visit.actor, addressee.provider_id, visit.clock())
        if addressee
        else []
    )
    listed = [
        (
            str(order.id),
            _(
                "%(name)s, from %(authority)s, issued on %(date)s",
                name=order.file_number or order.id,
                authority=order.issuing_authority.name,
                date=when(order.issued_at),
            ),
            ", ".join(item["url"] for item in order.certificate.get("content") or []) or None,
        )
        for order in found
    ]
    chosen = answers.get("removal_order", "")
    if chosen and chosen not in {value for value, _text, _hint in listed}:
        listed.append((chosen, _("Removal order %(id)s", id=chosen), _("No longer one you may name")))
    return _led(_("No"), listed) if listed else []


def _led(first: str, rest: Iterable[Choice]) -> list[Choice]:
    """A choice list led by an empty choice (any, none, or "select")."""
    return [("", first, None), *rest]


def _words(value: StrEnum | None) -> str:
    return value.value.replace("_", " ") if value else ""


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
