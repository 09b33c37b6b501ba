"""An order's certificate as HI-1 objects (TS 104 144 profile) and back, losslessly.

EPOC  -> AuthorisationObject + LDTaskObject + EPOCAdditionalInfo + DocumentObject (signed certificate)
EPOC-PR -> AuthorisationObject + LPTaskObject + EPOCAdditionalInfo + DocumentObject

What HI-1 expresses exactly is rendered in its own elements (docs/etsi.md, field by field); what it
cannot is carried in EPOCAdditionalInfo/UnmappedXML as an RFC 6902 patch (broker.etsi.patch), so
`certificate_from_objects(objects_for(order))` gives back the certificate member for member. The
Document carries the issuing authority's JWS byte for byte: a provider verifies the authority's own
signature with its public key, and the broker checks the structured objects say what it signed.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from broker.etsi import ids
from broker.etsi import names
from broker.etsi import patch
from broker.etsi.errors import Disagreement
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import Hi1Object
from broker.etsi.hi1 import dictionary
from broker.etsi.hi1 import el
from broker.etsi.hi1 import entry
from broker.etsi.hi1 import hi1_object
from broker.etsi.hi1 import path_of
from broker.etsi.hi1 import qualified_time
from broker.etsi.hi1 import value
from broker.etsi.hi1 import values
from broker.etsi.text import E164
from broker.etsi.text import EMAIL
from broker.etsi.text import QUALIFIED
from broker.etsi.text import fits
from broker.wire import envelope

ROLES = {
    "judge": "Judge",
    "court": "Court",
    "investigating_judge": "InvestigatingJudge",
    "public_prosecutor": "PublicProsecutor",
    "other_competent_authority": "OtherCompetentAuthority",
}
FORMATS = {
    "account": (names.ETSI, "ServiceAccessIdentifier"),
    "email_address": (names.ETSI, "InternationalizedEmailAddress"),
    "phone_number": (names.ETSI, "InternationalE164"),
    "ip_address": (names.ETSI, "IPAddress"),
    "username": (names.OWNER, "username"),
    "device_id": (names.OWNER, "device_id"),
    "other": (names.OWNER, "other"),
}
CATEGORIES = {
    "subscriber": "SubscriberData",
    "user_identification": "UserIdentifyingData",
    "traffic": "TrafficData",
    "content": "StoredContentData",
}
TASK_TYPES = {"epoc": names.LDTASK, "epoc-pr": names.LPTASK}


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
    remainder = patch.diff(_project(authorisation, task), certificate)
    objects = [authorisation, task, _additional_info(order, remainder)]
    if order.jws is not None:
        objects.append(_document(order))
    return objects


def certificate_from_objects(objects: list[Hi1Object]) -> tuple[str, dict[str, Any]]:
    """(order type, certificate) from an Authorisation, its task and EPOCAdditionalInfo.

    When a Document carries the signed certificate, its body must be exactly the certificate the
    objects describe (Disagreement otherwise): the objects are a rendering of what was signed.
    """
    by_type: dict[str, list[Hi1Object]] = {}
    for item in objects:
        by_type.setdefault(item.object_type, []).append(item)
    authorisation = _one(by_type, names.AUTHORISATION, objects)
    tasks = by_type.get(names.LDTASK, []) + by_type.get(names.LPTASK, [])
    if len(tasks) != 1:
        raise Unmappable(
            authorisation.path, "the e-Evidence profile expects exactly one LDTask or LPTask per order"
        )
    task = tasks[0]
    order_type = "epoc" if task.object_type == names.LDTASK else "epoc-pr"
    info = _one(by_type, names.ADDITIONAL_INFO, objects)
    text = value(info.element, "epocinfo:UnmappedXML/broker:CertificatePatch")
    if text is None:
        raise Unmappable(info.path, "EPOCAdditionalInfo carries no broker:CertificatePatch")
    try:
        certificate = patch.apply(_project(authorisation.element, task.element), json.loads(text))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise Unmappable(
            info.path + "/epocinfo:UnmappedXML/broker:CertificatePatch", f"not a patch: {error}"
        ) from None
    for document in by_type.get(names.DOCUMENT, []):
        signed = signed_body(document)
        if signed is not None and signed != certificate:
            raise Disagreement(document.path, "the signed certificate differs from the HI-1 objects")
    return order_type, certificate


def signed_body(document: Hi1Object) -> dict[str, Any] | None:
    """The body of the JWS a Document carries (application/jose), read but not verified; None if none."""
    jws = document_jws(document)
    if jws is None:
        return None
    try:
        body = envelope.read_unverified(jws)["body"]
    except envelope.MalformedEnvelope as error:
        raise Unmappable(document.path, f"DocumentBody is not a signed message: {error}") from None
    return body if isinstance(body, dict) else None


def document_jws(document: Hi1Object) -> str | None:
    """The JWS text of a Document whose ContentType is application/jose, or None."""
    if value(document.element, "doc:DocumentBody/doc:ContentType") != names.JOSE:
        return None
    contents = value(document.element, "doc:DocumentBody/doc:Contents") or ""
    try:
        return base64.b64decode(contents, validate=True).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise Unmappable(
            document.path + "/doc:DocumentBody/doc:Contents", "not base64 of an ASCII JWS"
        ) from None


def jws_document(object_id: str, jws: str, name: str, document_type: str, **common: Any) -> etree._Element:
    """A DocumentObject carrying a JWS byte for byte, with its SHA-256."""
    raw = jws.encode("ascii")
    body = el(
        "doc:DocumentBody",
        el("doc:Contents", base64.b64encode(raw).decode("ascii")),
        el("doc:ContentType", names.JOSE),
        el("doc:Checksum", hashlib.sha256(raw).hexdigest()),
        el("doc:ChecksumType", "SHA-256"),
    )
    return hi1_object(
        names.DOCUMENT,
        object_id,
        el("doc:DocumentName", name),
        dictionary("doc:DocumentType", names.ETSI, names.DOCUMENT_TYPE, document_type),
        body,
        **common,
    )


def _one(by_type: dict[str, list[Hi1Object]], kind: str, objects: list[Hi1Object]) -> Hi1Object:
    found = by_type.get(kind, [])
    if len(found) != 1:
        where = objects[0].path if objects else "/HI1Message"
        raise Unmappable(
            where, f"the e-Evidence profile expects exactly one {kind} per order, found {len(found)}"
        )
    return found[0]


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
        el("common:ApproverRole", ROLES[authority["authority_type"]]),
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
                el("task:FormatOwner", FORMATS[t["type"]][0]),
                el("task:FormatName", FORMATS[t["type"]][1]),
            ),
            el("task:Value", t["value"]),
        )
        for t in rendered
    ]
    categories = [CATEGORIES[category] for category in c["data_categories"]]
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
        TASK_TYPES[order.order_type],
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


def _project(authorisation: etree._Element, task: etree._Element) -> dict[str, Any]:
    """What the native elements say of the certificate, in its members; the patch adds the rest."""
    a, t = authorisation, task
    certificate: dict[str, Any] = {}
    issuer: dict[str, Any] = {}
    for key, found in (("organisation", value(a, "OwnerIdentifier")), ("country", value(a, "CountryCode"))):
        if found is not None:
            issuer[key] = found
    if (reference := value(a, "auth:AuthorisationReference")) is not None:
        issuer["file_number"] = reference
    for approval in a.iterfind(path_of("auth:AuthorisationApprovalDetails")):
        kind = value(approval, "common:ApprovalType")
        target = issuer if kind == "IssuingAuthority" else certificate.setdefault("validating_authority", {})
        _read_approval(approval, target, kind == "ValidatingAuthority")
    if issuer:
        certificate["issuing_authority"] = issuer
    addressee: dict[str, Any] = {}
    if (legal_entity := value(a, "auth:AuthorisationLegalEntity")) is not None:
        addressee["name"] = legal_entity
    if (country := value(a, "auth:AuthorisationCSPID/auth:CSPID/CountryCode")) is not None:
        addressee["country"] = country
        addressee["provider"] = {
            "organisation": value(a, "auth:AuthorisationCSPID/auth:CSPID/UniqueIdentifier")
        }
    certificate["addressee"] = addressee
    flags = [
        entry(flag, ".") for flag in a.iterfind(path_of("auth:AuthorisationFlags/auth:AuthorisationFlag"))
    ]
    certificate["emergency"] = (names.ETSI, *names.EMERGENCY_FLAG) in flags
    start, end = value(t, "task:RequestDetails/task:StartTime"), value(t, "task:RequestDetails/task:EndTime")
    if start is not None and end is not None:
        certificate["time_range"] = {"start": start, "end": end}
    formats = {pair: kind for kind, pair in FORMATS.items()}
    certificate["targets"] = [
        {
            "type": formats.get(
                (
                    value(v, "task:FormatType/task:FormatOwner") or "",
                    value(v, "task:FormatType/task:FormatName") or "",
                ),
                "other",
            ),
            "value": value(v, "task:Value") or "",
        }
        for v in t.iterfind(path_of("task:RequestDetails/task:RequestValues/task:RequestValue"))
    ]
    kinds = {name: category for category, name in CATEGORIES.items()}
    certificate["data_categories"] = [
        kinds.get(v, v)
        for v in values(t, "task:RequestDetails/task:Subtype/task:RequestSubtype/common:Value")
    ]
    return certificate


def _read_approval(approval: etree._Element, target: dict[str, Any], validating: bool) -> None:
    roles = {role: kind for kind, role in ROLES.items()}
    if (name := value(approval, "common:ApproverDetails/common:ApproverName")) is not None:
        target["name"] = name
    if (role := value(approval, "common:ApproverDetails/common:ApproverRole")) in roles:
        target["authority_type"] = roles[role]
    if validating and (reference := value(approval, "common:ApprovalReference")) is not None:
        target["file_number"] = reference
    contact: dict[str, str] = {}
    for key, tag in (
        ("name", "common:Name"),
        ("email", "common:EmailAddress"),
        ("phone", "common:PhoneNumber"),
    ):
        if (
            found := value(approval, f"common:ApproverDetails/common:ApproverContactDetails/{tag}")
        ) is not None:
            contact[key] = found
    if contact:
        target["contact"] = contact
