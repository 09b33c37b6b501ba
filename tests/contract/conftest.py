"""Valid examples of every wire document, and the two validators the contract holds to one verdict."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from marshmallow import ValidationError
from referencing import Registry
from referencing import Resource

from broker.wire.envelope_schema import EnvelopeSchema
from broker.wire.registry import validate_body

PROSECUTOR = "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f"
CYBER_POLICE = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
EXAMPLE_MAIL = "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f"
EXAMPLE_MAIL_IE = "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8"
EPOC_ENVELOPE = "0b8f5c3e-2d1a-4f6e-9c7b-8a5d4e3f2c1b"
EXAMPLE_MAIL_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"  # RFC 8037 A.3's thumbprint, for its shape


def _prosecutor() -> dict[str, Any]:
    return {
        "organisation": PROSECUTOR,
        "name": "Parquet de Paris",
        "authority_type": "public_prosecutor",
        "country": "FR",
        "file_number": "PNC-2024-00172",
        "contact": {"name": "Camille Durand", "email": "camille.durand@justice.example.fr"},
    }


def _example_mail_ireland() -> dict[str, Any]:
    return {
        "id": EXAMPLE_MAIL_IE,
        "provider": {"organisation": EXAMPLE_MAIL, "name": "Example Mail"},
        "addressee_type": "designated_establishment",
        "name": "Example Mail Ireland Ltd",
        "country": "IE",
        "address": "1 Example Quay, Dublin 2, D02 X285, Ireland",
    }


def epoc() -> dict[str, Any]:
    """A French public prosecutor orders subscriber data from Example Mail's establishment in Ireland."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": _prosecutor(),
        "validating_authority": None,
        "addressee": _example_mail_ireland(),
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "l.martin.2024@example-mail.test"}],
        "time_range": {"start": "2024-01-01T00:00:00+01:00", "end": "2024-03-31T23:59:59+02:00"},
        "offence": {
            "description": "Fraud: deposits taken for holiday rentals that do not exist.",
            "legal_provisions": ["Code pénal, article 313-1"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "The account is the only link between the victims and the suspect.",
        "similar_domestic_order_possible": True,
        "case_summary": "Forty victims paid deposits to the account holder for listings that were fake.",
        "user_information": {
            "decision": "delay",
            "justification": "Telling the account holder now would warn the suspect before the search.",
        },
        "language": "en",
    }


def epoc_pr() -> dict[str, Any]:
    """Police, validated by the prosecutor, preserve an absconded convict's IP logs in an emergency."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {
            "organisation": CYBER_POLICE,
            "name": "Office anti-cybercriminalité",
            "authority_type": "other_competent_authority",
            "country": "FR",
        },
        "validating_authority": _prosecutor(),
        "addressee": _example_mail_ireland(),
        "data_categories": ["user_identification", "traffic"],
        "targets": [{"type": "account", "value": "l.martin.2024"}],
        "identification": [
            {"ip_address": "203.0.113.7", "source_port": 51514, "timestamp": "2024-04-01T21:14:09.5+02:00"},
            {"ip_address": "2001:db8::17", "timestamp": "2024-04-02T06:02:44Z"},
        ],
        "time_range": {"start": "2024-03-15T00:00:00Z", "end": "2024-04-02T12:00:00Z"},
        "offence": {
            "description": "Aggravated violence against a former partner.",
            "legal_provisions": ["Code pénal, article 222-12", "Code pénal, article 132-80"],
            "maximum_penalty_months": 60,
            "annex_iv_category": "murder_grievous_bodily_injury",
        },
        "purpose": "sentence_execution",
        "sentence": {"imposed_months": 30, "rendered_in_absentia": False, "absconded": True},
        "emergency": True,
        "emergency_justification": "The convict has threatened to kill the victim in messages sent last night.",
        "necessity_and_proportionality": "The logs are the only way to locate the convict before the logs rotate.",
        "case_summary": "Convicted in 2023, absconded in March 2024, now threatening the victim online.",
        "subsequent_request": "epo",
        "language": "en",
    }


def produced_response() -> dict[str, Any]:
    """Example Mail produced the data."""
    return {"outcome": "produced", "data_preserved": True, "addressee_file_number": "EM-IE-2024-0042"}


def not_executed_response() -> dict[str, Any]:
    """Example Mail could not execute: it never stored the data."""
    return {
        "outcome": "not_executed",
        "reason": "data_not_stored",
        "explanation": "The account was deleted in 2023 and no data were kept.",
        "data_preserved": False,
    }


def envelope() -> dict[str, Any]:
    """Example Mail's signed answer to the prosecutor's EPOC."""
    return {
        "type": "response",
        "version": 1,
        "id": "e4d3c2b1-a0f9-4e8d-b7c6-a5f4e3d2c1b0",
        "issued_at": "2024-04-05T09:15:00Z",
        "sender": {"organisation": EXAMPLE_MAIL, "kid": EXAMPLE_MAIL_KID},
        "recipient": {"organisation": PROSECUTOR},
        "in_reply_to": EPOC_ENVELOPE,
        "body": produced_response(),
    }


@dataclass(frozen=True)
class Kind:
    """A document kind: how to build a valid one, its JSON Schema, and the marshmallow check."""

    build: Callable[[], dict[str, Any]]
    schema_id: str
    load: Callable[[dict[str, Any]], object]


def _schema_id(name: str) -> str:
    return f"urn:eevidence-broker:schema:{name}:v1"


KINDS = {
    "epoc": Kind(epoc, _schema_id("epoc"), partial(validate_body, "epoc", 1)),
    "epoc-pr": Kind(epoc_pr, _schema_id("epoc-pr"), partial(validate_body, "epoc-pr", 1)),
    "produced": Kind(produced_response, _schema_id("response"), partial(validate_body, "response", 1)),
    "not_executed": Kind(
        not_executed_response, _schema_id("response"), partial(validate_body, "response", 1)
    ),
    "envelope": Kind(envelope, _schema_id("envelope"), EnvelopeSchema().load),
}


@dataclass(frozen=True)
class Verdict:
    """Both validators' errors for one document; empty means valid."""

    marshmallow: dict[str, Any]
    json_schema: list[str]

    @property
    def marshmallow_valid(self) -> bool:
        return not self.marshmallow

    @property
    def json_valid(self) -> bool:
        return not self.json_schema


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "schemas"


@pytest.fixture(scope="session")
def registry(schemas_dir: Path) -> Registry:
    """Every schema file under its $id, so `$ref`s to common.v1.json resolve without a network."""
    resources = [Resource.from_contents(json.loads(p.read_text("utf-8"))) for p in schemas_dir.glob("*.json")]
    return Registry().with_resources((resource.id(), resource) for resource in resources)


@pytest.fixture(scope="session")
def kinds() -> dict[str, Kind]:
    return KINDS


@pytest.fixture(scope="session")
def judge(registry: Registry) -> Callable[[str, Any], Verdict]:
    """Run both validators on a document of the named kind."""
    validators = {
        name: Draft202012Validator(
            registry.contents(kind.schema_id),
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for name, kind in KINDS.items()
    }

    def verdict(kind: str, document: Any) -> Verdict:
        try:
            KINDS[kind].load(document)
        except ValidationError as error:
            messages = error.messages
            marshmallow = messages if isinstance(messages, dict) else {"_schema": messages}
        else:
            marshmallow = {}
        json_schema = [error.message for error in validators[kind].iter_errors(document)]
        return Verdict(marshmallow, json_schema)

    return verdict
