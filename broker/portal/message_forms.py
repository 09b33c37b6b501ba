"""The form of every lifecycle message a person signs in the portal, and how its answers become the body.

One `Spec` per message type a person sends (the certificates are issued from a draft, and the
evidence manifest comes from `broker evidence send`, which alone sees the data). One `Field` per
member of the body, named as on the wire (schemas/<type>.v1.json, broker/wire/lifecycle.py), so the
form and the wire differ only in words. `read()` turns the posted answers into the body with one
error per answer the person must change, in their words, before anything is signed; then the wire
schema itself checks the body as the API will (broker.wire.registry.validate_body), so a rule the
fields miss still stops the message here rather than after signing.

A choice that decides the step (a response's outcome, a review's decision) offers only the answers
the lifecycle table gives for this order now (broker.lifecycle.RULES): an EPOC-PR is preserved or
not executed, never produced.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from broker.clock import to_rfc3339
from broker.countries import ISO_3166_ALPHA2
from broker.lifecycle import RULES
from broker.lifecycle import Side
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.i18n import number
from broker.portal.i18n import when
from broker.portal.labels import label
from broker.portal.message_fields import Field
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.vocabulary import MessageType
from broker.wire.certificates import LANGUAGE_PATTERN
from broker.wire.registry import validate_message_body
from broker.wire.removal import URL_PATTERN

CHOOSE = N_("Select one of the options")
# The addressee's messages that are Annex III forms (reasons for not executing, fully or at all).
ANNEX_III = frozenset(
    {
        MessageType.RESPONSE,
        MessageType.CLARIFICATION_REQUEST,
        MessageType.IMMUNITY_CONCERN,
        MessageType.THIRD_COUNTRY_OBJECTION,
    }
)
MAX_LINES = 50  # the wire's limit on a list of grounds or certificate fields
MAX_LOCATIONS = 100  # the wire's limit on a removal order's content
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Context:
    """What some answers are chosen from: the order, the sender's side, the authorities, the messages."""

    order: Order
    side: Side
    authorities: Mapping[str, Organisation]  # ex-post validation: who validated (by organisation id)

    @property
    def annex_iii(self) -> dict[str, Message]:
        """The addressee's Annex III forms an enforcement request may cite, by id."""
        return {str(m.id): m for m in self.order.messages if m.message_type in ANNEX_III}


@dataclass(frozen=True)
class Question:
    """One field as the page asks it: the field and, for a choice, its (value, label, hint) options."""

    field: Field
    options: list[tuple[str, str, str | None]]


def questions(spec: Spec, context: Context) -> list[Question]:
    """The questions of a message's form, in order, each with the options it offers now."""
    return [Question(field, _options(spec, field, context)) for field in spec.fields if field.asked]


def read(spec: Spec, form: Form, context: Context) -> dict[str, Any]:
    """The body the answers make; an error on `form` for each answer to change (then the body is partial)."""
    body: dict[str, Any] = {}
    for field in spec.fields:
        if field.only_if is not None and not field.only_if.holds(body):
            continue
        value = _value(spec, field, form, context)
        if value is None:
            if field.missing and (field.needed_if is None or field.needed_if.holds(body)):
                form.error(field.name, _(field.missing))
            continue
        body[field.name] = value
    if form.valid:
        try:
            validate_message_body(spec.message_type.value, 1, body)
        except ValidationError as refusal:
            asked = [field.name for field in spec.fields if field.asked]
            for name, reasons in _flat(refusal.messages).items():
                where = name if name in asked else asked[0]
                form.error(where, _("This answer is not accepted: %(reason)s", reason=reasons))
    return body


def answers(spec: Spec, body: Mapping[str, Any], context: Context) -> list[tuple[str, Any]]:
    """The body as the check-your-answers page shows it: (question, answer) in the form's order."""
    shown = []
    for field in spec.fields:
        if field.name in body:
            shown.append((_(field.summary or field.label), _shown(field, body[field.name], context)))
    return shown


def carried(spec: Spec, form: Form) -> dict[str, str]:
    """The answers as posted, for the signing page to send again with the signed message."""
    return {field.name: form.value(field.name) for field in spec.fields if field.asked}


def prefilled(spec: Spec, now: datetime) -> dict[str, str]:
    """What a new form starts with: the time now, where the wire asks for when something was done."""
    return {
        field.name: to_rfc3339(now.replace(microsecond=0)) for field in spec.fields if field.now_by_default
    }


def _options(spec: Spec, field: Field, context: Context) -> list[tuple[str, str, str | None]]:
    if field.kind is Kind.CHOICE:
        assert field.choices is not None
        allowed = _decided_by(spec, field, context)
        return [
            (member.value, label(member), None)
            for member in field.choices
            if allowed is None or member.value in allowed
        ]
    if field.kind is Kind.AUTHORITY:
        return [(key, organisation.name, None) for key, organisation in context.authorities.items()]
    if field.kind is Kind.MESSAGE:
        messages = [
            (key, label(message.message_type), _("Signed on %(date)s", date=when(message.issued_at)))
            for key, message in context.annex_iii.items()
        ]
        return [*messages, ("", _("None of them"), None)]
    if field.kind is Kind.YES_NO:
        return [("yes", _("Yes"), None), ("no", _("No"), None)]
    return []


def _decided_by(spec: Spec, field: Field, context: Context) -> frozenset[str] | None:
    """The values the lifecycle table takes for this member now, if the member decides the step."""
    order = context.order
    for rule in RULES:
        if (
            rule.event == spec.message_type.value
            and rule.side is context.side
            and order.order_type in rule.order_types
            and order.state in rule.states
            and rule.by is not None
            and rule.by[0] == field.name
        ):
            return frozenset(rule.by[1])
    return None


def _value(spec: Spec, field: Field, form: Form, context: Context) -> Any:
    """One answer in its wire form, None if absent; an error on `form` if it cannot be one."""
    if field.kind is Kind.FIXED:
        return field.fixed
    raw = form.raw(field.name).strip()
    if not raw:
        return None
    if field.kind in (Kind.CHOICE, Kind.AUTHORITY, Kind.MESSAGE, Kind.YES_NO):
        return _chosen(spec, field, raw, form, context)
    if field.kind is Kind.LINES:
        return _lines(field, raw, form)
    if field.kind is Kind.LOCATIONS:
        return _locations(field, raw, form)
    reader = READERS.get(field.kind)
    if reader is not None:
        value = reader(raw)
        if value is None:
            form.error(field.name, _(FORMATS[field.kind]))
        return value
    if len(raw) > field.limit:
        form.error(field.name, _("Enter %(limit)s characters or fewer", limit=number(field.limit)))
    return raw


def _chosen(spec: Spec, field: Field, raw: str, form: Form, context: Context) -> Any:
    if raw not in {value for value, _text, _hint in _options(spec, field, context)}:
        form.error(field.name, _(field.missing or CHOOSE))
        return None
    if field.kind is Kind.YES_NO:
        return raw == "yes"
    if field.kind is Kind.AUTHORITY:
        authority = context.authorities[raw]
        return {
            "organisation": str(authority.id),
            "name": authority.name,
            "authority_type": str(authority.authority_type),
            "country": authority.country,
        }
    return raw


def _lines(field: Field, raw: str, form: Form) -> list[str] | None:
    """A list answered one item a line; blank lines do not count."""
    items = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(items) > MAX_LINES:
        form.error(field.name, _("Enter %(count)s lines or fewer", count=MAX_LINES))
    elif any(len(item) > field.limit for item in items):
        form.error(field.name, _("Keep each line to %(limit)s characters or fewer", limit=field.limit))
    elif field.pattern is not None and not all(re.fullmatch(field.pattern, item) for item in items):
        form.error(field.name, _(field.pattern_message or "Check the format of each line"))
    return items


def _locations(field: Field, raw: str, form: Form) -> list[dict[str, str]]:
    """A removal order's content, a line each: its exact URL, then what else identifies it there, if anything."""
    located = []
    for parts in (line.split(maxsplit=1) for line in raw.splitlines()):
        if parts:
            located.append(dict(zip(("url", "identification"), parts, strict=False)))
    if len(located) > MAX_LOCATIONS:
        form.error(field.name, _("Enter %(count)s lines or fewer", count=MAX_LOCATIONS))
    elif any(
        len(place["url"]) > field.limit or len(place.get("identification", "")) > field.limit
        for place in located
    ):
        form.error(
            field.name, _("Keep each address to %(limit)s characters or fewer", limit=number(field.limit))
        )
    elif not all(re.match(URL_PATTERN, place["url"]) for place in located):
        form.error(field.name, _("Start each line with an address beginning with http:// or https://"))
    return located


def _shown(field: Field, value: Any, context: Context) -> Any:
    """An answer in words: a choice's label, an authority's name; text and lists as they are."""
    if field.choices is not None:
        return label(value, field.choices)
    if field.kind is Kind.AUTHORITY:
        return value["name"]
    if field.kind is Kind.MESSAGE:
        message = context.annex_iii.get(value)
        return label(message.message_type) if message is not None else value
    if field.kind is Kind.LOCATIONS:
        return [" ".join(place.values()) for place in value]
    return value


def _date(raw: str) -> str | None:
    try:
        return date.fromisoformat(raw).isoformat() if DATE.match(raw) else None
    except ValueError:
        return None


def _instant(raw: str) -> str | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return to_rfc3339(moment) if moment.tzinfo is not None else None


def _country(raw: str) -> str | None:
    return raw.upper() if raw.upper() in ISO_3166_ALPHA2 else None


def _language(raw: str) -> str | None:
    return raw.lower() if re.search(LANGUAGE_PATTERN, raw.lower()) else None


READERS = {Kind.DATE: _date, Kind.INSTANT: _instant, Kind.COUNTRY: _country, Kind.LANGUAGE: _language}
FORMATS = {
    Kind.DATE: N_("Enter a real date, for example 2026-11-30"),
    Kind.INSTANT: N_("Enter a date and time with its offset from UTC, for example 2026-12-07T14:30+01:00"),
    Kind.COUNTRY: N_("Enter the country as its two-letter code, for example US"),
    Kind.LANGUAGE: N_("Enter the language as its two-letter code, for example en"),
}


def _flat(messages: Any) -> dict[str, str]:
    """Marshmallow's errors as one line per top-level member."""
    if not isinstance(messages, dict):
        return {"_schema": str(messages)}
    return {str(name): str(reasons) for name, reasons in messages.items()}
