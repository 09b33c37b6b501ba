"""An order's certificate as HI-1 objects (TS 104 144 profile), losslessly.

EPOC  -> AuthorisationObject + LDTaskObject + EPOCAdditionalInfo + DocumentObject (signed certificate)
EPOC-PR -> AuthorisationObject + LPTaskObject + EPOCAdditionalInfo + DocumentObject

What HI-1 expresses exactly is rendered in its own elements (docs/etsi.md, field by field); what it
cannot is carried in EPOCAdditionalInfo/UnmappedXML as an RFC 6902 patch (broker.etsi.patch), computed
against what broker.etsi.certificate_reading reads back from the rendering, so
`certificate_from_objects(objects_for(order))` gives back the certificate member for member. The
Document carries the issuing authority's JWS byte for byte (broker.etsi.documents): a provider
verifies the authority's own signature with its public key.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from broker.etsi import ids
from broker.etsi import names
from broker.etsi import patch
from broker.etsi.certificate_reading import project
from broker.etsi.documents import jws_document
from broker.etsi.hi1 import dictionary
from broker.etsi.hi1 import el
from broker.etsi.hi1 import hi1_object
from broker.etsi.hi1 import qualified_time
from broker.etsi.text import E164
from broker.etsi.text import EMAIL
from broker.etsi.text import QUALIFIED
from broker.etsi.text import fits


@dataclass(frozen=True)
class OrderView:
    """What the HI-1 rendering of an order needs: its certificate and what the broker knows about it."""

    order_id: str
    order_type: str
    certificate: dict[str, Any]
    jws: str | None = None  # the issuing authority's signed certificate; None for a draft
    issued_at: datetime | None = None
    notified: bool = False  # Art. 8: the enforcing authority is notified (priority TenDaysSubjectToEA)
    deadline: datetime | None = None  # the running production or preservation clock's due time
    authorisation_status: str | None = None
    task_status: str | None = None
    generation: int | None = None
    last_changed: datetime | None = None


def objects_for(order: OrderView) -> list[etree._Element]:
    """The order's HI-1 objects, in the order a CREATE message lists them."""
    certificate = order.certificate
    authorisation, task = _authorisation(order), _task(order)
    remainder = patch.diff(project(authorisation, task), certificate)
    objects = [authorisation, task, _additional_info(order, remainder)]
    if order.jws is not None:
        objects.append(_document(order))
    return objects


def _common(order: OrderView) -> dict[str, Any]:
    issuer = order.certificate["issuing_authority"]
    return {
        "country": issuer["country"],
        "owner": issuer["organisation"],
        "generation": order.generation,
        "last_changed": order.last_changed,
    }


def _authorisation(order: OrderView) -> etree._Element:
    c = order.certificate
    issuer, addressee = c["issuing_authority"], c["addressee"]
    priority = None
    if order.order_type == "epoc":
        level = names.PRIORITY_PLAIN
        level = names.PRIORITY_NOTIFIED if order.notified else level
        level = names.PRIORITY_EMERGENCY if c.get("emergency") else level
        priority = dictionary("auth:AuthorisationPriority", names.ETSI, names.PRIORITY_NAME, level)
    status = order.authorisation_status
    flags = (
        [dictionary("auth:AuthorisationFlag", names.ETSI, *names.EMERGENCY_FLAG)]
        if c.get("emergency")
        else []
    )
    return hi1_object(
        names.AUTHORISATION,
        order.order_id,
        el("auth:AuthorisationReference", issuer["file_number"])
        if fits(issuer.get("file_number"), 65535)
        else None,
        dictionary(
            "auth:AuthorisationLegalType",
            names.ETSI,
            names.LEGAL_TYPE[0],
            names.LEGAL_TYPE[1][order.order_type],
        ),
        priority,
        dictionary("auth:AuthorisationStatus", names.ETSI, "AuthorisationStatus", status) if status else None,
        dictionary("auth:AuthorisationDesiredStatus", names.ETSI, *names.DESIRED_SUBMITTED),
        el("auth:AuthorisationCSPID", _cspid("auth:CSPID", c)),
        el("auth:AuthorisationCreationTimestamp", qualified_time(order.issued_at))
        if order.issued_at
        else None,
        _approval("IssuingAuthority", issuer),
        _approval("ValidatingAuthority", c["validating_authority"])
        if c.get("validating_authority")
        else None,
        el("auth:AuthorisationFlags", flags) if flags else None,
        el("auth:AuthorisationLegalEntity", addressee["name"]) if fits(addressee.get("name"), 255) else None,
        **_common(order),
    )


def _cspid(tag: str, certificate: dict[str, Any]) -> etree._Element:
    addressee = certificate["addressee"]
    return el(
        tag,
        el("CountryCode", addressee["country"]),
        el("UniqueIdentifier", addressee["provider"]["organisation"]),
    )


def _approval(kind: str, authority: dict[str, Any]) -> etree._Element:
    contact = authority.get("contact") or {}
    contact_elements = [
        el("common:Name", contact["name"]) if fits(contact.get("name"), 65535) else None,
        el("common:EmailAddress", contact["email"]) if fits(contact.get("email"), 255, EMAIL) else None,
        el("common:PhoneNumber", contact["phone"]) if fits(contact.get("phone"), 15, E164) else None,
    ]
    details = el(
        "common:ApproverDetails",
        el("common:ApproverName", authority["name"]) if fits(authority.get("name"), 65535) else None,
        el("common:ApproverRole", names.ROLES[authority["authority_type"]]),
        el("common:ApproverContactDetails", contact_elements)
        if any(e is not None for e in contact_elements)
        else None,
    )
    reference = authority.get("file_number") if kind == "ValidatingAuthority" else None
    return el(
        "auth:AuthorisationApprovalDetails",
        el("common:ApprovalType", kind),
        el("common:ApprovalReference", reference) if fits(reference, 65535) else None,
        details,
    )


def _task(order: OrderView) -> etree._Element:
    c = order.certificate
    epoc = order.order_type == "epoc"
    issuer = c["issuing_authority"]
    start, end = c["time_range"]["start"], c["time_range"]["end"]
    rendered = [t for t in c["targets"] if fits(t["value"], 65535)]
    request_values = [
        el(
            "task:RequestValue",
            el(
                "task:FormatType",
                el("task:FormatOwner", names.FORMATS[t["type"]][0]),
                el("task:FormatName", names.FORMATS[t["type"]][1]),
            ),
            el("task:Value", t["value"]),
        )
        for t in rendered
    ]
    categories = [names.CATEGORIES[category] for category in c["data_categories"]]
    details = el(
        "task:RequestDetails",
        dictionary("task:Type", names.ETSI, names.REQUEST_TYPE, categories[0]),
        [el("task:StartTime", start), el("task:EndTime", end)]
        if QUALIFIED.match(start) and QUALIFIED.match(end)
        else None,
        el("task:RequestValues", request_values) if request_values else None,
        el(
            "task:Subtype",
            [dictionary("task:RequestSubtype", names.ETSI, names.REQUEST_TYPE, v) for v in categories],
        ),
    )
    status_name = names.LD_STATUS if epoc else names.LP_STATUS
    status = (
        dictionary("task:Status", names.ETSI, status_name, order.task_status) if order.task_status else None
    )
    desired = names.LD_DESIRED if epoc else names.LP_DESIRED
    children: list[etree._Element | None]
    if epoc:
        destination = el(
            "task:LDDeliveryDestination",
            el(
                "task:DeliveryAddress",
                el(
                    "task:EndpointID",
                    el("CountryCode", issuer["country"]),
                    el("UniqueIdentifier", issuer["organisation"]),
                ),
            ),
            dictionary("task:LDDeliveryProfile", names.ETSI, *names.DELIVERY_PROFILE),
        )
        deadline = None
        if order.deadline is not None:
            deadline = el(
                "task:Deadlines",
                el(
                    "task:LDDeadline",
                    el("task:DateTime", qualified_time(order.deadline)),
                    dictionary("task:NatureOfDeadline", names.ETSI, *names.DEADLINE_NATURE),
                ),
            )
        children = [
            el("task:Reference", ldid(c, order.order_id)),
            status,
            dictionary("task:DesiredStatus", names.ETSI, *desired),
            details,
            el("task:DeliveryDetails", destination),
            _cspid("task:CSPID", c),
            deadline,
        ]
    else:
        expiry = (
            el("task:DesiredPreservationExpiration", qualified_time(order.deadline))
            if order.deadline
            else None
        )
        children = [
            status,
            dictionary("task:DesiredStatus", names.ETSI, *desired),
            details,
            expiry,
            _cspid("task:CSPID", c),
        ]
    return hi1_object(
        names.TASK_TYPES[order.order_type],
        ids.object_id(order.order_id, "task"),
        *children,
        associated=[order.order_id],
        **_common(order),
    )


def ldid(certificate: dict[str, Any], order_id: str) -> str:
    """The task's LDID (etsi:LDID, `CC-issuer-order`), also the Reference of its deliveries."""
    issuer = certificate["issuing_authority"]
    return f"{issuer['country']}-{issuer['organisation']}-{order_id}"


def _additional_info(order: OrderView, remainder: patch.Patch) -> etree._Element:
    text = json.dumps(remainder, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hi1_object(
        names.ADDITIONAL_INFO,
        ids.object_id(order.order_id, "info"),
        el("epocinfo:UnmappedXML", el("broker:CertificatePatch", text)),
        associated=[order.order_id],
        **_common(order),
    )


def _document(order: OrderView) -> etree._Element:
    assert order.jws is not None
    name = "Signed EPOC (JWS)" if order.order_type == "epoc" else "Signed EPOC-PR (JWS)"
    return jws_document(
        ids.object_id(order.order_id, "document"),
        order.jws,
        name,
        names.CERTIFICATE_DOCUMENT[order.order_type],
        associated=[order.order_id],
        **_common(order),
    )
