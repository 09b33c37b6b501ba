"""RI Form 1 / Form 2 elements back into the members of an order's certificate.

Reads only what the form's own elements say; broker.etsi.forms applies the patch a form exported by
the broker carries, and a form from a national system is drafted from this reading alone.
"""

from typing import Any

from lxml import etree

from broker.etsi.form_writing import ADDRESSEE_TYPES
from broker.etsi.form_writing import CATEGORIES
from broker.etsi.form_writing import FROM_FORM_COUNTRY
from broker.etsi.form_writing import PURPOSES
from broker.etsi.form_writing import READ_IDENTIFIERS
from broker.etsi.form_writing import READ_ISSUER_TYPES
from broker.etsi.hi1 import path_of
from broker.etsi.hi1 import value


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


def project(order_type: str, root: etree._Element) -> dict[str, Any]:
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
