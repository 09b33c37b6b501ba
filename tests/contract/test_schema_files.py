"""The published JSON Schema files: well-formed, closed, one per registered body, in step with the code."""

import json
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from broker import vocabulary
from broker.countries import ISO_3166_ALPHA2
from broker.wire.certificates import LANGUAGE_PATTERN
from broker.wire.envelope_schema import KID_PATTERN
from broker.wire.evidence import AGE_RECIPIENT_PATTERN
from broker.wire.evidence import FILE_NAME_PATTERN
from broker.wire.evidence import SHA256_PATTERN
from broker.wire.fields import DATE_PATTERN
from broker.wire.fields import DIRECTIVE_PATTERN
from broker.wire.fields import OFFSET_TIMESTAMP_PATTERN
from broker.wire.fields import UTC_TIMESTAMP_PATTERN
from broker.wire.fields import UUID_PATTERN
from broker.wire.lifecycle import CERTIFICATE_PATH_PATTERN
from broker.wire.registry import BODY_SCHEMAS
from broker.wire.registry import NOTIFICATION_BODY_SCHEMAS
from broker.wire.registry import REMOVAL_BODY_SCHEMAS
from broker.wire.removal import URL_PATTERN

SCHEMA_FILES = sorted((Path(__file__).resolve().parents[2] / "schemas").glob("*.json"))
NAME = re.compile(r"^(?P<type>[a-z-]+)\.v(?P<version>[1-9][0-9]*)\.json$")
# Objects whose members another schema defines: the envelope's body is checked against <type>.v<version>.json.
OPEN_OBJECTS = {(f"envelope.v{version}.json", "/properties/body") for version in (1, 2, 3)}
# Messages envelope version 3 adds (Regulation (EU) 2021/784, Art. 4(4)-(7), 6(2); Regulation (EU) 2022/2065,
# Art. 18); version 2 stays as published.
ENVELOPE_V3_ONLY = [
    *("removal-scrutiny-request", "removal-scrutiny-intention", "removal-scrutiny-decision"),
    *("removal-reinstatement", "removal-preservation-extension", "threat-notification"),
    # The UK's overseas production order and the respondent's refusal of excepted data (COPO ss.1, 3).
    *("overseas-production-order", "excepted-data-refusal"),
    # The content provider's rights (Regulation (EU) 2021/784, Arts. 10-11).
    *(
        "content-provider-information",
        "removal-withholding",
        "removal-complaint",
        "removal-complaint-outcome",
    ),
    # The requested Party's refusal to give effect to a Council of Europe order (CETS 224 Art. 8(7), CETS 185
    # Art. 29(4)-(5)).
    "requested-party-refusal",
]
# The bodies of broker/wire/lifecycle.py, each published with a description of every member.
LIFECYCLE_FILES = [
    f"{message_type}.v1.json"
    for message_type in (
        *("acknowledgement", "preservation-notice", "clarification-request", "clarification-answer"),
        *("immunity-concern", "order-decision", "third-country-objection", "court-review-outcome"),
        *("withdrawal", "new-deadline", "preservation-extension", "production-request-confirmation"),
        *("preservation-release", "ex-post-validation", "closure", "enforcement-request"),
        *("enforcing-review", "enforcement-decision"),
    )
]
# The removal order of Regulation (EU) 2021/784 and its answers (broker/wire/removal.py).
REMOVAL_FILES = [f"{message_type.value}.v{version}.json" for message_type, version in REMOVAL_BODY_SCHEMAS]
# Bodies whose every member, nested ones included, says what it is and what it proves.
# The UK's overseas production order and the respondent's refusal of excepted data (broker/wire/overseas.py).
OVERSEAS_FILES = ["overseas-production-order.v1.json", "excepted-data-refusal.v1.json"]
DESCRIBED_FILES = [
    *LIFECYCLE_FILES,
    "evidence-manifest.v1.json",
    *REMOVAL_FILES,
    "threat-notification.v1.json",
    *OVERSEAS_FILES,
]


def _values(enum: type[StrEnum]) -> list[str]:
    return [e.value for e in enum]


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def _subschemas(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        if key not in ("enum", "const", "required"):
            yield from _subschemas(value, f"{pointer}/{key}")


def test_the_folder_holds_the_expected_files() -> None:
    names = {path.name for path in SCHEMA_FILES}
    assert {
        "common.v1.json",
        "common.v2.json",
        "epoc.v2.json",
        "epoc-pr.v2.json",
        "envelope.v1.json",
        "envelope.v2.json",
        "envelope.v3.json",
        "epoc.v1.json",
        "epoc-pr.v1.json",
        "response.v1.json",
        *DESCRIBED_FILES,
    } <= names


@pytest.mark.parametrize("file", DESCRIBED_FILES)
def test_every_lifecycle_member_is_described(file: str, schemas_dir: Path) -> None:
    """Parties read these files to fill in a message: each member says what it is, and its article."""
    schema = _load(schemas_dir / file)
    assert schema["properties"]
    # Object definitions only: the properties of an if/then condition are not members.
    objects = [(p, s) for p, s in _subschemas(schema) if isinstance(s, dict) and s.get("type") == "object"]
    for pointer, node in objects:
        for name, member in node.get("properties", {}).items():
            assert member.get("description", "").strip(), f"{file}#{pointer}/properties/{name}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_file_is_a_described_draft_2020_12_schema(path: Path) -> None:
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    match = NAME.match(path.name)
    assert match, f"{path.name} is not named <type>.v<version>.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:eevidence-broker:schema:{match['type']}:v{match['version']}"
    assert schema["title"].strip()
    assert schema["description"].strip()


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_object_schema_refuses_unknown_members(path: Path) -> None:
    objects = [
        (p, s) for p, s in _subschemas(_load(path)) if isinstance(s, dict) and s.get("type") == "object"
    ]
    assert objects
    for pointer, schema in objects:
        if (path.name, pointer) not in OPEN_OBJECTS:
            assert schema.get("additionalProperties") is False, f"{path.name}#{pointer}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_ref_resolves(path: Path, registry: Registry) -> None:
    resolver = registry.resolver()
    refs = [s["$ref"] for _, s in _subschemas(_load(path)) if isinstance(s, dict) and "$ref" in s]
    for ref in refs:
        assert ref.startswith("urn:eevidence-broker:schema:"), f"{ref} is not absolute"
        assert resolver.lookup(ref).contents is not None


def test_every_body_schema_has_a_file_and_every_file_a_body_schema() -> None:
    files = {(m["type"], int(m["version"])) for p in SCHEMA_FILES if (m := NAME.match(p.name))}
    bodies = {
        (message_type.value, version)
        for message_type, version in (*BODY_SCHEMAS, *REMOVAL_BODY_SCHEMAS, *NOTIFICATION_BODY_SCHEMAS)
    }
    assert files - {("common", 1), ("common", 2), ("envelope", 1), ("envelope", 2), ("envelope", 3)} == bodies


@pytest.mark.parametrize(
    ("file", "pointer", "pattern"),
    [
        ("common.v1.json", "/$defs/uuid", UUID_PATTERN),
        ("common.v1.json", "/$defs/offsetTimestamp", OFFSET_TIMESTAMP_PATTERN),
        ("common.v1.json", "/$defs/date", DATE_PATTERN),
        ("common.v1.json", "/$defs/language", LANGUAGE_PATTERN),
        ("common.v1.json", "/$defs/listedOffence/properties/directive", DIRECTIVE_PATTERN),
        ("envelope.v1.json", "/properties/issued_at", UTC_TIMESTAMP_PATTERN),
        ("envelope.v1.json", "/properties/sender/properties/kid", KID_PATTERN),
        ("envelope.v2.json", "/properties/issued_at", UTC_TIMESTAMP_PATTERN),
        ("envelope.v2.json", "/properties/sender/properties/kid", KID_PATTERN),
        ("envelope.v3.json", "/properties/issued_at", UTC_TIMESTAMP_PATTERN),
        ("envelope.v3.json", "/properties/sender/properties/kid", KID_PATTERN),
        ("clarification-request.v1.json", "/properties/fields/items", CERTIFICATE_PATH_PATTERN),
        ("evidence-manifest.v1.json", "/$defs/sha256", SHA256_PATTERN),
        ("evidence-manifest.v1.json", "/properties/recipient", AGE_RECIPIENT_PATTERN),
        ("evidence-manifest.v1.json", "/$defs/producedFile/properties/name", FILE_NAME_PATTERN),
        ("removal-order.v1.json", "/properties/content/items/properties/url", URL_PATTERN),
        ("removal-clarification.v1.json", "/properties/content/items/properties/url", URL_PATTERN),
        ("removal-clarification-request.v1.json", "/properties/fields/items", CERTIFICATE_PATH_PATTERN),
        ("threat-notification.v1.json", "/properties/content/properties/urls/items", URL_PATTERN),
    ],
)
def test_patterns_are_the_code_s_patterns(file: str, pointer: str, pattern: str, schemas_dir: Path) -> None:
    assert _at(_load(schemas_dir / file), pointer)["pattern"] == pattern


@pytest.mark.parametrize(
    ("file", "pointer", "values"),
    [
        ("common.v1.json", "/$defs/country", sorted(ISO_3166_ALPHA2)),
        ("common.v1.json", "/$defs/authorityType", _values(vocabulary.AuthorityType)),
        # Version 1 is published and stays as it was; version 2 adds other establishments (Art. 7(2)).
        ("common.v1.json", "/$defs/addresseeType", list(vocabulary.DESIGNATED_ADDRESSEES)),
        ("common.v2.json", "/$defs/addresseeType", _values(vocabulary.AddresseeType)),
        ("common.v2.json", "/$defs/addressingGround", _values(vocabulary.AddressingGround)),
        ("common.v1.json", "/$defs/targetType", _values(vocabulary.TargetType)),
        ("common.v1.json", "/$defs/dataCategory", _values(vocabulary.DataCategory)),
        ("common.v1.json", "/$defs/purpose", _values(vocabulary.Purpose)),
        ("common.v1.json", "/$defs/instrument", _values(vocabulary.Instrument)),
        (
            "common.v1.json",
            "/$defs/userInformation/properties/decision",
            _values(vocabulary.UserInformationDecision),
        ),
        ("epoc-pr.v1.json", "/properties/subsequent_request", _values(vocabulary.SubsequentRequest)),
        ("response.v1.json", "/properties/outcome", _values(vocabulary.ResponseOutcome)),
        ("response.v1.json", "/properties/reason", _values(vocabulary.NonExecutionReason)),
        # Version 1 is published and stays as it was; version 2 adds the removal order's messages.
        (
            "envelope.v1.json",
            "/properties/type",
            [
                t
                for t in _values(vocabulary.MessageType)
                if t not in _values(vocabulary.RemovalMessageType) and t not in ENVELOPE_V3_ONLY
            ],
        ),
        # Version 2 is published and stays as it was: the types up to the removal order's own.
        (
            "envelope.v2.json",
            "/properties/type",
            _values(vocabulary.MessageType)[
                : _values(vocabulary.MessageType).index("removal-clarification") + 1
            ],
        ),
        # Version 3 adds the removal order's scrutiny and the preservation of removed content.
        ("envelope.v3.json", "/properties/type", _values(vocabulary.MessageType)),
        ("excepted-data-refusal.v1.json", "/properties/grounds/items", _values(vocabulary.ExceptedData)),
        (
            "removal-scrutiny-request.v1.json",
            "/properties/requested_by",
            _values(vocabulary.ScrutinyRequester),
        ),
        (
            "removal-scrutiny-intention.v1.json",
            "/properties/grounds/items",
            _values(vocabulary.ScrutinyGround),
        ),
        ("removal-scrutiny-decision.v1.json", "/properties/finding", _values(vocabulary.ScrutinyFinding)),
        (
            "removal-scrutiny-decision.v1.json",
            "/properties/grounds/items",
            _values(vocabulary.ScrutinyGround),
        ),
        ("removal-reinstatement.v1.json", "/properties/action", _values(vocabulary.ReinstatementAction)),
        ("threat-notification.v1.json", "/properties/offence_timing", _values(vocabulary.OffenceTiming)),
        (
            "content-provider-information.v1.json",
            "/properties/on_request",
            _values(vocabulary.ContentProviderDisclosure),
        ),
        ("removal-withholding.v1.json", "/properties/decision", _values(vocabulary.WithholdingDecision)),
        ("removal-complaint-outcome.v1.json", "/properties/outcome", _values(vocabulary.ComplaintOutcome)),
        (
            "removal-preservation-extension.v1.json",
            "/properties/requested_by",
            _values(vocabulary.PreservationRequester),
        ),
        ("clarification-request.v1.json", "/properties/reason", ["incomplete_or_manifest_error"]),
        ("order-decision.v1.json", "/properties/decision", _values(vocabulary.OrderDecision)),
        ("court-review-outcome.v1.json", "/properties/outcome", _values(vocabulary.CourtReviewOutcome)),
        (
            "production-request-confirmation.v1.json",
            "/properties/request_type",
            _values(vocabulary.SubsequentRequest),
        ),
        ("ex-post-validation.v1.json", "/properties/outcome", _values(vocabulary.ValidationOutcome)),
        ("enforcing-review.v1.json", "/properties/decision", _values(vocabulary.ReviewDecision)),
        ("enforcing-review.v1.json", "/properties/ground", _values(vocabulary.RefusalGround)),
        ("enforcement-decision.v1.json", "/properties/outcome", _values(vocabulary.EnforcementOutcome)),
        (
            "removal-order.v1.json",
            "/properties/addressee/properties/addressee_type",
            _values(vocabulary.RemovalAddresseeType),
        ),
        (
            "removal-order.v1.json",
            "/properties/reasons/properties/material_types/items",
            _values(vocabulary.TerroristMaterial),
        ),
        ("removal-confirmation.v1.json", "/properties/action", _values(vocabulary.RemovalAction)),
        ("removal-impossibility.v1.json", "/properties/reason", _values(vocabulary.RemovalImpediment)),
        (
            "removal-clarification-request.v1.json",
            "/properties/reason",
            _values(vocabulary.RemovalOrderDefect),
        ),
    ],
)
def test_enums_are_the_vocabulary(file: str, pointer: str, values: list[str], schemas_dir: Path) -> None:
    assert _at(_load(schemas_dir / file), pointer)["enum"] == values


def test_there_are_249_country_codes() -> None:
    assert len(ISO_3166_ALPHA2) == 249
    assert all(re.fullmatch("[A-Z]{2}", code) for code in ISO_3166_ALPHA2)


def _at(schema: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = schema
    for step in pointer.strip("/").split("/"):
        node = node[step]
    return node


def test_every_version_2_envelope_is_a_version_3_envelope(schemas_dir: Path) -> None:
    """Version 3 only adds message types: the rest of the envelope is version 2's, member for member."""
    v2, v3 = _load(schemas_dir / "envelope.v2.json"), _load(schemas_dir / "envelope.v3.json")
    assert v3["required"] == v2["required"]
    for name, member in v2["properties"].items():
        if name != "type":
            assert v3["properties"][name] == member, name
    types = v3["properties"]["type"]["enum"]
    assert types[: len(v2["properties"]["type"]["enum"])] == v2["properties"]["type"]["enum"]
    assert set(ENVELOPE_V3_ONLY) <= set(types)
