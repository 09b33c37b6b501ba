"""A provider's signed answers as HI-1 objects: what a provider's system sends the broker.

A provider answers with the broker's own signed lifecycle message (a JWS over the RFC 8785 envelope,
broker.wire.envelope): the broker never signs for anyone, so an unsigned HI-1 answer cannot change
an order. The JWS travels in a DocumentObject (broker.etsi.documents; DocumentType
EPOCDocumentType/SignedAnswer) whose AssociatedObjects name the HI-1 objects that render it:

    acknowledgement               UPDATE LDTask/LPTask, Status AwaitingDisclosure / AwaitingPreservation
    response produced / preserved UPDATE LDTask/LPTask, Status Disclosed / Preserved
    preservation-notice           CREATE Notification DataPreserved
    response not_executed /       CREATE Notification NonExecution / PartialExecution
      partially_produced            + CREATE Form3Information (reasons, explanation, preservation)
    clarification-request         CREATE Notification ClarificationRequest + Form3Information
    immunity-concern              CREATE Notification Immunities + Form3Information
    third-country-objection       CREATE Notification ConflictOfLaws + Form3Information (ConflictOfLaw)
    evidence-manifest             DELIVER DeliveryObject per package (URL, size, SHA-256)

The tables here are the mapping both ways: `render()` uses them to write, broker.etsi.claims to read
an answer back and check it against its JWS.
"""

import uuid
from typing import Any

from lxml import etree

from broker.etsi import ids
from broker.etsi import names
from broker.etsi.documents import jws_document
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import dictionary
from broker.etsi.hi1 import el
from broker.etsi.hi1 import hi1_object
from broker.etsi.hi1 import path_of
from broker.etsi.text import QUALIFIED
from broker.etsi.text import fits

NOTIFICATIONS = {  # BROKER: EPOCNotificationType values, one per kind of answer
    "preservation-notice": "DataPreserved",
    "not_executed": "NonExecution",
    "partially_produced": "PartialExecution",
    "clarification-request": "ClarificationRequest",
    "immunity-concern": "Immunities",
    "third-country-objection": "ConflictOfLaws",
}
REASONS = {  # Annex III reason -> TS 104 144 Form3Information NonExecutionReason ("other": none)
    "incomplete_or_manifest_error": "INCOMPLETE",
    "de_facto_impossibility": "OTHER_REASONS_OF_DE_FACTO_IMPOSSIBILITY",
    "data_not_stored": "NOT_STORED_AT_THE_TIME_OF_THE_RECEIPT",
    "immunity_privilege_or_press_freedom": "DATA_REQUESTED_IS_PROTECTED_BY_IMMUNITIES",
    "third_country_conflict": "CONFLICT_OF_LAWS",
}
READ_REASONS = {v: k for k, v in REASONS.items()} | {
    "CONTAINS_MANIFEST_ERRORS": "incomplete_or_manifest_error",
    "INSUFFICIENT_INFORMATION": "incomplete_or_manifest_error",
}
CONFLICT = {
    "law": "form3:TitleOfLaw",
    "provision": "form3:ApplicableStatutoryProvision",
    "applicability": "form3:WhyLawIsApplicable",
    "nature_of_conflict": "form3:WhyConflictOfLawConsidered",
}
SHA256 = "SHA-256"


def render(
    order_type: str, order_id: str, ldid: str, envelope: dict[str, Any], jws: str
) -> list[tuple[str, etree._Element]]:
    """The (verb, element) actions that carry a provider's signed `envelope` in HI-1."""
    kind, body = envelope["type"], envelope["body"]
    message_id = envelope["id"]
    task_id = ids.object_id(order_id, "task")
    external = body.get("addressee_file_number") if fits(body.get("addressee_file_number"), 65535) else None
    actions: list[tuple[str, etree._Element]] = []
    outcome = body.get("outcome")
    if kind == "acknowledgement" or (kind == "response" and outcome in ("produced", "preserved")):
        status = names.ACKNOWLEDGED[order_type] if kind == "acknowledgement" else names.ANSWERED[order_type]
        status_name = names.LD_STATUS if order_type == "epoc" else names.LP_STATUS
        task = hi1_object(
            names.TASK_TYPES[order_type],
            task_id,
            *([el("task:Reference", ldid)] if order_type == "epoc" else []),
            dictionary("task:Status", names.ETSI, status_name, status),
            external=external,
            associated=[order_id],
        )
        actions.append(("UPDATE", el("UPDATE", task)))
    elif kind == "evidence-manifest":
        packages = {f["package"]["id"]: f["package"] for f in body["files"]}
        delivery_id = str(_derived(message_id, "delivery"))
        for number, package in enumerate(packages.values(), start=1):
            object_id = str(_derived(message_id, f"delivery/{package['id']}"))
            url = el(
                "delivery:URL",
                el("delivery:URL", f"urn:eevidence-broker:evidence:{package['id']}"),
                el("delivery:ContentLength", str(package["size"])),
                el("delivery:Checksum", package["sha256"]),
                el("delivery:ChecksumType", SHA256),
            )
            delivery = hi1_object(
                names.DELIVERY_OBJECT,
                object_id,
                el("delivery:Reference", el("delivery:LDID", ldid)),
                el("delivery:DeliveryID", delivery_id),
                el("delivery:SequenceNumber", str(number)),
                el("delivery:LastSequence", "true" if number == len(packages) else "false"),
                el("delivery:Delivery", url),
                associated=[task_id],
            )
            actions.append(("DELIVER", el("DELIVER", el("Identifier", object_id), delivery)))
    else:
        actions += _notification(kind, body, message_id, order_id, task_id, external)
    objects = [_object_id(element) for _, element in actions]
    document = jws_document(
        message_id, jws, f"Signed {kind} (JWS)", names.ANSWER_DOCUMENT, associated=objects
    )
    return [("CREATE", el("CREATE", document)), *actions]


def _notification(
    kind: str, body: dict[str, Any], message_id: str, order_id: str, task_id: str, external: str | None
) -> list[tuple[str, etree._Element]]:
    key = body["outcome"] if kind == "response" else kind
    if key not in NOTIFICATIONS:
        raise Unmappable("", f"a {kind!r} message has no HI-1 rendering in the e-Evidence profile")
    notification_id = str(_derived(message_id, "notification"))
    preserved = body.get("preserved_at")
    notification = hi1_object(
        names.NOTIFICATION,
        notification_id,
        el("notification:NotificationDetails", f"{kind} ({NOTIFICATIONS[key]})"),
        dictionary("notification:NotificationType", names.ETSI, names.NOTIFICATION_TYPE, NOTIFICATIONS[key]),
        el("notification:NewNotification", "true"),
        el("notification:NotificationTimestamp", preserved)
        if preserved and QUALIFIED.match(preserved)
        else None,
        external=external,
        associated=[order_id, task_id],
    )
    actions = [("CREATE", el("CREATE", notification))]
    if kind != "preservation-notice":
        form3 = hi1_object(
            names.FORM3_INFO,
            str(_derived(message_id, "form3")),
            *_form3(kind, body),
            associated=[notification_id],
        )
        actions.append(("CREATE", el("CREATE", form3)))
    return actions


def _form3(kind: str, body: dict[str, Any]) -> list[etree._Element | None]:
    reason = {
        "clarification-request": "incomplete_or_manifest_error",
        "immunity-concern": "immunity_privilege_or_press_freedom",
        "third-country-objection": "third_country_conflict",
    }.get(kind, body.get("reason"))
    explanation = body.get("explanation") if kind != "clarification-request" else None
    reasons = el(
        "form3:NonExecutionReasons",
        el("form3:Reasons", REASONS[reason]) if reason in REASONS else None,
        el("form3:ExplanationOrOtherReason", explanation) if fits(explanation, 65535) else None,
    )
    conflict = None
    if kind == "third-country-objection":
        conflict = el(
            "form3:ConflictOfLaw", [el(tag, body[m]) for m, tag in CONFLICT.items() if fits(body[m], 65535)]
        )
    clarification = None
    if kind == "clarification-request" and fits(body["explanation"], 65535):
        clarification = el(
            "form3:RequestForClarification",
            el("form3:InformationRequiredFromIssuingAuthority", body["explanation"]),
        )
    preserved = None
    if kind == "response":
        preserved = el("form3:PreservationStatus", "PRESERVED" if body["data_preserved"] else "NOT_PRESERVED")
    return [reasons, conflict, clarification, preserved]


def _derived(message_id: str, what: str) -> uuid.UUID:
    return uuid.uuid5(uuid.UUID(message_id), what)


def _object_id(verb_element: etree._Element) -> str:
    found = verb_element.find(path_of("HI1Object/ObjectIdentifier"))
    assert found is not None and found.text
    return found.text
