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
from broker.wire.registry import validate_message_body
from broker.wire.registry import validate_removal_body
from tests.removal.examples import content_provider_information
from tests.removal.examples import impossibility_ceased
from tests.removal.examples import removal_clarification
from tests.removal.examples import removal_clarification_request
from tests.removal.examples import removal_complaint
from tests.removal.examples import removal_complaint_outcome
from tests.removal.examples import removal_confirmation
from tests.removal.examples import removal_impossibility
from tests.removal.examples import removal_order
from tests.removal.examples import removal_preservation_extension
from tests.removal.examples import removal_reinstatement
from tests.removal.examples import removal_scrutiny_decision
from tests.removal.examples import removal_scrutiny_intention
from tests.removal.examples import removal_scrutiny_request
from tests.removal.examples import removal_withholding
from tests.removal.examples import threat_notification

PROSECUTOR = "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f"
CYBER_POLICE = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
EXAMPLE_MAIL = "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f"
EXAMPLE_MAIL_IE = "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8"
EPOC_ENVELOPE = "0b8f5c3e-2d1a-4f6e-9c7b-8a5d4e3f2c1b"
ANNEX_III_ENVELOPE = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
EXAMPLE_MAIL_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"  # RFC 8037 A.3's thumbprint, for its shape
# The recipient of the age test kit's identity (tests/vectors/age-testkit): a public test key.
PROSECUTOR_AGE = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"


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


def _other_establishment(certificate: dict[str, Any]) -> dict[str, Any]:
    """The certificate sent, in an emergency, to Example Mail's German office: Ireland did not react (Art. 7(2))."""
    certificate["addressee"] |= {
        "addressee_type": "other_establishment",
        "name": "Example Mail Deutschland GmbH",
        "country": "DE",
        "address": "Beispielstraße 1, 10115 Berlin, Germany",
    }
    certificate["addressing_exception"] = {
        "ground": "designated_did_not_react",
        "details": "EPOC FR-2024-0172 to Example Mail Ireland Ltd was not acknowledged within 8 hours.",
    }
    return certificate


def epoc_v2() -> dict[str, Any]:
    """The emergency EPOC of version 2: to another establishment, naming the ground (Art. 7(2))."""
    certificate = epoc() | {
        "emergency": True,
        "emergency_justification": "The account holder announced a killing for tonight.",
    }
    return _other_establishment(certificate)


def epoc_pr_v2() -> dict[str, Any]:
    """The emergency EPOC-PR of version 2, sent to the German office under Art. 7(2)."""
    return _other_establishment(epoc_pr())


def epoc_v3() -> dict[str, Any]:
    """A CETS 224 Art. 8 order of version 3: none of the members only the Regulation's form asks for."""
    certificate = epoc() | {"instrument": "cets-224-art8"}
    for member in ("purpose", "necessity_and_proportionality", "similar_domestic_order_possible"):
        certificate.pop(member, None)
    certificate.pop("user_information", None)
    return certificate


def epoc_pr_v3() -> dict[str, Any]:
    """A Budapest Art. 29 preservation request of version 3: no purpose, emergency, language or penalty."""
    certificate = epoc_pr() | {"instrument": "cets-185-art29", "subsequent_request": "mla"}
    for member in ("purpose", "sentence", "emergency", "emergency_justification", "language"):
        certificate.pop(member, None)
    certificate["offence"] = {
        k: v for k, v in certificate["offence"].items() if k != "maximum_penalty_months"
    }
    return certificate


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


# Messages after the certificate (broker/wire/lifecycle.py, and the evidence manifest of
# broker/wire/evidence.py), following the two orders above.


def acknowledgement() -> dict[str, Any]:
    """Example Mail confirms it has the EPOC."""
    return {"addressee_file_number": "EM-IE-2024-0042"}


def preservation_notice() -> dict[str, Any]:
    """Example Mail preserved the account's data the morning the EPOC arrived (Irish summer time)."""
    return {"preserved_at": "2024-04-02T08:31:12+01:00", "addressee_file_number": "EM-IE-2024-0042"}


def clarification_request() -> dict[str, Any]:
    """The case summary speaks of a second account the targets do not name: is it sought too?"""
    return {
        "reason": "incomplete_or_manifest_error",
        "explanation": "The case summary mentions two accounts of the suspect but the certificate names"
        " one target. Please say whether data of a second account are sought, and which.",
        "fields": ["targets", "case_summary"],
    }


def clarification_answer() -> dict[str, Any]:
    """The prosecutor confirms one account only (Art. 10(6))."""
    return {"explanation": "Only l.martin.2024@example-mail.test is sought; the other account is a victim's."}


def immunity_concern() -> dict[str, Any]:
    """The account holder is a journalist; the content may identify sources."""
    return {
        "explanation": "The account is used by a staff journalist of an Irish newspaper; its content may"
        " identify confidential sources.",
        "grounds": ["Journalistic privilege over sources, Mahon Tribunal v Keena [2009] IESC 64"],
    }


def order_decision() -> dict[str, Any]:
    """After the concern the prosecutor narrows the order rather than withdraw it."""
    return {
        "decision": "adapt",
        "explanation": "Content is no longer sought; the order covers subscriber data.",
    }


def third_country_objection() -> dict[str, Any]:
    """Example Mail's US parent says disclosing content would breach the Stored Communications Act."""
    return {
        "third_country": "US",
        "law": "Stored Communications Act (Title II of the Electronic Communications Privacy Act of 1986)",
        "provision": "18 U.S.C. § 2702(a)(1)",
        "applicability": "The content is held by Example Mail Inc., a provider of electronic communication"
        " service to the public incorporated in Delaware, for a user resident in the United States.",
        "nature_of_conflict": "Section 2702(a)(1) forbids the provider to divulge the contents of a"
        " communication; no exception of § 2702(b) covers an order of a foreign authority, and the user"
        " may sue under 18 U.S.C. § 2707.",
    }


def court_review_outcome() -> dict[str, Any]:
    """The Paris court upholds the order after weighing the US interests (Art. 17)."""
    return {
        "outcome": "upheld",
        "court": "Tribunal judiciaire de Paris, juge des libertés et de la détention",
        "decided_on": "2024-05-14",
        "explanation": "The user resides in France and the offence was committed there; the links to the"
        " United States do not outweigh them.",
    }


def withdrawal() -> dict[str, Any]:
    """The suspect was identified otherwise; data already received may be kept."""
    return {"reason": "The suspect was identified through the bank's records.", "delete_received_data": False}


def new_deadline() -> dict[str, Any]:
    """Example Mail needs more time to restore archived logs (Art. 10(8))."""
    return {"deadline": "2024-04-19T17:00:00+02:00", "reason": "The logs must be restored from tape."}


def preservation_extension() -> dict[str, Any]:
    """The EIO is not ready within 60 days (Annex VI)."""
    return {"reason": "The European Investigation Order is being translated and will issue within 30 days."}


def production_request_confirmation() -> dict[str, Any]:
    """The EIO that the EPOC-PR prepared has been issued (Annex V)."""
    return {"request_type": "eio", "reference": "EIO-FR-2024-0315", "issued_on": "2024-05-20"}


def preservation_release() -> dict[str, Any]:
    """The convict was arrested, so the logs are no longer needed (Art. 11(3))."""
    return {"reason": "The convict was arrested on 3 April 2024; the logs are no longer needed."}


def ex_post_validation() -> dict[str, Any]:
    """The prosecutor validates the police's emergency EPOC-PR within 48 hours (Art. 4(5))."""
    return {
        "outcome": "granted",
        "validating_authority": _prosecutor(),
        "explanation": "The threat to the victim's life justified preserving the logs at once.",
    }


def closure() -> dict[str, Any]:
    """The prosecutor closes the EPOC once the data arrived."""
    return {"reason": "All data received."}


def enforcement_request() -> dict[str, Any]:
    """The prosecutor asks Ireland to enforce the EPOC Example Mail did not execute (Art. 16(1))."""
    return {
        "annex_iii_message": ANNEX_III_ENVELOPE,
        "language": "en",
        "explanation": "Example Mail produced nothing within 10 days, and its Annex III reason was not accepted.",
    }


def enforcing_review() -> dict[str, Any]:
    """Ireland does not object to an emergency EPOC, on a condition (Art. 10(4), 12)."""
    return {
        "decision": "no_objection",
        "conditions": "The data may be used only in the proceedings named in the certificate.",
    }


def enforcing_review_refusal() -> dict[str, Any]:
    """Ireland refuses: the conduct is not an offence there (Art. 12(1)(d))."""
    return {
        "decision": "refusal",
        "ground": "no_double_criminality",
        "explanation": "The conduct is not an offence under Irish law and is not an Annex IV category.",
    }


def enforcement_decision() -> dict[str, Any]:
    """Ireland recognises the EPOC and requires Example Mail to comply (Art. 16)."""
    return {"outcome": "recognised", "explanation": "No ground for refusal applies."}


def enforcement_decision_refused() -> dict[str, Any]:
    """Ireland refuses to enforce: the data were not stored when the certificate arrived (Art. 16(4))."""
    return {
        "outcome": "refused",
        "ground": "Art. 16(4): the data were not stored by the provider when it received the EPOC",
        "explanation": "Example Mail deleted the account in 2023, before the EPOC arrived.",
    }


def evidence_manifest() -> dict[str, Any]:
    """Example Mail delivers the subscriber data of the EPOC as two files encrypted to the prosecutor.

    Sizes and digests are real: the two plaintexts, and one encryption of each with pyrage.
    """
    return {
        "data_categories": ["subscriber"],
        "time_range": {"start": "2024-01-01T00:00:00+01:00", "end": "2024-03-31T23:59:59+02:00"},
        "recipient": PROSECUTOR_AGE,
        "files": [
            {
                "name": "subscriber-record.json",
                "size": 142,
                "sha256": "cadcfa1c284b08ff93b2f2758d6fde450e0c03b255d6edc09a6b9973d01bed58",
                "package": {
                    "id": "6d2f8a41-93c7-4e0b-a5d8-1f7e3c9b2a64",
                    "size": 497,
                    "sha256": "398af2f2348f41fd7d5ecf0d8d51be743284b20cf083cc38a19b4809ffeccb6c",
                },
            },
            {
                "name": "payment-details.csv",
                "size": 107,
                "sha256": "794d8fff85e744a5b60f12bc53739b68d41ca8b852d4387dfe21bf3371ffcaaf",
                "package": {
                    "id": "b4e07c19-2a5d-4f83-9c61-8e0d3b7a5f12",
                    "size": 396,
                    "sha256": "afb30de99194907ab72ccc00823eadf0e8ef18262b2936e618186199e9e9a887",
                },
            },
        ],
        "addressee_file_number": "EM-IE-2024-0042",
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
    "epoc v2": Kind(epoc_v2, "urn:eevidence-broker:schema:epoc:v2", partial(validate_body, "epoc", 2)),
    "epoc-pr v2": Kind(
        epoc_pr_v2, "urn:eevidence-broker:schema:epoc-pr:v2", partial(validate_body, "epoc-pr", 2)
    ),
    "epoc v3": Kind(epoc_v3, "urn:eevidence-broker:schema:epoc:v3", partial(validate_body, "epoc", 3)),
    "epoc-pr v3": Kind(
        epoc_pr_v3, "urn:eevidence-broker:schema:epoc-pr:v3", partial(validate_body, "epoc-pr", 3)
    ),
    "produced": Kind(produced_response, _schema_id("response"), partial(validate_body, "response", 1)),
    "not_executed": Kind(
        not_executed_response, _schema_id("response"), partial(validate_body, "response", 1)
    ),
    "envelope": Kind(envelope, _schema_id("envelope"), EnvelopeSchema().load),
}
# The lifecycle bodies: kind name, example, message type (the kind name unless it names a second example).
LIFECYCLE = [
    ("acknowledgement", acknowledgement, "acknowledgement"),
    ("preservation-notice", preservation_notice, "preservation-notice"),
    ("clarification-request", clarification_request, "clarification-request"),
    ("clarification-answer", clarification_answer, "clarification-answer"),
    ("immunity-concern", immunity_concern, "immunity-concern"),
    ("order-decision", order_decision, "order-decision"),
    ("third-country-objection", third_country_objection, "third-country-objection"),
    ("evidence-manifest", evidence_manifest, "evidence-manifest"),
    ("court-review-outcome", court_review_outcome, "court-review-outcome"),
    ("withdrawal", withdrawal, "withdrawal"),
    ("new-deadline", new_deadline, "new-deadline"),
    ("preservation-extension", preservation_extension, "preservation-extension"),
    ("production-request-confirmation", production_request_confirmation, "production-request-confirmation"),
    ("preservation-release", preservation_release, "preservation-release"),
    ("ex-post-validation", ex_post_validation, "ex-post-validation"),
    ("closure", closure, "closure"),
    ("enforcement-request", enforcement_request, "enforcement-request"),
    ("enforcing-review", enforcing_review, "enforcing-review"),
    ("enforcing-review refusal", enforcing_review_refusal, "enforcing-review"),
    ("enforcement-decision", enforcement_decision, "enforcement-decision"),
    ("enforcement-decision refused", enforcement_decision_refused, "enforcement-decision"),
]
KINDS |= {
    name: Kind(build, _schema_id(message_type), partial(validate_body, message_type, 1))
    for name, build, message_type in LIFECYCLE
}
# The removal order of Regulation (EU) 2021/784 and its answers (broker.wire.removal).
REMOVAL = [
    ("removal-order", removal_order),
    ("removal-confirmation", removal_confirmation),
    ("removal-impossibility", removal_impossibility),
    ("impossibility-ceased", impossibility_ceased),
    ("removal-clarification-request", removal_clarification_request),
    ("removal-clarification", removal_clarification),
    ("removal-scrutiny-request", removal_scrutiny_request),
    ("removal-scrutiny-intention", removal_scrutiny_intention),
    ("removal-scrutiny-decision", removal_scrutiny_decision),
    ("removal-reinstatement", removal_reinstatement),
    ("removal-preservation-extension", removal_preservation_extension),
    ("content-provider-information", content_provider_information),
    ("removal-withholding", removal_withholding),
    ("removal-complaint", removal_complaint),
    ("removal-complaint-outcome", removal_complaint_outcome),
]
KINDS |= {
    name: Kind(build, _schema_id(name), partial(validate_removal_body, name, 1)) for name, build in REMOVAL
}
# Regulation (EU) 2022/2065, Art. 18 (broker.wire.threats): a notification that belongs to no order.
KINDS["threat-notification"] = Kind(
    threat_notification,
    _schema_id("threat-notification"),
    partial(validate_message_body, "threat-notification", 1),
)


def overseas_production_order() -> dict[str, Any]:
    """A Crown Court judge's order for a US provider's records (COPO ss.1, 4), as the broker completes it."""
    return {
        "instrument": "uk-copo-2019",
        "judge": {"name": "HHJ Rowan Ellis", "jurisdiction": "england_and_wales"},
        "applicant": {"name": "DC Priya Shah, Metropolitan Police Service", "appropriate_officer": True},
        "respondent": {"name": "US Mail", "country": "US"},
        "designated_arrangement": "uk-us-2019",
        "requires": "produce",
        "data_description": "Subscriber records and login IP addresses of the account, 1 Sept to 1 Nov 2026.",
        "excepted_data_excluded": True,
        "targets": [
            {
                "type": "email_address",
                "value": "seller.x@usmail.example",
                "counterpart_person": False,
                "located_in_counterpart": False,
            }
        ],
        "offence": {
            "description": "Supplying controlled drugs of class A through an online shop.",
            "indictable": True,
            "terrorist_investigation": False,
            "maximum_penalty_months": None,
        },
        "made_on": "2026-11-23",
        "compliance_period_days": 14,
    }


def excepted_data_refusal() -> dict[str, Any]:
    """The respondent withholds legally privileged items (COPO s.3(3)(a))."""
    return {
        "grounds": ["legal_privilege"],
        "withheld": "part",
        "explanation": "Counsel's advice to the user.",
    }


# The UK's overseas production order and the respondent's refusal of excepted data (broker.wire.overseas).
KINDS |= {
    name: Kind(build, _schema_id(name), partial(validate_message_body, name, 1))
    for name, build in (
        ("overseas-production-order", overseas_production_order),
        ("excepted-data-refusal", excepted_data_refusal),
    )
}


def requested_party_refusal() -> dict[str, Any]:
    """The requested Party refuses a preservation request on its essential interests (CETS 185 Art. 29(5)(b))."""
    return {
        "grounds": ["essential_interests"],
        "explanation": "The account belongs to a member of the government under a state security inquiry.",
    }


# The requested Party's refusal to give effect to a Council of Europe order (broker.wire.treaty).
KINDS["requested-party-refusal"] = Kind(
    requested_party_refusal,
    _schema_id("requested-party-refusal"),
    partial(validate_message_body, "requested-party-refusal", 1),
)


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
