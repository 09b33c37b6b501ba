"""Named cases on which marshmallow and JSON Schema must both say valid, or both say invalid."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from broker.wire.fields import CALENDAR_MESSAGE
from broker.wire.fields import ORDER_MESSAGE

Change = Callable[[dict[str, Any]], None]
UPPER_UUID = "3F0C9A4E-8B1D-4C2A-9E7F-1A2B3C4D5E6F"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
AGE_RECIPIENT = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"


def _locate(document: dict[str, Any], path: str) -> tuple[Any, str | int]:
    *parents, last = (int(step) if step.isdigit() else step for step in path.split("."))
    node: Any = document
    for step in parents:
        node = node[step]
    return node, last


def put(path: str, value: Any) -> Change:
    """Set the member or item at a dotted path (list indexes as numbers)."""

    def change(document: dict[str, Any]) -> None:
        node, last = _locate(document, path)
        node[last] = value

    return change


def drop(path: str) -> Change:
    """Remove the member at a dotted path."""

    def change(document: dict[str, Any]) -> None:
        node, last = _locate(document, path)
        del node[last]

    return change


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    changes: tuple[Change, ...]
    valid: bool


def case(name: str, kind: str, *changes: Change, valid: bool = False) -> Case:
    return Case(name, kind, changes, valid)


IDENTIFIED = put("data_categories", ["user_identification"])
LIFECYCLE_KINDS = [
    *("acknowledgement", "preservation-notice", "clarification-request", "clarification-answer"),
    *("immunity-concern", "order-decision", "third-country-objection", "court-review-outcome"),
    *("withdrawal", "new-deadline", "preservation-extension", "production-request-confirmation"),
    *("preservation-release", "ex-post-validation", "closure", "enforcement-request"),
    *("enforcing-review", "enforcing-review refusal", "enforcement-decision", "enforcement-decision refused"),
    "evidence-manifest",
]
LIFECYCLE_REQUIRED = {
    "preservation-notice": ("preserved_at",),
    "clarification-request": ("reason", "explanation"),
    "clarification-answer": ("explanation",),
    "immunity-concern": ("explanation",),
    "order-decision": ("decision", "explanation"),
    "third-country-objection": ("third_country", "law", "provision", "applicability", "nature_of_conflict"),
    "court-review-outcome": ("outcome", "court", "decided_on", "explanation"),
    "withdrawal": ("reason", "delete_received_data"),
    "new-deadline": ("deadline", "reason"),
    "preservation-extension": ("reason",),
    "production-request-confirmation": ("request_type", "reference", "issued_on"),
    "preservation-release": ("reason",),
    "ex-post-validation": ("outcome", "validating_authority", "explanation"),
    "enforcement-request": ("language", "explanation"),
    "enforcing-review": ("decision",),
    "enforcement-decision": ("outcome", "explanation"),
    "evidence-manifest": (
        *("data_categories", "time_range", "time_range.start", "time_range.end", "recipient", "files"),
        *("files.0.name", "files.0.size", "files.0.sha256", "files.0.package"),
        *("files.0.package.id", "files.0.package.size", "files.0.package.sha256"),
    ),
}
LIFECYCLE_CAPS = [
    ("acknowledgement", "addressee_file_number", 100),
    ("preservation-notice", "addressee_file_number", 100),
    ("clarification-request", "explanation", 8000),
    ("clarification-request", "fields.0", 200),
    ("clarification-answer", "explanation", 8000),
    ("immunity-concern", "explanation", 8000),
    ("immunity-concern", "grounds.0", 500),
    ("order-decision", "explanation", 8000),
    ("third-country-objection", "law", 500),
    ("third-country-objection", "provision", 500),
    ("third-country-objection", "applicability", 4000),
    ("third-country-objection", "nature_of_conflict", 4000),
    ("court-review-outcome", "court", 300),
    ("court-review-outcome", "explanation", 8000),
    ("withdrawal", "reason", 4000),
    ("new-deadline", "reason", 4000),
    ("preservation-extension", "reason", 4000),
    ("production-request-confirmation", "reference", 200),
    ("preservation-release", "reason", 4000),
    ("ex-post-validation", "explanation", 4000),
    ("closure", "reason", 4000),
    ("enforcement-request", "explanation", 8000),
    ("enforcing-review", "conditions", 4000),
    ("enforcing-review refusal", "explanation", 8000),
    ("enforcement-decision", "explanation", 8000),
    ("enforcement-decision refused", "ground", 500),
    ("evidence-manifest", "addressee_file_number", 100),
    ("evidence-manifest", "files.0.name", 255),
]

CASES = [
    # Version 2: another establishment as addressee, by the exception of Art. 7(2); version 1 refuses it
    case("EPOC v1 to another establishment", "epoc", put("addressee.addressee_type", "other_establishment")),
    case(
        "EPOC v1 naming an Art. 7(2) ground",
        "epoc",
        put("addressing_exception", {"ground": "none_designated"}),
    ),
    # Version 3: a Council of Europe order carries what its instrument's law asks for, not the Regulation's
    # form (broker.wire.requirements.FORM_ONLY); under the Regulation every member is required as before.
    case("EPOC v3 Art. 8 as built", "epoc v3", valid=True),
    case("EPOC-PR v3 Art. 29 as built", "epoc-pr v3", valid=True),
    case(
        "EPOC v3 Art. 7 without the form's members", "epoc v3", put("instrument", "cets-224-art7"), valid=True
    ),
    case("EPOC v3 Art. 8 without its language (P2-12)", "epoc v3", drop("language")),
    case("EPOC v3 Art. 8 without saying whether an emergency", "epoc v3", drop("emergency")),
    case(
        "EPOC v3 Art. 8 without the maximum penalty (P2-15)",
        "epoc v3",
        drop("offence.maximum_penalty_months"),
    ),
    case(
        "EPOC v3 Art. 8 with an EU user-information decision",
        "epoc v3",
        put("user_information", {"decision": "inform"}),
        valid=True,
    ),
    case("EPOC v3 Regulation without the purpose", "epoc v3", put("instrument", "reg-2023-1543")),
    case(
        "EPOC v3 Regulation with the form's members",
        "epoc v3",
        put("instrument", "reg-2023-1543"),
        put("purpose", "criminal_proceedings"),
        put("necessity_and_proportionality", "The only lead."),
        put("similar_domestic_order_possible", True),
        put("user_information", {"decision": "inform"}),
        valid=True,
    ),
    case(
        "EPOC v3 Regulation without the attestation (EE-11)",
        "epoc v3",
        put("instrument", "reg-2023-1543"),
        put("purpose", "criminal_proceedings"),
        put("necessity_and_proportionality", "The only lead."),
        put("user_information", {"decision": "inform"}),
    ),
    case("EPOC-PR v3 Art. 29 without its need (BC-01)", "epoc-pr v3", drop("necessity_and_proportionality")),
    case("EPOC-PR v3 Art. 29 without a follow-up", "epoc-pr v3", drop("subsequent_request")),
    case("EPOC-PR v3 Regulation without the penalty", "epoc-pr v3", put("instrument", "reg-2023-1543")),
    # The UK's overseas production order (COPO) and the respondent's refusal of excepted data (s.3).
    case("overseas order as built", "overseas-production-order", valid=True),
    case(
        "overseas order without the judge-set period",
        "overseas-production-order",
        drop("compliance_period_days"),
        valid=True,
    ),
    case(
        "overseas order under another instrument",
        "overseas-production-order",
        put("instrument", "reg-2023-1543"),
    ),
    case(
        "overseas order made in Wales alone", "overseas-production-order", put("judge.jurisdiction", "wales")
    ),
    case(
        "overseas order without the excepted-data statement",
        "overseas-production-order",
        drop("excepted_data_excluded"),
    ),
    case(
        "overseas order target with an unknown member",
        "overseas-production-order",
        put("targets.0.nationality", "US"),
    ),
    case(
        "overseas order target whose user is unknown",
        "overseas-production-order",
        drop("targets.0.counterpart_person"),
        valid=True,
    ),
    case("overseas order period of 0 days", "overseas-production-order", put("compliance_period_days", 0)),
    case(
        "overseas order period of 366 days", "overseas-production-order", put("compliance_period_days", 366)
    ),
    case(
        "overseas order with a certificate member",
        "overseas-production-order",
        put("purpose", "criminal_proceedings"),
    ),
    case("excepted data refusal as built", "excepted-data-refusal", valid=True),
    case(
        "excepted data refusal on both grounds",
        "excepted-data-refusal",
        put("grounds", ["legal_privilege", "confidential_personal_record"]),
        valid=True,
    ),
    case("excepted data refusal without a ground", "excepted-data-refusal", put("grounds", [])),
    case(
        "excepted data refusal repeating a ground",
        "excepted-data-refusal",
        put("grounds", ["legal_privilege", "legal_privilege"]),
    ),
    case(
        "excepted data refusal on journalism",
        "excepted-data-refusal",
        put("grounds", ["journalistic_material"]),
    ),
    case("excepted data refusal withholding some", "excepted-data-refusal", put("withheld", "some")),
    case("excepted data refusal without reasons", "excepted-data-refusal", drop("explanation")),
    # The requested Party's refusal (CETS 224 Art. 8(7), CETS 185 Art. 29(4)-(5)); which ground a route
    # allows is the workflow's check (tests/lifecycle/test_lifecycle_refusal.py), not the wire's.
    case("requested party refusal as built", "requested-party-refusal", valid=True),
    case(
        "requested party refusal on every ground",
        "requested-party-refusal",
        put(
            "grounds",
            ["political_offence", "essential_interests", "mutual_assistance_law", "dual_criminality"],
        ),
        valid=True,
    ),
    case("requested party refusal without a ground", "requested-party-refusal", put("grounds", [])),
    case(
        "requested party refusal repeating a ground",
        "requested-party-refusal",
        put("grounds", ["political_offence", "political_offence"]),
    ),
    case(
        "requested party refusal on the Regulation's grounds",
        "requested-party-refusal",
        put("grounds", ["ne_bis_in_idem"]),
    ),
    case("requested party refusal without reasons", "requested-party-refusal", drop("explanation")),
    case("requested party refusal with empty reasons", "requested-party-refusal", put("explanation", "")),
    case("EPOC v2 as built", "epoc v2", valid=True),
    case("EPOC-PR v2 as built", "epoc-pr v2", valid=True),
    case(
        "EPOC v2 to a designated establishment",
        "epoc v2",
        put("addressee.addressee_type", "legal_representative"),
        valid=True,
    ),
    case(
        "EPOC v2 without its ground (a legal rule asks for it)",
        "epoc v2",
        drop("addressing_exception"),
        valid=True,
    ),
    case("EPOC v2 ground without details", "epoc v2", drop("addressing_exception.details"), valid=True),
    case("EPOC v2 ground not in the list", "epoc v2", put("addressing_exception.ground", "busy")),
    case("EPOC v2 exception without a ground", "epoc v2", drop("addressing_exception.ground")),
    case("EPOC v2 exception with unknown member", "epoc v2", put("addressing_exception.since", "yesterday")),
    case(
        "EPOC v2 exception that is not an object",
        "epoc-pr v2",
        put("addressing_exception", "none_designated"),
    ),
    case("EPOC v2 addressee type not in the list", "epoc v2", put("addressee.addressee_type", "branch")),
    case("EPOC v2 details empty", "epoc v2", put("addressing_exception.details", "")),
    case(
        "EPOC v2 details of 2000 characters",
        "epoc v2",
        put("addressing_exception.details", "x" * 2000),
        valid=True,
    ),
    case("EPOC v2 details of 2001 characters", "epoc v2", put("addressing_exception.details", "x" * 2001)),
    # EPOC: the examples, structure, and every field type
    case("EPOC as built", "epoc", valid=True),
    case("EPOC missing addressee", "epoc", drop("addressee")),
    case("EPOC with unknown field at top level", "epoc", put("priority", "high")),
    case("EPOC unknown field inside offence", "epoc", put("offence.severity", "high")),
    case("EPOC unknown field inside provider", "epoc", put("addressee.provider.vat", "IE123")),
    case("data category not in the list", "epoc", put("data_categories", ["metadata"])),
    case("data category repeated", "epoc", put("data_categories", ["subscriber", "subscriber"])),
    case("no data category", "epoc", put("data_categories", [])),
    case("naive timestamp", "epoc", put("time_range.start", "2024-01-01T00:00:00")),
    case("timestamp with lowercase z", "epoc", put("time_range.start", "2024-01-01T00:00:00z")),
    case("timestamp with newline after it", "epoc", put("time_range.end", "2024-03-31T23:59:59Z\n")),
    case(
        "timestamp with nanoseconds and +05:30",
        "epoc",
        put("time_range.end", "2024-04-01T10:00:00.123456789+05:30"),
        valid=True,
    ),
    case("country 'XX'", "epoc", put("addressee.country", "XX")),
    case("lowercase country", "epoc", put("issuing_authority.country", "fr")),
    case("uppercase UUID", "epoc", put("issuing_authority.organisation", UPPER_UUID)),
    case("UUID without hyphens", "epoc", put("addressee.id", "c2b1a0f9e8d74c6ba5f4e3d2c1b0a9f8")),
    case("UUID with newline after it", "epoc", put("addressee.id", "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8\n")),
    case("authority type not in the list", "epoc", put("issuing_authority.authority_type", "police")),
    case("empty authority name", "epoc", put("issuing_authority.name", "")),
    case("authority name of 201 characters", "epoc", put("issuing_authority.name", "x" * 201)),
    case("authority name of 200 characters", "epoc", put("issuing_authority.name", "x" * 200), valid=True),
    case("empty contact", "epoc", put("issuing_authority.contact", {})),
    case(
        "contact with phone only",
        "epoc",
        put("issuing_authority.contact", {"phone": "+33 1 44 32 50 50"}),
        valid=True,
    ),
    case("no contact", "epoc", drop("issuing_authority.contact"), valid=True),
    case("validating authority absent", "epoc", drop("validating_authority"), valid=True),
    case("validating authority given", "epoc-pr", valid=True),
    case("validating authority a string", "epoc", put("validating_authority", "Parquet de Paris")),
    case("no target", "epoc", put("targets", [])),
    case("target type not in the list", "epoc", put("targets.0.type", "nickname")),
    case("target value of 513 characters", "epoc", put("targets.0.value", "x" * 513)),
    case("51 legal provisions", "epoc", put("offence.legal_provisions", ["art. 1"] * 51)),
    case("empty legal provision", "epoc", put("offence.legal_provisions", [""])),
    case("no maximum penalty set by law", "epoc", put("offence.maximum_penalty_months", None), valid=True),
    case("maximum penalty missing", "epoc", drop("offence.maximum_penalty_months")),
    case("negative maximum penalty", "epoc", put("offence.maximum_penalty_months", -1)),
    case("maximum penalty as a string", "epoc", put("offence.maximum_penalty_months", "60")),
    case("maximum penalty as 60.0", "epoc", put("offence.maximum_penalty_months", 60.0), valid=True),
    case("maximum penalty as 60.5", "epoc", put("offence.maximum_penalty_months", 60.5)),
    case("maximum penalty as true", "epoc", put("offence.maximum_penalty_months", True)),
    case("emergency as a string", "epoc", put("emergency", "false")),
    case("emergency as 0", "epoc", put("emergency", 0)),
    case("language in uppercase", "epoc", put("language", "EN")),
    case("language of three letters", "epoc", put("language", "eng")),
    case("purpose not in the list", "epoc", put("purpose", "prevention")),
    case("null case summary", "epoc", put("case_summary", None)),
    case("similar domestic order missing", "epoc", drop("similar_domestic_order_possible")),
    # The instrument and the facts the legal rules read (broker.legal)
    case("instrument missing", "epoc", drop("instrument")),
    case("instrument not in the list", "epoc", put("instrument", "mla")),
    case("instrument null", "epoc", put("instrument", None)),
    case("instrument Protocol Art. 7", "epoc", put("instrument", "cets-224-art7"), valid=True),
    case("instrument Budapest Art. 29", "epoc-pr", put("instrument", "cets-185-art29"), valid=True),
    case(
        "Art. 8(2) facts given",
        "epoc",
        put("offence_committed_in_issuing_state", True),
        put("person_resides_in_issuing_state", False),
        valid=True,
    ),
    case("offence in issuing State as a string", "epoc", put("offence_committed_in_issuing_state", "yes")),
    case("person resides in issuing State as null", "epoc", put("person_resides_in_issuing_state", None)),
    case("EPOC-PR with Art. 8(2) facts", "epoc-pr", put("offence_committed_in_issuing_state", True)),
    case(
        "listed offence with information system",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40", "article": 4, "by_information_system": True}),
        valid=True,
    ),
    case(
        "listed offence without information system flag",
        "epoc",
        put("offence.listed_offence", {"directive": "2017/541", "article": 3}),
        valid=True,
    ),
    case("listed offence without article", "epoc", put("offence.listed_offence", {"directive": "2013/40"})),
    case(
        "listed offence article 0",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40", "article": 0}),
    ),
    case(
        "listed offence article as a string",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40", "article": "4"}),
    ),
    case(
        "listed offence directive with prefix",
        "epoc",
        put("offence.listed_offence", {"directive": "(EU) 2013/40", "article": 4}),
    ),
    case(
        "listed offence directive with newline",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40\n", "article": 4}),
    ),
    case(
        "listed offence information system as 1",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40", "article": 4, "by_information_system": 1}),
    ),
    case(
        "listed offence unknown member",
        "epoc",
        put("offence.listed_offence", {"directive": "2013/40", "article": 4, "paragraph": 2}),
    ),
    case(
        "Annex IV category not a listed code",
        "epoc",
        put("offence.annex_iv_category", "shoplifting"),
        valid=True,
    ),
    # EPOC cross-field rules
    case("emergency without justification", "epoc", put("emergency", True)),
    case("justification without emergency", "epoc", put("emergency_justification", "Threat to life.")),
    case(
        "emergency with justification",
        "epoc",
        put("emergency", True),
        put("emergency_justification", "Threat to life."),
        valid=True,
    ),
    case("user identification without identification list", "epoc", IDENTIFIED),
    case("user identification with empty identification list", "epoc", IDENTIFIED, put("identification", [])),
    case(
        "identification list without user identification",
        "epoc",
        put("identification", [{"ip_address": "192.0.2.1", "timestamp": "2024-02-01T10:00:00Z"}]),
        valid=True,
    ),
    case("sentence execution without sentence", "epoc", put("purpose", "sentence_execution")),
    case(
        "sentence without sentence execution",
        "epoc",
        put("sentence", {"imposed_months": 12, "rendered_in_absentia": False, "absconded": True}),
    ),
    case("sentence of 0 months", "epoc-pr", put("sentence.imposed_months", 0)),
    case("sentence absconded missing", "epoc-pr", drop("sentence.absconded")),
    case("user information delay without justification", "epoc", drop("user_information.justification")),
    case(
        "user information inform without justification",
        "epoc",
        put("user_information", {"decision": "inform"}),
        valid=True,
    ),
    case("user information decision not in the list", "epoc", put("user_information.decision", "later")),
    # EPOC-PR
    case("EPOC-PR as built", "epoc-pr", valid=True),
    case("EPOC-PR with user information", "epoc-pr", put("user_information", {"decision": "inform"})),
    case("EPOC-PR with similar domestic order", "epoc-pr", put("similar_domestic_order_possible", True)),
    case("EPOC-PR missing subsequent request", "epoc-pr", drop("subsequent_request")),
    case("EPOC-PR subsequent request not in the list", "epoc-pr", put("subsequent_request", "letter")),
    case("EPOC-PR emergency without justification", "epoc-pr", drop("emergency_justification")),
    case("EPOC-PR justification without emergency", "epoc-pr", put("emergency", False)),
    case("EPOC-PR sentence execution without sentence", "epoc-pr", drop("sentence")),
    case("EPOC-PR sentence without sentence execution", "epoc-pr", put("purpose", "criminal_proceedings")),
    case("EPOC-PR user identification with empty list", "epoc-pr", put("identification", [])),
    case("EPOC-PR user identification without list", "epoc-pr", drop("identification")),
    case("port 70000", "epoc-pr", put("identification.0.source_port", 70000)),
    case("port -1", "epoc-pr", put("identification.0.source_port", -1)),
    case("port 65535", "epoc-pr", put("identification.0.source_port", 65535), valid=True),
    case("port as a string", "epoc-pr", put("identification.0.source_port", "443")),
    case("invalid ip", "epoc-pr", put("identification.0.ip_address", "203.0.113.256")),
    case("ip with leading zero", "epoc-pr", put("identification.0.ip_address", "203.0.113.07")),
    case("ip as a hostname", "epoc-pr", put("identification.0.ip_address", "mail.example.test")),
    case("ipv6 with zone", "epoc-pr", put("identification.1.ip_address", "fe80::1%eth0")),
    case("ipv4-mapped ipv6", "epoc-pr", put("identification.1.ip_address", "::ffff:203.0.113.7"), valid=True),
    case("identification without timestamp", "epoc-pr", drop("identification.0.timestamp")),
    # Responses
    case("produced response as built", "produced", valid=True),
    case("not_executed response as built", "not_executed", valid=True),
    case("response not_executed without reason", "not_executed", drop("reason")),
    case("response produced with reason", "produced", put("reason", "other"), put("explanation", "None.")),
    case(
        "response preserved with reason",
        "produced",
        put("outcome", "preserved"),
        put("reason", "other"),
        put("explanation", "None."),
    ),
    case("response preserved", "produced", put("outcome", "preserved"), valid=True),
    case("response partially_produced without reason", "produced", put("outcome", "partially_produced")),
    case(
        "response partially_produced with reason",
        "not_executed",
        put("outcome", "partially_produced"),
        valid=True,
    ),
    case("response reason without explanation", "not_executed", drop("explanation")),
    case("response explanation without reason", "produced", put("explanation", "Sent by SFTP."), valid=True),
    case("response reason not in the list", "not_executed", put("reason", "busy")),
    case("response outcome not in the list", "produced", put("outcome", "done")),
    case("response without data_preserved", "produced", drop("data_preserved")),
    case("response with unknown field", "produced", put("note", "thanks")),
    # Envelope
    case("envelope as built", "envelope", valid=True),
    case("first message: in_reply_to null", "envelope", put("in_reply_to", None), valid=True),
    case("in_reply_to missing", "envelope", drop("in_reply_to")),
    case("kid of wrong length", "envelope", put("sender.kid", "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4")),
    case("kid with padding", "envelope", put("sender.kid", "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k=")),
    case("kid in plain base64", "envelope", put("sender.kid", "kPrK/qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")),
    case("issued_at with +01:00 offset", "envelope", put("issued_at", "2024-04-05T10:15:00+01:00")),
    case("issued_at with milliseconds", "envelope", put("issued_at", "2024-04-05T09:15:00.123Z")),
    case(
        "issued_at with microseconds", "envelope", put("issued_at", "2024-04-05T09:15:00.123456Z"), valid=True
    ),
    case("version 0", "envelope", put("version", 0)),
    case("version as a string", "envelope", put("version", "1")),
    case("message type not in the list", "envelope", put("type", "epo")),
    case("uppercase envelope id", "envelope", put("id", UPPER_UUID)),
    case("recipient with unknown field", "envelope", put("recipient.name", "Parquet de Paris")),
    case("body not an object", "envelope", put("body", [])),
    case("body with any members", "envelope", put("body", {"anything": 1}), valid=True),
    case("envelope with unknown field", "envelope", put("signature", "...")),
    # Lifecycle messages: the examples, then what the tables below do not generate
    *(case(f"{kind} as built", kind, valid=True) for kind in LIFECYCLE_KINDS),
    case("acknowledgement empty", "acknowledgement", drop("addressee_file_number"), valid=True),
    case("acknowledgement with unknown field", "acknowledgement", put("received_at", "2024-04-02T08:00:00Z")),
    case("acknowledgement file number as a number", "acknowledgement", put("addressee_file_number", 42)),
    case(
        "preservation notice without file number",
        "preservation-notice",
        drop("addressee_file_number"),
        valid=True,
    ),
    case(
        "preservation notice naive timestamp",
        "preservation-notice",
        put("preserved_at", "2024-04-02T08:31:12"),
    ),
    case("preservation notice date only", "preservation-notice", put("preserved_at", "2024-04-02")),
    case("preservation notice with unknown field", "preservation-notice", put("data_preserved", True)),
    case("clarification request without fields", "clarification-request", drop("fields"), valid=True),
    case("clarification request other reason", "clarification-request", put("reason", "data_not_stored")),
    case("clarification request reason not in the list", "clarification-request", put("reason", "unclear")),
    case("clarification request no fields", "clarification-request", put("fields", [])),
    case("clarification request 51 fields", "clarification-request", put("fields", ["targets"] * 51)),
    case(
        "clarification request 50 fields",
        "clarification-request",
        put("fields", ["targets"] * 50),
        valid=True,
    ),
    case("clarification request fields a string", "clarification-request", put("fields", "targets")),
    case(
        "clarification request field with index",
        "clarification-request",
        put("fields.0", "targets.0.value"),
        valid=True,
    ),
    case(
        "clarification request field in camel case", "clarification-request", put("fields.0", "caseSummary")
    ),
    case(
        "clarification request field with empty step",
        "clarification-request",
        put("fields.0", "targets..value"),
    ),
    case("clarification request field with newline", "clarification-request", put("fields.0", "targets\n")),
    case("clarification request field as a number", "clarification-request", put("fields.0", 0)),
    case("clarification request with unknown field", "clarification-request", put("deadline_paused", True)),
    case("immunity concern without grounds", "immunity-concern", drop("grounds"), valid=True),
    case("immunity concern no grounds", "immunity-concern", put("grounds", [])),
    case("immunity concern 51 grounds", "immunity-concern", put("grounds", ["privilege"] * 51)),
    case("immunity concern grounds a string", "immunity-concern", put("grounds", "privilege")),
    case(
        "immunity concern with unknown field",
        "immunity-concern",
        put("reason", "immunity_privilege_or_press_freedom"),
    ),
    case("order decision maintain", "order-decision", put("decision", "maintain"), valid=True),
    case("order decision withdraw", "order-decision", put("decision", "withdraw"), valid=True),
    case("order decision not in the list", "order-decision", put("decision", "suspend")),
    case("order decision in uppercase", "order-decision", put("decision", "ADAPT")),
    case("order decision with unknown field", "order-decision", put("adapted_certificate", {})),
    case("third country lowercase", "third-country-objection", put("third_country", "us")),
    case("third country 'XX'", "third-country-objection", put("third_country", "XX")),
    case("third country by name", "third-country-objection", put("third_country", "United States")),
    case("third country objection with unknown field", "third-country-objection", put("data_location", "US")),
    case("court review lifted", "court-review-outcome", put("outcome", "lifted"), valid=True),
    case("court review outcome not in the list", "court-review-outcome", put("outcome", "quashed")),
    case("court review date with time", "court-review-outcome", put("decided_on", "2024-05-14T10:00:00Z")),
    case("court review date without hyphens", "court-review-outcome", put("decided_on", "20240514")),
    case("court review date without leading zeros", "court-review-outcome", put("decided_on", "2024-5-14")),
    case("court review date month 13", "court-review-outcome", put("decided_on", "2024-13-01")),
    case("court review date year 0000", "court-review-outcome", put("decided_on", "0000-05-14")),
    case("court review date with newline", "court-review-outcome", put("decided_on", "2024-05-14\n")),
    case(
        "court review on 29 February of a leap year",
        "court-review-outcome",
        put("decided_on", "2024-02-29"),
        valid=True,
    ),
    case("court review date as a number", "court-review-outcome", put("decided_on", 20240514)),
    case("court review with unknown field", "court-review-outcome", put("appeal_possible", True)),
    case("withdrawal deleting data", "withdrawal", put("delete_received_data", True), valid=True),
    case("withdrawal delete flag as a string", "withdrawal", put("delete_received_data", "false")),
    case("withdrawal delete flag as 1", "withdrawal", put("delete_received_data", 1)),
    case("withdrawal delete flag null", "withdrawal", put("delete_received_data", None)),
    case("withdrawal with unknown field", "withdrawal", put("effective_at", "2024-04-03T00:00:00Z")),
    case("new deadline in UTC", "new-deadline", put("deadline", "2024-04-19T15:00:00Z"), valid=True),
    case("new deadline naive", "new-deadline", put("deadline", "2024-04-19T17:00:00")),
    case("new deadline date only", "new-deadline", put("deadline", "2024-04-19")),
    case("new deadline with unknown field", "new-deadline", put("days", 10)),
    case(
        "preservation extension with new end", "preservation-extension", put("until", "2024-07-01T00:00:00Z")
    ),
    case("preservation extension reason null", "preservation-extension", put("reason", None)),
    case("production request EPO", "production-request-confirmation", put("request_type", "epo"), valid=True),
    case("production request MLA", "production-request-confirmation", put("request_type", "mla"), valid=True),
    case(
        "production request type not in the list",
        "production-request-confirmation",
        put("request_type", "epoc"),
    ),
    case(
        "production request issued with time",
        "production-request-confirmation",
        put("issued_on", "2024-05-20T09:00:00+02:00"),
    ),
    case(
        "production request with unknown field",
        "production-request-confirmation",
        put("authority", "Parquet"),
    ),
    case("preservation release with unknown field", "preservation-release", put("delete", True)),
    case("ex-post validation refused", "ex-post-validation", put("outcome", "refused"), valid=True),
    case("ex-post validation outcome not in the list", "ex-post-validation", put("outcome", "validated")),
    case(
        "ex-post validating authority a string",
        "ex-post-validation",
        put("validating_authority", "Parquet de Paris"),
    ),
    case("ex-post validating authority null", "ex-post-validation", put("validating_authority", None)),
    case(
        "ex-post validating authority without country",
        "ex-post-validation",
        drop("validating_authority.country"),
    ),
    case(
        "ex-post validating authority police",
        "ex-post-validation",
        put("validating_authority.authority_type", "police"),
    ),
    case(
        "ex-post validating authority unknown field",
        "ex-post-validation",
        put("validating_authority.seal", "..."),
    ),
    case(
        "ex-post validation with unknown field",
        "ex-post-validation",
        put("validated_at", "2024-04-02T10:00:00Z"),
    ),
    case("closure empty", "closure", drop("reason"), valid=True),
    case("closure reason as a list", "closure", put("reason", ["done"])),
    case("closure with unknown field", "closure", put("state", "closed")),
    case(
        "enforcement request without Annex III message",
        "enforcement-request",
        drop("annex_iii_message"),
        valid=True,
    ),
    case(
        "enforcement request Annex III message uppercase",
        "enforcement-request",
        put("annex_iii_message", UPPER_UUID),
    ),
    case("enforcement request Annex III message null", "enforcement-request", put("annex_iii_message", None)),
    case("enforcement request language in uppercase", "enforcement-request", put("language", "EN")),
    case("enforcement request language of three letters", "enforcement-request", put("language", "gle")),
    case("enforcement request language with region", "enforcement-request", put("language", "en-IE")),
    case("enforcement request with unknown field", "enforcement-request", put("documents", [])),
    # Enforcing review: a ground exactly when refusal, an explanation whenever refusal
    case("review no objection without conditions", "enforcing-review", drop("conditions"), valid=True),
    case(
        "review no objection with explanation",
        "enforcing-review",
        put("explanation", "No ground applies."),
        valid=True,
    ),
    case("review no objection with ground", "enforcing-review", put("ground", "ne_bis_in_idem")),
    case("review refusal without ground", "enforcing-review refusal", drop("ground")),
    case("review refusal without explanation", "enforcing-review refusal", drop("explanation")),
    case(
        "review refusal with conditions", "enforcing-review refusal", put("conditions", "None."), valid=True
    ),
    case("review refusal ground null", "enforcing-review refusal", put("ground", None)),
    case("review refusal ground not in the list", "enforcing-review refusal", put("ground", "sovereignty")),
    *(
        case(f"review refusal on {ground}", "enforcing-review refusal", put("ground", ground), valid=True)
        for ground in (
            "immunity_privilege_or_press_freedom",
            "manifest_fundamental_rights_breach",
            "ne_bis_in_idem",
        )
    ),
    case("review decision not in the list", "enforcing-review", put("decision", "conditions")),
    case("review decision refusal in a no-objection", "enforcing-review", put("decision", "refusal")),
    case("review with unknown field", "enforcing-review", put("deadline", "2024-04-12T00:00:00Z")),
    # Enforcement decision: a ground exactly when refused
    case("enforcement recognised with ground", "enforcement-decision", put("ground", "Art. 16(4)(c)")),
    case("enforcement refused without ground", "enforcement-decision refused", drop("ground")),
    case("enforcement refused ground null", "enforcement-decision refused", put("ground", None)),
    case("enforcement outcome refused without ground", "enforcement-decision", put("outcome", "refused")),
    case("enforcement outcome not in the list", "enforcement-decision", put("outcome", "enforced")),
    case("enforcement decision with unknown field", "enforcement-decision", put("penalty", 1000)),
    # Evidence manifest: categories, recipient, files, digests, sizes and the packages
    case("manifest without file number", "evidence-manifest", drop("addressee_file_number"), valid=True),
    case(
        "manifest with every data category",
        "evidence-manifest",
        put("data_categories", ["subscriber", "user_identification", "traffic", "content"]),
        valid=True,
    ),
    case("manifest no data category", "evidence-manifest", put("data_categories", [])),
    case(
        "manifest data category repeated",
        "evidence-manifest",
        put("data_categories", ["subscriber", "traffic", "subscriber"]),
    ),
    case("manifest data category not in the list", "evidence-manifest", put("data_categories", ["metadata"])),
    case("manifest data categories a string", "evidence-manifest", put("data_categories", "subscriber")),
    case(
        "manifest naive time range start", "evidence-manifest", put("time_range.start", "2024-01-01T00:00:00")
    ),
    case("manifest time range unknown member", "evidence-manifest", put("time_range.zone", "Europe/Dublin")),
    case("manifest recipient in uppercase", "evidence-manifest", put("recipient", AGE_RECIPIENT.upper())),
    case(
        "manifest recipient with prefix age2",
        "evidence-manifest",
        put("recipient", "age2" + AGE_RECIPIENT[4:]),
    ),
    case(
        "manifest recipient an age identity",
        "evidence-manifest",
        put("recipient", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"),
    ),
    case(
        "manifest recipient an SSH key",
        "evidence-manifest",
        put("recipient", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN"),
    ),
    case("manifest recipient with b", "evidence-manifest", put("recipient", AGE_RECIPIENT[:-1] + "b")),
    case("manifest recipient one short", "evidence-manifest", put("recipient", AGE_RECIPIENT[:-1])),
    case("manifest recipient one long", "evidence-manifest", put("recipient", AGE_RECIPIENT + "q")),
    case("manifest recipient with newline", "evidence-manifest", put("recipient", AGE_RECIPIENT + "\n")),
    case("manifest no files", "evidence-manifest", put("files", [])),
    case("manifest files an object", "evidence-manifest", put("files", {"0": {}})),
    case(
        "manifest 1000 files",
        "evidence-manifest",
        lambda d: d.update(files=d["files"][:1] * 1000),
        valid=True,
    ),
    case("manifest 1001 files", "evidence-manifest", lambda d: d.update(files=d["files"][:1] * 1001)),
    case("manifest with unknown field", "evidence-manifest", put("package_count", 2)),
    case(
        "manifest file with unknown field", "evidence-manifest", put("files.0.mime_type", "application/json")
    ),
    case("manifest package with unknown field", "evidence-manifest", put("files.0.package.chunks", 1)),
    case("manifest package null", "evidence-manifest", put("files.0.package", None)),
    case(
        "manifest file name with a folder", "evidence-manifest", put("files.0.name", "export/subscriber.json")
    ),
    case(
        "manifest file name with a backslash",
        "evidence-manifest",
        put("files.0.name", "export\\subscriber.json"),
    ),
    case("manifest file name with NUL", "evidence-manifest", put("files.0.name", "subscriber\x00.json")),
    case("manifest file name with a tab", "evidence-manifest", put("files.0.name", "subscriber\t.json")),
    case("manifest file name with DEL", "evidence-manifest", put("files.0.name", "subscriber\x7f.json")),
    case(
        "manifest file name with newline after it",
        "evidence-manifest",
        put("files.0.name", "subscriber.json\n"),
    ),
    case(
        "manifest file name with spaces and accents",
        "evidence-manifest",
        put("files.0.name", "Relevé de compte 2024-03.pdf"),
        valid=True,
    ),
    case(
        "manifest file name of 255 characters outside the BMP",
        "evidence-manifest",
        put("files.0.name", "\U0001f4c1" * 255),
        valid=True,
    ),
    case(
        "manifest file name of 256 characters outside the BMP",
        "evidence-manifest",
        put("files.0.name", "\U0001f4c1" * 256),
    ),
    case("manifest file name as a number", "evidence-manifest", put("files.0.name", 42)),
    case(
        "manifest empty file",
        "evidence-manifest",
        put("files.0.size", 0),
        put("files.0.sha256", EMPTY_SHA256),
        valid=True,
    ),
    case("manifest file size -1", "evidence-manifest", put("files.0.size", -1)),
    case("manifest file size true", "evidence-manifest", put("files.0.size", True)),
    case("manifest file size as a string", "evidence-manifest", put("files.0.size", "142")),
    case("manifest file size as 142.0", "evidence-manifest", put("files.0.size", 142.0), valid=True),
    case("manifest file size as 142.5", "evidence-manifest", put("files.0.size", 142.5)),
    case("manifest file size null", "evidence-manifest", put("files.0.size", None)),
    case("manifest file of 5 TiB", "evidence-manifest", put("files.0.size", 5 * 2**40), valid=True),
    case("manifest package size 0", "evidence-manifest", put("files.0.package.size", 0)),
    case("manifest package size 1", "evidence-manifest", put("files.0.package.size", 1), valid=True),
    case("manifest package size -1", "evidence-manifest", put("files.0.package.size", -1)),
    case("manifest package size true", "evidence-manifest", put("files.0.package.size", True)),
    case("manifest package size as a string", "evidence-manifest", put("files.0.package.size", "497")),
    case(
        "manifest file digest in uppercase", "evidence-manifest", put("files.0.sha256", EMPTY_SHA256.upper())
    ),
    case("manifest file digest of 63 digits", "evidence-manifest", put("files.0.sha256", EMPTY_SHA256[:63])),
    case("manifest file digest of 65 digits", "evidence-manifest", put("files.0.sha256", EMPTY_SHA256 + "0")),
    case(
        "manifest file digest with newline", "evidence-manifest", put("files.0.sha256", EMPTY_SHA256 + "\n")
    ),
    case(
        "manifest file digest with prefix",
        "evidence-manifest",
        put("files.0.sha256", "sha256:" + EMPTY_SHA256),
    ),
    case(
        "manifest file digest in base64",
        "evidence-manifest",
        put("files.0.sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    ),
    case(
        "manifest package digest in uppercase",
        "evidence-manifest",
        put("files.0.package.sha256", EMPTY_SHA256.upper()),
    ),
    case(
        "manifest package digest of 63 digits",
        "evidence-manifest",
        put("files.0.package.sha256", EMPTY_SHA256[:63]),
    ),
    case("manifest package digest null", "evidence-manifest", put("files.0.package.sha256", None)),
    case("manifest package id uppercase", "evidence-manifest", put("files.0.package.id", UPPER_UUID)),
    case(
        "manifest package id without hyphens",
        "evidence-manifest",
        put("files.0.package.id", UPPER_UUID.lower().replace("-", "")),
    ),
    case("manifest package id as a number", "evidence-manifest", put("files.0.package.id", 1)),
    # Every required member of every lifecycle body
    *(
        case(f"{kind} without {member}", kind, drop(member))
        for kind, members in LIFECYCLE_REQUIRED.items()
        for member in members
    ),
    # Every string cap: empty and one over are refused, the cap itself is accepted
    *(
        row
        for kind, path, cap in LIFECYCLE_CAPS
        for row in (
            case(f"{kind} {path} empty", kind, put(path, "")),
            case(f"{kind} {path} of {cap} characters", kind, put(path, "x" * cap), valid=True),
            case(f"{kind} {path} of {cap + 1} characters", kind, put(path, "x" * (cap + 1))),
        )
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_both_validators_agree(case: Case, kinds: dict[str, Any], judge: Callable[..., Any]) -> None:
    document = kinds[case.kind].build()
    for change in case.changes:
        change(document)
    verdict = judge(case.kind, document)
    assert verdict.marshmallow_valid is case.valid, verdict.marshmallow
    assert verdict.json_valid is case.valid, verdict.json_schema


def test_case_names_are_unique() -> None:
    assert len({c.name for c in CASES}) == len(CASES)


SEMANTIC = [
    (
        "time range ending before it starts",
        "epoc",
        put("time_range.end", "2023-12-31T23:00:00+01:00"),
        ORDER_MESSAGE,
    ),
    ("time range ending as it starts", "epoc", put("time_range.end", "2023-12-31T23:00:00Z"), ORDER_MESSAGE),
    (
        "identification on 30 February",
        "epoc-pr",
        put("identification.0.timestamp", "2024-02-30T10:00:00Z"),
        CALENDAR_MESSAGE,
    ),
    ("issued_at on 31 April", "envelope", put("issued_at", "2024-04-31T09:15:00Z"), CALENDAR_MESSAGE),
    (
        "court decided on 30 February",
        "court-review-outcome",
        put("decided_on", "2024-02-30"),
        CALENDAR_MESSAGE,
    ),
    (
        "production request issued on 29 February of a common year",
        "production-request-confirmation",
        put("issued_on", "2023-02-29"),
        CALENDAR_MESSAGE,
    ),
    (
        "manifest time range ending before it starts",
        "evidence-manifest",
        put("time_range.end", "2023-12-31T23:00:00+01:00"),
        ORDER_MESSAGE,
    ),
    (
        "manifest time range ending as it starts",
        "evidence-manifest",
        put("time_range.end", "2023-12-31T23:00:00Z"),
        ORDER_MESSAGE,
    ),
    (
        "preservation on 31 June",
        "preservation-notice",
        put("preserved_at", "2024-06-31T08:00:00Z"),
        CALENDAR_MESSAGE,
    ),
]


@pytest.mark.parametrize(("name", "kind", "change", "message"), SEMANTIC, ids=[row[0] for row in SEMANTIC])
def test_semantic_checks_are_marshmallow_only(
    name: str, kind: str, change: Change, message: str, kinds: dict[str, Any], judge: Callable[..., Any]
) -> None:
    """The documented gap: JSON Schema cannot compare two instants or know the length of a month."""
    document = kinds[kind].build()
    change(document)
    verdict = judge(kind, document)
    assert verdict.json_valid, verdict.json_schema
    assert message in str(verdict.marshmallow)
