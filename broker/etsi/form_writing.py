"""An order's certificate as the elements of RI Form 1 (EPOC) or Form 2 (EPOC-PR).

Renders what the form's elements express exactly (docs/etsi.md, field by field), with the patch text
broker.etsi.forms computed from what broker.etsi.form_reading reads back. The tables are the mapping
both ways; the reading side inverts them.
"""

import ipaddress
import json
from typing import Any

from lxml import etree

from broker.etsi import patch
from broker.etsi.hi1 import el
from broker.etsi.text import xml_text

PATCH_MARKER = "eevidence-broker certificate patch (RFC 6902): "
# eio:CountryTypeEU (v0.27.0): the EU States but Ireland, Greece as EL; the test codes are left out.
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
TO_FORM_COUNTRY = {"GR": "EL"}
FROM_FORM_COUNTRY = {"EL": "GR"}
ISSUER_TYPES = {
    "judge": "JUDGE_COURT_OR_INVESTIGATING_JUDGE",
    "court": "JUDGE_COURT_OR_INVESTIGATING_JUDGE",
    "investigating_judge": "JUDGE_COURT_OR_INVESTIGATING_JUDGE",
    "public_prosecutor": "PUBLIC_PROSECUTOR",
    "other_competent_authority": "OTHER_COMPETENT_AUTHORITY",
}
READ_ISSUER_TYPES = {
    "JUDGE_COURT_OR_INVESTIGATING_JUDGE": "judge",
    "PUBLIC_PROSECUTOR": "public_prosecutor",
    "OTHER_COMPETENT_AUTHORITY": "other_competent_authority",
}
VALIDATOR_TYPES = {"judge": "JUDGE", "public_prosecutor": "PUBLIC_PROSECUTOR"}
IDENTIFIERS = {"email_address": "EMAIL", "phone_number": "PHONE_NUMBER", "account": "USER_ID"}
READ_IDENTIFIERS = {v: k for k, v in IDENTIFIERS.items()} | {"IPV_4": "ip_address", "IPV_6": "ip_address"}
CATEGORIES = {
    "subscriber": "epoc:Subscriber",
    "user_identification": "epoc:UserIdentification",
    "traffic": "epoc:Traffic",
    "content": "epoc:Content",
}
PURPOSES = {
    "criminal_proceedings": "CRIMINAL_PROCEEDINGS",
    "sentence_execution": "EXECUTION_OF_CUSTODIAL_SENTENCE",
}
ADDRESSEE_TYPES = {
    "designated_establishment": "DESIGNATED_ESTABLISHMENT",
    "legal_representative": "LEGAL_REPRESENTATIVE",
}


def _text(name: str, text: object) -> etree._Element | None:
    return el(name, text) if isinstance(text, str) and xml_text(text) else None


def _addressing_exception(certificate: dict[str, Any]) -> str | None:
    """The Art. 7(2) ground as words, for a form with no field of its own for it."""
    exception = certificate.get("addressing_exception")
    if exception is None:
        return None
    ground = exception["ground"].replace("_", " ")
    details = exception.get("details")
    return f"Art. 7(2) of Regulation (EU) 2023/1543: {ground}" + (f". {details}" if details else "")


def _country(code: str) -> str | None:
    return TO_FORM_COUNTRY.get(code, code) if code in EU else None


def _technical(name: str, identifier: str, country: str) -> etree._Element | None:
    form_country = _country(country)
    return (
        el(name, el("eio:NationalId", identifier), el("eio:Country", form_country)) if form_country else None
    )


def _authority(name: str, authority: dict[str, Any]) -> etree._Element:
    contact = authority.get("contact") or {}
    return el(
        name,
        _text("eio:NameOfAuthority", authority.get("name")),
        _text("eio:NameOfRepresentative", contact.get("name")),
        _text("eio:TelNo", contact.get("phone")),
        _text("eio:Email", contact.get("email")),
        _text("eio:FileReference", authority.get("file_number")),
        _technical("eio:AuthorityTechnicalIdentifier", authority["organisation"], authority["country"]),
    )


def render(order_type: str, c: dict[str, Any], notified: bool, remainder: patch.Patch) -> etree._Element:
    """The form's element tree for a certificate; `remainder` is the patch its text carries."""
    f = "f1" if order_type == "epoc" else "f2"
    addressee, issuer = c["addressee"], c["issuing_authority"]
    patch_text = PATCH_MARKER + json.dumps(
        remainder, ensure_ascii=True, sort_keys=True, separators=(",", ":")
    )
    country = _country(issuer["country"])
    section_a = el(f"{f}:SectionA", el("epoc:IssuingState", country)) if country else None
    section_b = el(
        f"{f}:SectionB",
        el(
            "epoc:Addressee",
            el(
                "epoc:Authority",
                _text("eio:NameOfAuthority", addressee["name"]),
                el("eio:Address", _text("cvb:AddressFullAddress", addressee["address"]))
                if xml_text(addressee["address"])
                else None,
                _technical("eio:AuthorityTechnicalIdentifier", addressee["id"], addressee["country"]),
            ),
            el(
                "epoc:ServiceProviderConcerned",
                _technical(
                    "epoc:TechnicalIdentifier", addressee["provider"]["organisation"], addressee["country"]
                ),
                _text("epoc:ServiceProviderName", addressee["provider"]["name"]),
            ),
            # The form knows only the two designated kinds: another establishment (Art. 7(2)) has no
            # Type, and its ground travels as text beside the EmergencyCase mark.
            el("epoc:Type", ADDRESSEE_TYPES[addressee["addressee_type"]])
            if addressee["addressee_type"] in ADDRESSEE_TYPES
            else None,
            _text("epoc:AnyOtherInformation", _addressing_exception(c)),
        ),
        el("epoc:EmergencyCase", "true" if c["emergency"] else "false"),
    )
    evidence = el(
        f"{f}:SectionEToF" if f == "f1" else "f2:SectionC",
        [_evidence(number, target, c) for number, target in enumerate(c["targets"], start=1)],
        el("epoc:OtherInformation", patch_text) if f == "f2" else None,
    )
    conditions = [
        el("epoc:Concerns", PURPOSES[c["purpose"]]),
        _text("epoc:NatureAndLegalClassificationOfOffences", c["offence"]["description"]),
    ]
    validating = c.get("validating_authority")
    issuing_section = el(
        f"{f}:SectionI" if f == "f1" else "f2:SectionF",
        el("epoc:IssuingAndContactAuthority", _authority("epoc:IssuingAuthority", issuer)),
        el("epoc:Type", ISSUER_TYPES[issuer["authority_type"]]),
    )
    validating_section = el(
        f"{f}:SectionJ" if f == "f1" else "f2:SectionG",
        el("epoc:Type", VALIDATOR_TYPES[validating["authority_type"]])
        if validating and validating["authority_type"] in VALIDATOR_TYPES
        else None,
        _authority("epoc:Details", validating) if validating else None,
    )
    if f == "f2":
        return el(
            "f2:EpocPr_Form2",
            section_a,
            section_b,
            evidence,
            el("f2:SectionE", conditions),
            issuing_section,
            validating_section,
        )
    deadline = (
        el("f1:WithinEightHours")
        if c["emergency"]
        else el("f1:WithinTenDays", "AT_THE_END_OF_TEN_DAYS" if notified else "AS_SOON_AS_POSSIBLE")
    )
    return el(
        "f1:Epoc_Form1",
        section_a,
        section_b,
        el(
            "f1:SectionC",
            el("f1:DataProductionInRelationToDeadline", deadline),
            _text("f1:AdditionalInformation", c.get("emergency_justification")),
        ),
        el("f1:SectionD"),
        evidence,
        el("f1:SectionG", el("f1:PointAB", conditions)),
        el("f1:SectionH"),
        issuing_section,
        validating_section,
        el("f1:SectionK"),
        el("f1:SectionL", el("f1:ToWhomTransferTheData", el("f1:AuthorityCompetences", "ISSUING_AUTHORITY"))),
        el(
            "f1:SectionM",
            _text("f1:GroundsForFulfillingNecessityAndProportionality", c["necessity_and_proportionality"]),
            _text("f1:SummaryDescriptionOfTheCase", c["case_summary"]),
            el("f1:AdditionalInformation", patch_text),
        ),
    )


def _evidence(number: int, target: dict[str, Any], c: dict[str, Any]) -> etree._Element:
    kind = IDENTIFIERS.get(target["type"], "OTHER")
    if target["type"] == "ip_address":
        try:
            kind = "IPV_4" if ipaddress.ip_address(target["value"]).version == 4 else "IPV_6"
        except ValueError:
            kind = "OTHER"
    return el(
        "epoc:Evidence",
        el(
            "epoc:Identifier",
            el("epoc:Id", str(number)),
            el("epoc:Type", kind),
            _text("epoc:Value", target["value"]),
            el(
                "epoc:DateTimeRange",
                el("epoc:Start", c["time_range"]["start"]),
                el("epoc:End", c["time_range"]["end"]),
            ),
        ),
        el("epoc:DataCategories", [el(CATEGORIES[k]) for k in CATEGORIES if k in c["data_categories"]]),
    )
