"""Named cases on which marshmallow and JSON Schema must both say valid, or both say invalid."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from broker.wire.fields import CALENDAR_MESSAGE
from broker.wire.fields import ORDER_MESSAGE

Change = Callable[[dict[str, Any]], None]
UPPER_UUID = "3F0C9A4E-8B1D-4C2A-9E7F-1A2B3C4D5E6F"


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

CASES = [
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
