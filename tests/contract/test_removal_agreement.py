"""The removal order of Regulation (EU) 2021/784 and its answers: one verdict from both validators.

Each case names the Annex I content or article the member carries; the examples are in conftest.py.
"""

from collections.abc import Callable
from typing import Any

import pytest
from marshmallow import ValidationError

from broker.vocabulary import MessageType
from broker.vocabulary import RemovalMessageType
from broker.wire.registry import UnknownMessageType
from broker.wire.registry import validate_body
from broker.wire.registry import validate_removal_body
from tests.contract.test_agreement import Case
from tests.contract.test_agreement import case
from tests.contract.test_agreement import drop
from tests.contract.test_agreement import put

CASES = [
    case("removal order as given", "removal-order", valid=True),
    case("removal order without withholding", "removal-order", drop("withholding"), valid=True),
    case("Annex I (a) issuing authority missing", "removal-order", drop("issuing_authority")),
    case("Annex I (b) statement missing", "removal-order", drop("reasons.statement")),
    case("Annex I (b) no type of material", "removal-order", put("reasons.material_types", [])),
    case("Annex I (b) unknown material", "removal-order", put("reasons.material_types", ["propaganda"])),
    case(
        "Annex I (b) material named twice",
        "removal-order",
        put("reasons.material_types", ["threat", "threat"]),
    ),
    case("Annex I (c) no URL", "removal-order", put("content", [])),
    case("Annex I (c) ftp URL", "removal-order", put("content.0.url", "ftp://files.example-mail.test/x")),
    case("Annex I (c) URL with a space", "removal-order", put("content.0.url", "https://a.test/x y")),
    case(
        "Annex I (c) URL without identification",
        "removal-order",
        drop("content.0.identification"),
        valid=True,
    ),
    case("Annex I (d) another legal basis", "removal-order", put("legal_basis", "reg-2023-1543")),
    case("Annex I (d) legal basis missing", "removal-order", drop("legal_basis")),
    case("Annex I (f) redress missing", "removal-order", drop("redress")),
    case("Annex I (f) redress empty", "removal-order", put("redress", "")),
    case("Annex I (g) withholding without reasons", "removal-order", drop("withholding.reasons")),
    case(
        "Annex I (g) withholding until a time",
        "removal-order",
        put("withholding.until", "2024-05-15T00:00:00Z"),
    ),
    case(
        "Art. 15 addressee a designated establishment",
        "removal-order",
        put("addressee.addressee_type", "designated_establishment"),
    ),
    case(
        "Art. 17 legal representative",
        "removal-order",
        put("addressee.addressee_type", "legal_representative"),
        valid=True,
    ),
    case(
        "Art. 3(2) emergency justified",
        "removal-order",
        put("emergency", True),
        put("emergency_justification", "An attack is announced for tonight."),
        valid=True,
    ),
    case("Art. 3(2) emergency unjustified", "removal-order", put("emergency", True)),
    case(
        "Art. 3(2) justification without emergency",
        "removal-order",
        put("emergency_justification", "An attack is announced for tonight."),
    ),
    case("removal order with an unknown member", "removal-order", put("priority", "high")),
    case("Annex II confirmation as given", "removal-confirmation", valid=True),
    case("Annex II disabled", "removal-confirmation", put("action", "disabled"), valid=True),
    case("Annex II deleted is not a word of Art. 3", "removal-confirmation", put("action", "deleted")),
    case("Art. 3(6) time without offset", "removal-confirmation", put("done_at", "2024-04-05T09:40:00")),
    case("Art. 3(6) time missing", "removal-confirmation", drop("done_at")),
    case("Art. 3(7) impossibility as given", "removal-impossibility", valid=True),
    case("Art. 3(7) force majeure", "removal-impossibility", put("reason", "force_majeure"), valid=True),
    case(
        "Art. 3(7) a manifest error is not impossibility",
        "removal-impossibility",
        put("reason", "manifest_error"),
    ),
    case("Art. 3(7) impossibility unexplained", "removal-impossibility", drop("explanation")),
    case("Art. 3(7) ceased as given", "impossibility-ceased", valid=True),
    case("Art. 3(7) ceased without a time", "impossibility-ceased", drop("ceased_at")),
    case("Art. 3(8) clarification request as given", "removal-clarification-request", valid=True),
    case(
        "Art. 3(8) insufficient information",
        "removal-clarification-request",
        put("reason", "insufficient_information"),
        valid=True,
    ),
    case(
        "Art. 3(8) force majeure is not a defect",
        "removal-clarification-request",
        put("reason", "force_majeure"),
    ),
    case(
        "Art. 3(8) a path that is not one", "removal-clarification-request", put("fields", ["content..url"])
    ),
    case("Art. 3(8) clarification as given", "removal-clarification", valid=True),
    case("Art. 3(8) clarification without new URLs", "removal-clarification", drop("content"), valid=True),
    case("Art. 3(8) clarification unexplained", "removal-clarification", drop("explanation")),
    case("Art. 4(4) scrutiny request as given", "removal-scrutiny-request", valid=True),
    case(
        "Art. 4(4) content provider's request with its information time",
        "removal-scrutiny-request",
        put("requested_by", "content_provider"),
        put("information_received_at", "2024-04-06T08:00:00+02:00"),
        valid=True,
    ),
    case(
        "Art. 4(4) content provider's request without its information time",
        "removal-scrutiny-request",
        put("requested_by", "content_provider"),
    ),
    case(
        "Art. 4(4) provider's request with an information time",
        "removal-scrutiny-request",
        put("information_received_at", "2024-04-06T08:00:00+02:00"),
    ),
    case("Art. 4(4) request without reasons", "removal-scrutiny-request", drop("reasons")),
    case(
        "Art. 4(4) request by the issuer",
        "removal-scrutiny-request",
        put("requested_by", "issuing_authority"),
    ),
    case("Art. 4(5) intention as given", "removal-scrutiny-intention", valid=True),
    case("Art. 4(5) intention without grounds", "removal-scrutiny-intention", put("grounds", [])),
    case(
        "Art. 4(5) intention ground twice",
        "removal-scrutiny-intention",
        put("grounds", ["charter", "charter"]),
    ),
    case("Art. 4(3) decision as given", "removal-scrutiny-decision", valid=True),
    case(
        "Art. 4(6) infringement with grounds",
        "removal-scrutiny-decision",
        put("finding", "infringement"),
        put("grounds", ["regulation", "charter"]),
        valid=True,
    ),
    case(
        "Art. 4(6) infringement without grounds", "removal-scrutiny-decision", put("finding", "infringement")
    ),
    case("Art. 4(3) no infringement with grounds", "removal-scrutiny-decision", put("grounds", ["charter"])),
    case("Art. 4(3) decision unreasoned", "removal-scrutiny-decision", drop("reasons")),
    case("Art. 4(3) unknown finding", "removal-scrutiny-decision", put("finding", "partly")),
    case("Art. 4(7) reinstatement as given", "removal-reinstatement", valid=True),
    case("Art. 4(7) access restored", "removal-reinstatement", put("action", "access_restored"), valid=True),
    case("Art. 4(7) reinstatement without time", "removal-reinstatement", drop("done_at")),
    case(
        "Art. 4(7) reinstated at a local time", "removal-reinstatement", put("done_at", "2024-04-08T10:05:00")
    ),
    case("Art. 6(2) extension as given", "removal-preservation-extension", valid=True),
    case(
        "Art. 6(2) extension by the authority",
        "removal-preservation-extension",
        put("requested_by", "competent_authority"),
        valid=True,
    ),
    case("Art. 6(2) extension without an end", "removal-preservation-extension", drop("until")),
    case("Art. 6(2) extension without proceedings", "removal-preservation-extension", drop("proceedings")),
    case("Art. 6(2) extension on a date only", "removal-preservation-extension", put("until", "2025-01-31")),
    # The content provider's rights (Arts. 10-11; tco-dsa.md TCO-16 to TCO-18).
    case("Art. 11(2) information with a copy on request", "content-provider-information", valid=True),
    case(
        "Art. 11(1) information without any request",
        "content-provider-information",
        drop("on_request"),
        drop("requested_at"),
        valid=True,
    ),
    case("Art. 11(2) given on request, not said when", "content-provider-information", drop("requested_at")),
    case("Art. 11(2) a request without what was given", "content-provider-information", drop("on_request")),
    case("Art. 11(2) something else given", "content-provider-information", put("on_request", "the_content")),
    case("Art. 11(1) information without means", "content-provider-information", drop("means")),
    case(
        "Art. 11(1) informed at a local time",
        "content-provider-information",
        put("informed_at", "2024-04-05T10:30:00"),
    ),
    case("Art. 11(3) withholding as given", "removal-withholding", valid=True),
    case("Art. 11(3) renewal", "removal-withholding", put("decision", "renew"), valid=True),
    case("Art. 11(3) withholding unreasoned", "removal-withholding", drop("reasons")),
    case("Art. 11(3) withholding without an end", "removal-withholding", drop("until")),
    case("Art. 11(3) withholding until a date only", "removal-withholding", put("until", "2024-05-10")),
    case("Art. 11(3) unknown decision", "removal-withholding", put("decision", "forever")),
    case("Art. 10(1) complaint as given", "removal-complaint", valid=True),
    case(
        "Art. 10(1) complaint without reference", "removal-complaint", drop("complaint_reference"), valid=True
    ),
    case("Art. 10(1) complaint without grounds", "removal-complaint", drop("grounds")),
    case("Art. 10(1) complaint without its receipt", "removal-complaint", drop("received_at")),
    case("Art. 10(2) dismissed with remedies", "removal-complaint-outcome", valid=True),
    case("Art. 10(2) dismissed without remedies", "removal-complaint-outcome", drop("remedies")),
    case(
        "Art. 10(2) reinstated",
        "removal-complaint-outcome",
        put("outcome", "reinstated"),
        drop("remedies"),
        valid=True,
    ),
    case("Art. 10(2) reinstated with remedies", "removal-complaint-outcome", put("outcome", "reinstated")),
    case("Art. 10(2) outcome unreasoned", "removal-complaint-outcome", drop("reasons")),
    # Regulation (EU) 2022/2065 (DSA), Art. 18 and its recital on the contents (tco-dsa.md DSA-01 to DSA-03).
    case("DSA Art. 18 notification as given", "threat-notification", valid=True),
    case("DSA recital: content without URLs", "threat-notification", drop("content.urls"), valid=True),
    case("DSA recital: content missing", "threat-notification", drop("content")),
    case(
        "DSA recital: publication time without time zone",
        "threat-notification",
        put("published_at", "2026-11-24T08:45:00"),
    ),
    case("DSA recital: suspicion unexplained", "threat-notification", drop("suspicion")),
    case("DSA recital: recipient not identified", "threat-notification", drop("recipient_identification")),
    case("DSA Art. 18(1) unknown timing", "threat-notification", put("offence_timing", "was_rumoured")),
    case(
        "DSA Art. 18(1) two States",
        "threat-notification",
        put("member_states_concerned", ["FR", "BE"]),
        valid=True,
    ),
    case("DSA Art. 18(1) a State twice", "threat-notification", put("member_states_concerned", ["FR", "FR"])),
    case("DSA Art. 18(1) not a country", "threat-notification", put("member_states_concerned", ["XX"])),
    case(
        "DSA Art. 18(2) no State, with why",
        "threat-notification",
        put("member_states_concerned", []),
        put("fallback_reason", "The uploader hides behind a VPN; no location is known."),
        valid=True,
    ),
    case("DSA Art. 18(2) no State, without why", "threat-notification", put("member_states_concerned", [])),
    case(
        "DSA Art. 18(2) a fallback reason beside a State",
        "threat-notification",
        put("fallback_reason", "Unclear."),
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


def test_withholding_on_30_february_is_refused_by_marshmallow_alone(
    kinds: dict[str, Any], judge: Callable[..., Any]
) -> None:
    """The documented gap of every calendar date: JSON Schema cannot know the length of a month."""
    document = kinds["removal-order"].build()
    put("withholding.until", "2024-02-30")(document)
    verdict = judge("removal-order", document)
    assert verdict.json_valid
    assert not verdict.marshmallow_valid


def test_every_removal_message_type_has_a_version_1_body(kinds: dict[str, Any]) -> None:
    for message_type in RemovalMessageType:
        body = kinds[message_type.value].build()
        assert validate_removal_body(message_type.value, 1, body) is body


@pytest.mark.parametrize("message_type", [t.value for t in RemovalMessageType])
def test_no_e_evidence_step_accepts_a_removal_message(message_type: str, kinds: dict[str, Any]) -> None:
    """The removal messages are not lifecycle messages of an EPOC or EPOC-PR, nor the reverse."""
    with pytest.raises(UnknownMessageType):
        validate_body(message_type, 1, kinds[message_type].build())


def test_an_e_evidence_message_is_not_a_removal_message(kinds: dict[str, Any]) -> None:
    with pytest.raises(UnknownMessageType):
        validate_removal_body(MessageType.RESPONSE.value, 1, kinds["produced"].build())


def test_a_removal_body_of_an_unknown_version_is_refused(kinds: dict[str, Any]) -> None:
    with pytest.raises(UnknownMessageType):
        validate_removal_body("removal-order", 2, kinds["removal-order"].build())


def test_a_removal_body_that_is_not_an_object_is_invalid() -> None:
    with pytest.raises(ValidationError):
        validate_removal_body("removal-order", 1, ["not", "an", "object"])
