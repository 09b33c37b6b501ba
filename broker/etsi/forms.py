"""An order's certificate as the EU reference implementation's form XML (EPOC Form 1, EPOC-PR Form 2).

National authorities' systems exchange these forms (schemas v0.27.0, namespace
http://data.europa.eu/edm/1/ns/forms/EPOC-FORM_1# and …/EPOCPR-FORM_2#). The form's own elements carry
what they express exactly (docs/etsi.md, field by field); the rest travels, as for HI-1, as an RFC 6902
patch: in Form 1's Section M "AdditionalInformation", in Form 2's Section C/D "OtherInformation", each
text starting with PATCH_MARKER. A form written by a national system has no patch: what its elements
say is read, and drafting (broker.orders.operations.create_draft) completes the parties from the
registry and names every member still missing.
"""

import ipaddress
import json
from typing import Any

from lxml import etree

from broker.etsi import names
from broker.etsi import patch
from broker.etsi import xmlsafe
from broker.etsi import xsd
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import clark
from broker.etsi.hi1 import el
from broker.etsi.hi1 import path_of
from broker.etsi.hi1 import value
from broker.etsi.text import xml_text

PATCH_MARKER = "eevidence-broker certificate patch (RFC 6902): "
ROOTS = {"epoc": "f1:Epoc_Form1", "epoc-pr": "f2:EpocPr_Form2"}
# eio:CountryTypeEU (v0.27.0): the EU States but Ireland, Greece as EL; the test codes are left out.
EU = {
    *[
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
    ],
    "GR",
}
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


def export_form(order_type: str, certificate: dict[str, Any], *, notified: bool = False) -> bytes:
    """The certificate as RI form XML, validated against its XSD before it is returned."""
    if certificate.get("instrument") != "reg-2023-1543":
        raise Unmappable(
            "",
            f"the RI forms are Regulation (EU) 2023/1543 forms; {certificate.get('instrument')!r} has none",
        )
    root = _form(order_type, certificate, notified, [])
    remainder = patch.diff(_project(order_type, root), certificate)
    root = _form(order_type, certificate, notified, remainder)
    top = {"f1" if order_type == "epoc" else "f2": names.FORM1 if order_type == "epoc" else names.FORM2}
    etree.cleanup_namespaces(root, top_nsmap={**top, "epoc": names.EPOC, "eio": names.EIO, "cvb": names.CVB})
    xmlsafe.validate(root, xsd.form(order_type))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def import_form(data: bytes) -> tuple[str, dict[str, Any]]:
    """(order type, certificate) from RI Form 1 or Form 2 XML: parsed safely, validated, read back."""
    root = xmlsafe.parse(data)
    kinds = {clark(tag): kind for kind, tag in ROOTS.items()}
    if root.tag not in kinds:
        raise Unmappable(
            xmlsafe.path(root), "the root element must be Epoc_Form1 (EPOC) or EpocPr_Form2 (EPOC-PR)"
        )
    order_type = kinds[root.tag]
    xmlsafe.validate(root, xsd.form(order_type))
    certificate = _project(order_type, root)
    where = (
        "f1:SectionM/f1:AdditionalInformation"
        if order_type == "epoc"
        else "f2:SectionC/epoc:OtherInformation"
    )
    text = value(root, where) or ""
    if text.startswith(PATCH_MARKER):
        try:
            certificate = patch.apply(certificate, json.loads(text[len(PATCH_MARKER) :]))
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise Unmappable(xmlsafe.path(root) + "/" + where, f"not a patch: {error}") from None
    return order_type, certificate


def draft_from(certificate: dict[str, Any]) -> dict[str, Any]:
    """The draft create_draft takes: parties by registry id, what only the caseworker knows kept."""
    draft = {
        k: v
        for k, v in certificate.items()
        if k not in ("issuing_authority", "validating_authority", "addressee")
    }
    issuer = certificate.get("issuing_authority") or {}
    draft["issuing_authority"] = {k: issuer[k] for k in ("file_number", "contact") if k in issuer}
    if (addressee := certificate.get("addressee") or {}).get("id"):
        draft["addressee"] = addressee["id"]
    validating = certificate.get("validating_authority")
    if validating is not None and "validating_authority" in certificate:
        keep = ("organisation", "file_number", "contact")
        draft["validating_authority"] = {k: validating[k] for k in keep if k in validating}
    elif "validating_authority" in certificate:
        draft["validating_authority"] = None
    return draft


def _text(name: str, text: object) -> etree._Element | None:
    return el(name, text) if isinstance(text, str) and xml_text(text) else None


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


def _form(order_type: str, c: dict[str, Any], notified: bool, remainder: patch.Patch) -> etree._Element:
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
            el("epoc:Type", ADDRESSEE_TYPES[addressee["addressee_type"]]),
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


def _read_authority(element: etree._Element | None, into: dict[str, Any]) -> None:
    if element is None:
        return
    for key, tag in (("name", "eio:NameOfAuthority"), ("file_number", "eio:FileReference")):
        if (found := value(element, tag)) is not None:
            into[key] = found
    contact = {
        key: found
        for key, tag in (("name", "eio:NameOfRepresentative"), ("phone", "eio:TelNo"), ("email", "eio:Email"))
        if (found := value(element, tag)) is not None
    }
    if contact:
        into["contact"] = contact
    if (identifier := value(element, "eio:AuthorityTechnicalIdentifier/eio:NationalId")) is not None:
        into["organisation"] = identifier
        country = value(element, "eio:AuthorityTechnicalIdentifier/eio:Country") or ""
        into["country"] = FROM_FORM_COUNTRY.get(country, country)


def _project(order_type: str, root: etree._Element) -> dict[str, Any]:
    """What the form's own elements say of the certificate."""
    f = "f1" if order_type == "epoc" else "f2"
    sections = {
        "evidence": f"{f}:SectionEToF" if f == "f1" else "f2:SectionC",
        "conditions": "f1:SectionG/f1:PointAB" if f == "f1" else "f2:SectionE",
        "issuer": "f1:SectionI" if f == "f1" else "f2:SectionF",
        "validator": "f1:SectionJ" if f == "f1" else "f2:SectionG",
    }
    c: dict[str, Any] = {"instrument": "reg-2023-1543"}
    issuer: dict[str, Any] = {}
    if (state := value(root, f"{f}:SectionA/epoc:IssuingState")) is not None:
        issuer["country"] = FROM_FORM_COUNTRY.get(state, state)
    _read_authority(
        root.find(path_of(f"{sections['issuer']}/epoc:IssuingAndContactAuthority/epoc:IssuingAuthority")),
        issuer,
    )
    if (kind := value(root, f"{sections['issuer']}/epoc:Type")) is not None:
        issuer["authority_type"] = READ_ISSUER_TYPES[kind]
    c["issuing_authority"] = issuer
    details = root.find(path_of(f"{sections['validator']}/epoc:Details"))
    if details is not None:
        validating: dict[str, Any] = {}
        _read_authority(details, validating)
        if (kind := value(root, f"{sections['validator']}/epoc:Type")) is not None:
            validating["authority_type"] = {"JUDGE": "judge", "PUBLIC_PROSECUTOR": "public_prosecutor"}[kind]
        c["validating_authority"] = validating
    b = f"{f}:SectionB/epoc:Addressee"
    addressee: dict[str, Any] = {}
    for key, tag in (
        ("name", "epoc:Authority/eio:NameOfAuthority"),
        ("address", "epoc:Authority/eio:Address/cvb:AddressFullAddress"),
        ("id", "epoc:Authority/eio:AuthorityTechnicalIdentifier/eio:NationalId"),
    ):
        if (found := value(root, f"{b}/{tag}")) is not None:
            addressee[key] = found
    if (
        country := value(root, f"{b}/epoc:Authority/eio:AuthorityTechnicalIdentifier/eio:Country")
    ) is not None:
        addressee["country"] = FROM_FORM_COUNTRY.get(country, country)
    provider = {
        k: v
        for k, v in (
            (
                "organisation",
                value(root, f"{b}/epoc:ServiceProviderConcerned/epoc:TechnicalIdentifier/eio:NationalId"),
            ),
            ("name", value(root, f"{b}/epoc:ServiceProviderConcerned/epoc:ServiceProviderName")),
        )
        if v is not None
    }
    if provider:
        addressee["provider"] = provider
    if (kind := value(root, f"{b}/epoc:Type")) is not None:
        addressee["addressee_type"] = {v: k for k, v in ADDRESSEE_TYPES.items()}[kind]
    c["addressee"] = addressee
    c["emergency"] = value(root, f"{f}:SectionB/epoc:EmergencyCase") in ("true", "1")
    evidence = list(root.iterfind(path_of(f"{sections['evidence']}/epoc:Evidence")))
    c["targets"] = [
        {
            "type": READ_IDENTIFIERS.get(value(e, "epoc:Identifier/epoc:Type") or "", "other"),
            "value": value(e, "epoc:Identifier/epoc:Value") or "",
        }
        for e in evidence
    ]
    if evidence:
        start, end = (
            value(evidence[0], "epoc:Identifier/epoc:DateTimeRange/epoc:Start"),
            value(evidence[0], "epoc:Identifier/epoc:DateTimeRange/epoc:End"),
        )
        if start is not None and end is not None:
            c["time_range"] = {"start": start, "end": end}
        present = {
            etree.QName(child).localname for child in evidence[0].iterfind(path_of("epoc:DataCategories/*"))
        }
        c["data_categories"] = [k for k, tag in CATEGORIES.items() if tag.split(":")[1] in present]
    if (purpose := value(root, f"{sections['conditions']}/epoc:Concerns")) is not None:
        c["purpose"] = {v: k for k, v in PURPOSES.items()}[purpose]
    if (
        nature := value(root, f"{sections['conditions']}/epoc:NatureAndLegalClassificationOfOffences")
    ) is not None:
        c["offence"] = {"description": nature}
    if f == "f1":
        for key, tag in (
            ("emergency_justification", "f1:SectionC/f1:AdditionalInformation"),
            (
                "necessity_and_proportionality",
                "f1:SectionM/f1:GroundsForFulfillingNecessityAndProportionality",
            ),
            ("case_summary", "f1:SectionM/f1:SummaryDescriptionOfTheCase"),
        ):
            if (found := value(root, tag)) is not None:
                c[key] = found
    return c
