"""An order's certificate as the EU reference implementation's form XML (EPOC Form 1, EPOC-PR Form 2).

National authorities' systems exchange these forms (schemas v0.27.0, namespace
http://data.europa.eu/edm/1/ns/forms/EPOC-FORM_1# and …/EPOCPR-FORM_2#). The form's own elements carry
what they express exactly (broker.etsi.form_writing, form_reading); the rest travels, as for HI-1, as
an RFC 6902 patch: in Form 1's Section M "AdditionalInformation", in Form 2's Section C
"OtherInformation", each text starting with PATCH_MARKER. A form written by a national system has no
patch: what its elements say is read, and drafting (broker.orders.operations.create_draft) completes
the parties from the registry and names every member still missing.
"""

import json
from typing import Any

from lxml import etree

from broker.etsi import names
from broker.etsi import patch
from broker.etsi import xmlsafe
from broker.etsi import xsd
from broker.etsi.errors import Unmappable
from broker.etsi.form_reading import project
from broker.etsi.form_writing import PATCH_MARKER
from broker.etsi.form_writing import render
from broker.etsi.hi1 import clark
from broker.etsi.hi1 import value

ROOTS = {"epoc": "f1:Epoc_Form1", "epoc-pr": "f2:EpocPr_Form2"}


def export_form(order_type: str, certificate: dict[str, Any], *, notified: bool = False) -> bytes:
    """The certificate as RI form XML, validated against its XSD before it is returned."""
    if certificate.get("instrument") != "reg-2023-1543":
        raise Unmappable(
            "",
            f"the RI forms are Regulation (EU) 2023/1543 forms; {certificate.get('instrument')!r} has none",
        )
    root = render(order_type, certificate, notified, [])
    remainder = patch.diff(project(order_type, root), certificate)
    rendered = render(order_type, certificate, notified, remainder)
    # The schema's own prefixes (f1/f2, epoc, eio, cvb) declared once on the root, as the RI writes them.
    form = "f1" if order_type == "epoc" else "f2"
    nsmap = {
        form: names.FORM_NAMESPACES[form],
        **{p: names.FORM_NAMESPACES[p] for p in ("epoc", "eio", "cvb")},
    }
    root = etree.Element(rendered.tag, nsmap=nsmap)
    root.extend(list(rendered))
    etree.cleanup_namespaces(root, top_nsmap=nsmap)
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
    certificate = project(order_type, root)
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
