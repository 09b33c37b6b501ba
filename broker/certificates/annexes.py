"""Annex I (EPOC) and Annex II (EPOC-PR) of Regulation (EU) 2023/1543 as form templates.

The sections and their titles are the annexes' own (as the EU reference implementation's form
schemas EPOC-FORM_1 and EPOCPR-FORM_2, v0.27.0, name them: broker/etsi/schemas/ri-forms). Each member
of the broker's certificate (schemas/epoc.v1.json, epoc-pr.v1.json) is placed in the section the
annex gives it; the few the annex has no box for (the instrument, the Art. 8(2) facts) are placed
where a reader looks for them and their labels say so. Members the broker does not carry (a link to
an earlier order, section D) are shown empty rather than left out, so the form keeps its shape.
"""

from enum import StrEnum

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
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import Purpose
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import UserInformationDecision


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def _deadline(source: Source) -> Value:
    """Section C: 8 hours in an emergency (Art. 10(4)), otherwise 10 days (Art. 10(2)-(3))."""
    emergency = source.body.get("emergency")
    return Ticks(
        (("value.deadline.emergency", emergency is True), ("value.deadline.ordinary", emergency is False))
    )


ISSUING_VALIDATING = (
    Field("field.issuing_state", text("issuing_authority.country")),
    Field("field.issuing_authority", text("issuing_authority.name")),
    Field("field.validating_authority", text("validating_authority.name")),
    Field("field.issuing_file_number", text("issuing_authority.file_number")),
    Field("field.validating_file_number", text("validating_authority.file_number")),
    Field("field.instrument", ticks("instrument", _values(Instrument), "instrument")),
)

ADDRESSEE = (
    Field("field.addressee", text("addressee.name")),
    Field(
        "field.addressee_type", ticks("addressee.addressee_type", _values(AddresseeType), "addressee_type")
    ),
    Field("field.addressee_address", text("addressee.address")),
    Field("field.addressee_country", text("addressee.country")),
    Field("field.service_provider", text("addressee.provider.name")),
    Field("field.addressee_id", text("addressee.id", code=True)),
)

IDENTIFICATION = (
    Field(
        "field.targets",
        table(
            "targets",
            {"type": "column.target_type", "value": "column.target_value"},
            vocabulary={"type": "target_type"},
        ),
    ),
    Field(
        "field.ip_identification",
        table(
            "identification",
            {
                "ip_address": "column.ip_address",
                "source_port": "column.source_port",
                "timestamp": "column.timestamp",
            },
        ),
    ),
    Field("field.time_range_start", text("time_range.start")),
    Field("field.time_range_end", text("time_range.end")),
)

CATEGORIES = (
    Field("field.data_categories", ticks("data_categories", _values(DataCategory), "data_category")),
)

CONDITIONS = (
    Field("field.purpose", ticks("purpose", _values(Purpose), "purpose")),
    Field("field.offence_description", free("offence.description")),
    Field("field.legal_provisions", listing("offence.legal_provisions", free_text=True)),
    Field("field.maximum_penalty", text("offence.maximum_penalty_months")),
    Field("field.annex_iv_category", text("offence.annex_iv_category")),
    Field("field.listed_directive", text("offence.listed_offence.directive")),
    Field("field.listed_article", text("offence.listed_offence.article")),
    Field("field.by_information_system", yes_no("offence.listed_offence.by_information_system")),
    Field("field.sentence_months", text("sentence.imposed_months")),
    Field("field.in_absentia", yes_no("sentence.rendered_in_absentia")),
    Field("field.absconded", yes_no("sentence.absconded")),
)

EMERGENCY = (
    Field("field.emergency", yes_no("emergency")),
    Field("field.emergency_justification", free("emergency_justification")),
)


def _language(source: Source) -> Value:
    """The certificate's language by its name in the reader's language (the code where it has none)."""
    code = source.body.get("language")
    return Text(shown(code), key=f"language.{code}" if code else None)


GROUNDS = (
    Field("field.necessity_and_proportionality", free("necessity_and_proportionality")),
    Field("field.case_summary", free("case_summary")),
    Field("field.certificate_language", _language),
)


def _authority(prefix: str) -> tuple[Field, ...]:
    """Sections I and J (F and G of Annex II): who the authority is and how to reach it."""
    return (
        Field(
            "field.authority_type",
            ticks(f"{prefix}.authority_type", _values(AuthorityType), "authority_type"),
        ),
        Field("field.authority_name", text(f"{prefix}.name")),
        Field("field.authority_country", text(f"{prefix}.country")),
        Field("field.authority_file_number", text(f"{prefix}.file_number")),
        Field("field.contact_name", text(f"{prefix}.contact.name")),
        Field("field.contact_email", text(f"{prefix}.contact.email")),
        Field("field.contact_phone", text(f"{prefix}.contact.phone")),
        Field("field.organisation_id", text(f"{prefix}.organisation", code=True)),
    )


SIGNED = (
    Field("field.signed_at", envelope("issued_at")),
    Field("field.signing_key", envelope("sender.kid", code=True)),
)

EPOC = Form(
    key="epoc",
    annex="I",
    sections=(
        Section("A", ISSUING_VALIDATING),
        Section("B", ADDRESSEE),
        Section(
            "C",
            (
                Field("field.deadline", _deadline),
                *EMERGENCY,
            ),
        ),
        Section("D", (Field("field.previous_request", text("previous_request")),)),
        Section("E", IDENTIFICATION),
        Section("F", CATEGORIES),
        Section(
            "G",
            (*CONDITIONS, Field("field.similar_domestic_order", yes_no("similar_domestic_order_possible"))),
        ),
        Section(
            "H",
            (
                Field(
                    "field.user_information",
                    ticks("user_information.decision", _values(UserInformationDecision), "user_information"),
                ),
                Field("field.user_information_justification", free("user_information.justification")),
            ),
        ),
        Section("I", (*_authority("issuing_authority"), *SIGNED)),
        Section("J", _authority("validating_authority")),
        Section(
            "K",
            (
                Field("field.offence_in_issuing_state", yes_no("offence_committed_in_issuing_state")),
                Field("field.person_resides_in_issuing_state", yes_no("person_resides_in_issuing_state")),
            ),
        ),
        Section("L", (Field("field.transfer_to", text("issuing_authority.name")),)),
        Section("M", GROUNDS),
    ),
)

EPOC_PR = Form(
    key="epoc-pr",
    annex="II",
    sections=(
        Section("A", ISSUING_VALIDATING),
        Section("B", ADDRESSEE),
        Section("C", IDENTIFICATION),
        Section("D", CATEGORIES),
        Section(
            "E",
            (
                *CONDITIONS,
                *EMERGENCY,
                Field(
                    "field.subsequent_request",
                    ticks("subsequent_request", _values(SubsequentRequest), "subsequent_request"),
                ),
                *GROUNDS,
            ),
        ),
        Section("F", (*_authority("issuing_authority"), *SIGNED)),
        Section("G", _authority("validating_authority")),
    ),
)
