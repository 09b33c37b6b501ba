"""A provider's notification of a suspected threat to life or safety (Regulation (EU) 2022/2065, Art. 18), as a form.

The questions are the members of the wire body (schemas/threat-notification.v1.json, broker/wire/threats.py),
named as on the wire with `content_` for the content concerned; `read()` turns the answers into the body,
with one error per answer to change, and the wire schema itself then checks it as the API will. The
recipient is one of the registered organisations of the kinds `threats.RECIPIENTS` names (`recipients`);
whether it may receive this notification (Art. 18(1)-(2)) is the operation's own check
(`threats.recipient_for`), run here on the envelope before the person signs and again by the operation.
"""

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import orm

from broker.countries import ISO_3166_ALPHA2
from broker.orders import threats
from broker.parties import queries as party_queries
from broker.parties.models import Organisation
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.labels import label
from broker.vocabulary import MessageType
from broker.vocabulary import OffenceTiming
from broker.wire.registry import validate_message_body

VERSION = 1  # threat-notification.v1.json
# The form's fields, in the page's order; the wire members they answer are read in `read()`.
FIELDS = (
    "recipient",
    "content_description",
    "content_urls",
    "published_at",
    "offence_timing",
    "suspicion",
    "recipient_identification",
    "member_states_concerned",
    "fallback_reason",
    "provider_reference",
)
# Where a wire member's refusal is shown: the field that answers it.
FIELD_OF = {"content": "content_description", "_schema": "fallback_reason"}
REQUIRED = {
    "content_description": N_("Describe the content concerned"),
    "offence_timing": N_("Select when the offence is suspected to take place"),
    "suspicion": N_("Explain why the information gives rise to the suspicion"),
    "recipient_identification": N_("Give what you know to locate and identify who posted it"),
    "recipient": N_("Select the authority to notify"),
    "published_at": N_("Enter when the content was published, such as 2026-11-24 07:45"),
}


def recipients(session: orm.Session) -> list[Organisation]:
    """The registered organisations a notification may be addressed to (the kinds threats.RECIPIENTS names),
    by country and name: the operation decides which of them may receive this one."""
    found = [
        organisation
        for kind in threats.RECIPIENTS
        for organisation in session.scalars(party_queries.organisations(kind=kind))
    ]
    return sorted(found, key=lambda organisation: (organisation.country, organisation.name))


def recipient_choices(session: orm.Session) -> list[tuple[str, str, str | None]]:
    """The recipients as radio choices: value, name and country, kind."""
    return [
        (str(organisation.id), f"{organisation.name} ({organisation.country})", label(organisation.kind))
        for organisation in recipients(session)
    ]


def timing_choices() -> list[tuple[str, str, None]]:
    return [(timing.value, label(timing), None) for timing in OffenceTiming]


def read(form: Form, now: datetime) -> dict[str, Any]:
    """The wire body the answers make; each answer to change is an error on the form."""
    for name, message in REQUIRED.items():
        form.required(name, _(message))
    body: dict[str, Any] = {
        "content": {"description": form.raw("content_description").strip()},
        "offence_timing": form.raw("offence_timing").strip(),
        "suspicion": form.raw("suspicion").strip(),
        "recipient_identification": form.raw("recipient_identification").strip(),
    }
    urls = [line.strip() for line in form.raw("content_urls").splitlines() if line.strip()]
    if urls:
        body["content"]["urls"] = urls
    published = _instant(form.raw("published_at"))
    if form.raw("published_at").strip() and published is None:
        form.error("published_at", _(REQUIRED["published_at"]))
    elif published is not None and published > now:
        form.error("published_at", _("Enter a time that has passed: when the content was published"))
    if published is not None:
        body["published_at"] = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    body["member_states_concerned"] = _states(form)
    for member in ("fallback_reason", "provider_reference"):
        if form.raw(member).strip():
            body[member] = form.raw(member).strip()
    if not body["member_states_concerned"] and "fallback_reason" not in body:
        form.error(
            "fallback_reason",
            _("Name a Member State concerned, or say why none can be identified with reasonable certainty"),
        )
    if form.valid:
        try:
            validate_message_body(MessageType.THREAT_NOTIFICATION.value, VERSION, body)
        except ValidationError as error:
            _refusals(form, error.messages)
    return body


def answers(body: Mapping[str, Any], recipient: Organisation) -> list[tuple[str, str]]:
    """The notification as it will be sent, as (question, answer) rows for "check and sign"."""
    concerned = ", ".join(body["member_states_concerned"]) or _(
        "None identified: sent to the State of establishment (Art. 18(2))"
    )
    rows = [
        (_("To"), f"{recipient.name} ({recipient.country})"),
        (_("Content concerned"), body["content"]["description"]),
        (_("Where it was published"), "\n".join(body["content"].get("urls", []))),
        (_("Published"), body["published_at"]),
        (_("The offence"), label(OffenceTiming(body["offence_timing"]))),
        (_("Why it is suspected"), body["suspicion"]),
        (_("Who posted it"), body["recipient_identification"]),
        (_("Member States concerned"), concerned),
        (_("Why no Member State can be identified"), body.get("fallback_reason", "")),
        (_("Your reference"), body.get("provider_reference", "")),
    ]
    return [(question, answer) for question, answer in rows if answer]


def carried(form: Form) -> dict[str, str]:
    """The answers the signing page carries, to show them again or go back to change them."""
    return {name: form.raw(name) for name in FIELDS if form.raw(name)}


def known_recipient(session: orm.Session, form: Form) -> Organisation | None:
    """The chosen recipient, if it is one the form offers; otherwise an error on the form."""
    chosen = form.raw("recipient")
    found = next((o for o in recipients(session) if str(o.id) == chosen), None)
    if found is None and chosen:
        form.error("recipient", _(REQUIRED["recipient"]))
    return found


def _states(form: Form) -> list[str]:
    """The Member States concerned, typed as codes separated by commas or spaces; an unknown code is an error."""
    typed = form.raw("member_states_concerned").replace(",", " ").upper().split()
    codes = list(dict.fromkeys(typed))
    unknown = [code for code in codes if code not in ISO_3166_ALPHA2]
    if unknown:
        form.error(
            "member_states_concerned",
            _(
                "Enter each Member State as its two-letter code, such as FR; not %(codes)s",
                codes=", ".join(unknown),
            ),
        )
    return [code for code in codes if code in ISO_3166_ALPHA2]


def _instant(value: str) -> datetime | None:
    """A time typed in UTC (a datetime-local input, or with a space)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _refusals(form: Form, errors: Any) -> None:
    """The wire schema's refusals, each on the field that answers its member."""
    for member, messages in errors.items() if isinstance(errors, dict) else [("_schema", errors)]:
        name = FIELD_OF.get(str(member), str(member))
        if str(member) == "content" and isinstance(messages, dict) and "urls" in messages:
            name = "content_urls"
        form.error(name if name in FIELDS else "content_description", _flat(messages))


def _flat(messages: Any) -> str:
    """The first message of marshmallow's nesting."""
    if isinstance(messages, dict):
        return _flat(next(iter(messages.values()), ""))
    if isinstance(messages, list):
        return _flat(messages[0]) if messages else ""
    return str(messages)
