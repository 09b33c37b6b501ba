"""The forms that follow a certificate: Annex III, V and VI, the answer, the evidence manifest, and the rest.

Annex III (information on the impossibility to execute) is what the addressee's clarification
request, immunity concern, third-country objection and a response with a reason say; Annex V is the
production-request confirmation and Annex VI the preservation extension (sections as the EU
reference implementation's EPOC-FORM_3, EPOCPR-FORM_5 and EPOCPR-FORM_6 name them). They refer to
the certificate, so they are filled from the order's certificate as well as from the message.

A response that produced or preserved everything, the evidence manifest and the other lifecycle
messages have no annex: they get the broker's own forms, laid out the same way, and say so.
"""

from collections.abc import Mapping
from typing import Any

from broker.certificates.annexes import EPOC
from broker.certificates.annexes import EPOC_PR
from broker.certificates.forms import EMPTY
from broker.certificates.forms import Field
from broker.certificates.forms import Form
from broker.certificates.forms import Section
from broker.certificates.forms import Source
from broker.certificates.forms import Text
from broker.certificates.forms import Ticks
from broker.certificates.forms import Value
from broker.certificates.forms import envelope
from broker.certificates.forms import free
from broker.certificates.forms import listing
from broker.certificates.forms import shown
from broker.certificates.forms import table
from broker.certificates.forms import text
from broker.certificates.forms import ticks
from broker.certificates.forms import yes_no
from broker.vocabulary import DataCategory
from broker.vocabulary import NonExecutionReason
from broker.vocabulary import ResponseOutcome
from broker.vocabulary import SubsequentRequest

# The Annex III reason each addressee message stands for, when its body does not name one.
IMPLIED_REASONS = {
    "immunity-concern": NonExecutionReason.IMMUNITY_PRIVILEGE_OR_PRESS_FREEDOM.value,
    "third-country-objection": NonExecutionReason.THIRD_COUNTRY_CONFLICT.value,
}
ANNEX_III_TYPES = frozenset({"clarification-request", "immunity-concern", "third-country-objection"})
# Members a person writes, shown as written wherever the generic form meets them.
FREE_MEMBERS = frozenset({"reason", "explanation", "court", "conditions", "ground", "law", "provision"})


def _certificate_type(source: Source) -> Value:
    kind = (source.certificate or source.envelope).get("type")
    return Ticks(
        (
            ("value.certificate_type.epoc", kind == "epoc"),
            ("value.certificate_type.epoc-pr", kind == "epoc-pr"),
        )
    )


def _reason(source: Source) -> Value:
    chosen = source.body.get("reason") or IMPLIED_REASONS.get(str(source.envelope.get("type")))
    return Ticks(tuple((f"value.reason.{each.value}", each.value == chosen) for each in NonExecutionReason))


def _signed_by(source: Source) -> Value:
    return Text(shown((source.envelope.get("sender") or {}).get("organisation")), code=True)


SIGNATURE = (
    Field("field.sender_organisation", _signed_by),
    Field("field.signed_at", envelope("issued_at")),
    Field("field.signing_key", envelope("sender.kid", code=True)),
)

CERTIFICATE_REFERENCE = (
    Field("field.issuing_authority", text("issuing_authority.name", of="certificate")),
    Field("field.issuing_file_number", text("issuing_authority.file_number", of="certificate")),
    Field("field.validating_authority", text("validating_authority.name", of="certificate")),
    Field("field.validating_file_number", text("validating_authority.file_number", of="certificate")),
    Field("field.certificate_issued_at", envelope("issued_at", of="certificate")),
    Field("field.certificate_id", envelope("id", of="certificate", code=True)),
)

ADDRESSEE_REFERENCE = (
    Field("field.addressee", text("addressee.name", of="certificate")),
    Field("field.service_provider", text("addressee.provider.name", of="certificate")),
    Field("field.addressee_file_number", text("addressee_file_number")),
)

ANNEX_III = Form(
    key="annex-iii",
    annex="III",
    sections=(
        Section("A", (Field("field.certificate_type", _certificate_type),)),
        Section("B", CERTIFICATE_REFERENCE),
        Section("C", ADDRESSEE_REFERENCE),
        Section(
            "D",
            (
                Field("field.outcome", ticks("outcome", [e.value for e in ResponseOutcome], "outcome")),
                Field("field.reasons", _reason),
                Field("field.explanation", free("explanation")),
                Field("field.grounds", listing("grounds", free_text=True)),
            ),
        ),
        Section(
            "E",
            (
                Field("field.third_country", text("third_country")),
                Field("field.third_country_law", free("law")),
                Field("field.third_country_provision", free("provision")),
                Field("field.applicability", free("applicability")),
                Field("field.nature_of_conflict", free("nature_of_conflict")),
            ),
        ),
        Section("F", (Field("field.certificate_fields", listing("fields")),)),
        Section("G", (Field("field.data_preserved", yes_no("data_preserved")),)),
        Section("H", SIGNATURE),
    ),
)

PRESERVATION_REFERENCE = (
    Section(
        "A",
        (
            Field("field.issuing_authority", text("issuing_authority.name", of="certificate")),
            Field("field.issuing_state", text("issuing_authority.country", of="certificate")),
            Field("field.issuing_file_number", text("issuing_authority.file_number", of="certificate")),
        ),
    ),
    Section(
        "B",
        (
            Field("field.addressee", text("addressee.name", of="certificate")),
            Field("field.service_provider", text("addressee.provider.name", of="certificate")),
        ),
    ),
    Section(
        "C",
        (
            Field("field.certificate_issued_at", envelope("issued_at", of="certificate")),
            Field("field.certificate_id", envelope("id", of="certificate", code=True)),
        ),
    ),
)

ANNEX_V = Form(
    key="annex-v",
    annex="V",
    sections=(
        *PRESERVATION_REFERENCE,
        Section(
            "D",
            (
                Field(
                    "field.request_type",
                    ticks("request_type", [e.value for e in SubsequentRequest], "subsequent_request"),
                ),
                Field("field.request_reference", text("reference")),
                Field("field.request_issued_on", text("issued_on")),
                *SIGNATURE,
            ),
        ),
    ),
)


def _extended(source: Source) -> Value:
    return Ticks((("value.extension.thirty_days", True),))


ANNEX_VI = Form(
    key="annex-vi",
    annex="VI",
    sections=(
        *PRESERVATION_REFERENCE,
        Section(
            "D",
            (
                Field("field.extension", _extended),
                Field("field.extension_reason", free("reason")),
                *SIGNATURE,
            ),
        ),
    ),
)

ANSWER = Form(
    key="answer",
    annex=None,
    sections=(
        Section("A", (Field("field.certificate_type", _certificate_type), *CERTIFICATE_REFERENCE)),
        Section("B", ADDRESSEE_REFERENCE),
        Section(
            "C",
            (
                Field("field.outcome", ticks("outcome", [e.value for e in ResponseOutcome], "outcome")),
                Field("field.data_preserved", yes_no("data_preserved")),
                Field("field.explanation", free("explanation")),
            ),
        ),
        Section("D", SIGNATURE),
    ),
)

MANIFEST = Form(
    key="evidence-manifest",
    annex=None,
    sections=(
        Section("A", (Field("field.certificate_type", _certificate_type), *CERTIFICATE_REFERENCE)),
        Section(
            "B",
            (
                Field(
                    "field.data_categories",
                    ticks("data_categories", [e.value for e in DataCategory], "data_category"),
                ),
                Field("field.time_range_start", text("time_range.start")),
                Field("field.time_range_end", text("time_range.end")),
                Field("field.recipient", text("recipient", code=True)),
                Field("field.addressee_file_number", text("addressee_file_number")),
            ),
        ),
        Section(
            "C",
            (
                Field(
                    "field.files",
                    table(
                        "files",
                        {
                            "name": "column.file_name",
                            "size": "column.file_size",
                            "sha256": "column.file_sha256",
                            "package.id": "column.package_id",
                            "package.size": "column.package_size",
                            "package.sha256": "column.package_sha256",
                        },
                        code=("sha256", "package.id", "package.sha256"),
                    ),
                ),
            ),
        ),
        Section("D", SIGNATURE),
    ),
)


def _member(path: str, value: Any) -> Field:
    def read(source: Source) -> Value:
        if value is None or value == "":
            return EMPTY
        return Text(shown(value), free=path.split(".")[-1] in FREE_MEMBERS and isinstance(value, str))

    return Field(f"member.{path}", read)


def _flatten(body: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    members: list[tuple[str, Any]] = []
    for name, value in body.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping):
            members.extend(_flatten(value, f"{path}."))
        else:
            members.append((path, value))
    return members


def generic(source: Source) -> Form:
    """Any other lifecycle message: its body members, each with its catalogue label, in a form of its own."""
    return Form(
        key="message",
        annex=None,
        sections=(
            Section("A", (Field("field.certificate_type", _certificate_type), *CERTIFICATE_REFERENCE)),
            Section("B", tuple(_member(path, value) for path, value in _flatten(source.body))),
            Section("C", SIGNATURE),
        ),
    )


def form_for(source: Source) -> Form:
    """The form a message is laid out in: its annex's where it has one, else the broker's own."""
    kind = source.envelope.get("type")
    if kind == "epoc":
        return EPOC
    if kind == "epoc-pr":
        return EPOC_PR
    if kind in ANNEX_III_TYPES or (kind == "response" and "reason" in source.body):
        return ANNEX_III
    if kind == "production-request-confirmation":
        return ANNEX_V
    if kind == "preservation-extension":
        return ANNEX_VI
    if kind == "response":
        return ANSWER
    if kind == "evidence-manifest":
        return MANIFEST
    return generic(source)
