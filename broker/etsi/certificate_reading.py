"""HI-1 objects back into an order's certificate: what the native elements say, then the patch.

`project()` reads what an Authorisation and its task say of the certificate in its own members; it is
also how broker.etsi.certificate learns what the rendering lost, so writing and reading cannot drift.
`certificate_from_objects()` applies the EPOCAdditionalInfo's patch to that projection, and refuses
a Document whose signed certificate differs from the result.
"""

import json
from typing import Any

from lxml import etree

from broker.etsi import names
from broker.etsi import patch
from broker.etsi.documents import signed_body
from broker.etsi.errors import Disagreement
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import Hi1Object
from broker.etsi.hi1 import entry
from broker.etsi.hi1 import path_of
from broker.etsi.hi1 import value
from broker.etsi.hi1 import values


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
        certificate = patch.apply(project(authorisation.element, task.element), json.loads(text))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise Unmappable(
            info.path + "/epocinfo:UnmappedXML/broker:CertificatePatch", f"not a patch: {error}"
        ) from None
    for document in by_type.get(names.DOCUMENT, []):
        signed = signed_body(document)
        if signed is not None and signed != certificate:
            raise Disagreement(document.path, "the signed certificate differs from the HI-1 objects")
    return order_type, certificate


def _one(by_type: dict[str, list[Hi1Object]], kind: str, objects: list[Hi1Object]) -> Hi1Object:
    found = by_type.get(kind, [])
    if len(found) != 1:
        where = objects[0].path if objects else "/HI1Message"
        raise Unmappable(
            where, f"the e-Evidence profile expects exactly one {kind} per order, found {len(found)}"
        )
    return found[0]


def project(authorisation: etree._Element, task: etree._Element) -> dict[str, Any]:
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
    formats = {pair: kind for kind, pair in names.FORMATS.items()}
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
    kinds = {name: category for category, name in names.CATEGORIES.items()}
    certificate["data_categories"] = [
        kinds.get(v, v)
        for v in values(t, "task:RequestDetails/task:Subtype/task:RequestSubtype/common:Value")
    ]
    return certificate


def _read_approval(approval: etree._Element, target: dict[str, Any], validating: bool) -> None:
    roles = {role: kind for kind, role in names.ROLES.items()}
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
