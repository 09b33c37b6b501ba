"""A provider's signed answers as HI-1 objects, and the check that the objects say what was signed.

A provider answers with the broker's own signed lifecycle message (a JWS over the RFC 8785 envelope,
broker.wire.envelope): the broker never signs for anyone, so an unsigned HI-1 answer cannot change
an order. The JWS travels in a DocumentObject (ContentType application/jose, DocumentType
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

`render()` gives the objects for a signed envelope (what a provider's system sends); `expected()`
reads the objects back into the message type and the body members they carry, each with the element
it came from, and `check()` refuses the first member the signed body does not equal.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from broker.etsi import certificate
from broker.etsi import ids
from broker.etsi import names
from broker.etsi import xmlsafe
from broker.etsi.errors import Disagreement
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import Action
from broker.etsi.hi1 import dictionary
from broker.etsi.hi1 import el
from broker.etsi.hi1 import entry
from broker.etsi.hi1 import hi1_object
from broker.etsi.hi1 import path_of
from broker.etsi.hi1 import value
from broker.etsi.hi1 import values
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

# What the caller finds an order by, and what it checks: (member, HI-1 value, element path).
Expected = list[tuple[str, str | bool | int | None, str]]


@dataclass(frozen=True)
class Answer:
    """One signed answer read from a message: its JWS, its actions, and what its objects claim."""

    jws: str
    actions: tuple[Action, ...]  # the Document's action first
    message_type: str
    expected: Expected
    references: tuple[str, ...]  # object identifiers that name the order


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
            certificate.TASK_TYPES[order_type],
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
    document = certificate.jws_document(
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


def group(actions: list[Action]) -> tuple[list[Answer], list[tuple[Action, Unmappable]]]:
    """The signed answers of a message, and the actions that belong to none (each with why)."""
    by_id = {
        a.object.identifier: a
        for a in actions
        if a.object is not None and a.verb in ("CREATE", "UPDATE", "DELIVER")
    }
    answers: list[Answer] = []
    claimed: set[int] = set()
    for action in actions:
        obj = action.object
        if action.verb != "CREATE" or obj is None or obj.object_type != names.DOCUMENT:
            continue
        jws = certificate.document_jws(obj)
        if jws is None or entry(obj.element, "doc:DocumentType") != (
            names.ETSI,
            names.DOCUMENT_TYPE,
            names.ANSWER_DOCUMENT,
        ):
            continue
        members = [by_id[i] for i in obj.associated if i in by_id and i != obj.identifier]
        if not members:
            raise Unmappable(
                obj.path, "a signed answer must name the objects it renders in AssociatedObjects"
            )
        claimed |= {action.number, *(m.number for m in members)}
        answers.append(_answer(jws, action, members))
    unsigned = [
        (a, Unmappable(xpath(a), _why_unsigned(a)))
        for a in actions
        if a.number not in claimed and a.verb in ("CREATE", "UPDATE", "DELIVER")
    ]
    return answers, unsigned


def _why_unsigned(action: Action) -> str:
    kind = action.object.object_type if action.object else "?"
    if kind in (names.LDTASK, names.LPTASK, names.NOTIFICATION, names.DELIVERY_OBJECT, names.FORM3_INFO):
        return (
            f"{action.verb} {kind} is not named by a signed answer (a DocumentObject, ContentType "
            "application/jose, DocumentType EPOCDocumentType/SignedAnswer): the broker applies only answers "
            "signed with the provider's key"
        )
    return f"{action.verb} {kind} is outside what a provider may send in the e-Evidence profile"


def xpath(action: Action) -> str:
    return action.object.path if action.object is not None else xmlsafe.path(action.element)


def _answer(jws: str, document: Action, members: list[Action]) -> Answer:
    kinds = sorted((m.verb, m.object.object_type) for m in members if m.object is not None)
    first = members[0].object
    assert first is not None
    if kinds and all(k == ("DELIVER", names.DELIVERY_OBJECT) for k in kinds):
        return _delivery_answer(jws, document, members)
    if len(members) == 1 and kinds[0][0] == "UPDATE" and first.object_type in (names.LDTASK, names.LPTASK):
        return _task_answer(jws, document, members[0])
    notifications = [
        m for m in members if m.object is not None and m.object.object_type == names.NOTIFICATION
    ]
    details = [m for m in members if m.object is not None and m.object.object_type == names.FORM3_INFO]
    if len(notifications) == 1 and len(details) + 1 == len(members) and len(details) <= 1:
        return _notification_answer(jws, document, notifications[0], details[0] if details else None)
    raise Unmappable(
        first.path,
        f"these objects ({', '.join(f'{v} {t}' for v, t in kinds)}) are not one answer of the e-Evidence profile",
    )


def _task_answer(jws: str, document: Action, action: Action) -> Answer:
    task = action.object
    assert task is not None
    order_type = "epoc" if task.object_type == names.LDTASK else "epoc-pr"
    status = entry(task.element, "task:Status")
    where = task.path + "/task:Status"
    expected: Expected = [("addressee_file_number", task.external, task.path + "/ExternalIdentifier")]
    if status is not None and status[2] == names.ACKNOWLEDGED[order_type]:
        kind = "acknowledgement"
    elif status is not None and status[2] == names.ANSWERED[order_type]:
        kind = "response"
        expected.append(("outcome", "produced" if order_type == "epoc" else "preserved", where))
    else:
        accepted = f"{names.ACKNOWLEDGED[order_type]} or {names.ANSWERED[order_type]}"
        raise Unmappable(
            where, f"a provider sets a {task.object_type} Status to {accepted}, not {status and status[2]!r}"
        )
    return Answer(jws, (document, action), kind, expected, (task.identifier,))


def _notification_answer(jws: str, document: Action, action: Action, detail: Action | None) -> Answer:
    note = action.object
    assert note is not None
    kind_entry = entry(note.element, "notification:NotificationType")
    where = note.path + "/notification:NotificationType"
    by_value = {v: k for k, v in NOTIFICATIONS.items()}
    if kind_entry is None or kind_entry[2] not in by_value:
        raise Unmappable(
            where, f"NotificationType must be one of {', '.join(by_value)} (EPOCNotificationType)"
        )
    key = by_value[kind_entry[2]]
    kind = "response" if key in ("not_executed", "partially_produced") else key
    expected: Expected = [("addressee_file_number", note.external, note.path + "/ExternalIdentifier")]
    actions = (document, action) if detail is None else (document, action, detail)
    if kind == "preservation-notice":
        stamp = value(note.element, "notification:NotificationTimestamp")
        expected.append(("preserved_at", stamp, note.path + "/notification:NotificationTimestamp"))
        return Answer(jws, actions, kind, expected, note.associated)
    if detail is None or detail.object is None:
        raise Unmappable(
            note.path, f"a {kind_entry[2]} notification needs its Form3Information (AssociatedObjects)"
        )
    form3 = detail.object
    if kind == "response":
        expected.append(("outcome", key, where))
    reasons = values(form3.element, "form3:NonExecutionReasons/form3:Reasons")
    reason_path = form3.path + "/form3:NonExecutionReasons/form3:Reasons"
    if kind == "response":
        expected.append(
            ("reason", READ_REASONS.get(reasons[0], "other") if reasons else "other", reason_path)
        )
        preservation = value(form3.element, "form3:PreservationStatus")
        expected.append(
            (
                "data_preserved",
                None if preservation is None else preservation == "PRESERVED",
                form3.path + "/form3:PreservationStatus",
            )
        )
    text_path = "form3:NonExecutionReasons/form3:ExplanationOrOtherReason"
    if kind == "clarification-request":
        text_path = "form3:RequestForClarification/form3:InformationRequiredFromIssuingAuthority"
    expected.append(("explanation", value(form3.element, text_path), f"{form3.path}/{text_path}"))
    if kind == "third-country-objection":
        for member, tag in CONFLICT.items():
            expected.append(
                (
                    member,
                    value(form3.element, f"form3:ConflictOfLaw/{tag}"),
                    f"{form3.path}/form3:ConflictOfLaw/{tag}",
                )
            )
    return Answer(jws, actions, kind, expected, note.associated)


def _delivery_answer(jws: str, document: Action, members: list[Action]) -> Answer:
    packages: list[tuple[str, int, str]] = []
    references: list[str] = []
    for member in members:
        obj = member.object
        assert obj is not None
        url = value(obj.element, "delivery:Delivery/delivery:URL/delivery:URL")
        if url is None or not url.startswith("urn:eevidence-broker:evidence:"):
            raise Unmappable(
                obj.path + "/delivery:Delivery",
                "produced data travel as age-encrypted evidence packages: a Delivery names one by URL urn:eevidence-broker:evidence:<package id>; embedded data are refused",
            )
        size = value(obj.element, "delivery:Delivery/delivery:URL/delivery:ContentLength")
        checksum = value(obj.element, "delivery:Delivery/delivery:URL/delivery:Checksum")
        if (
            size is None
            or checksum is None
            or value(obj.element, "delivery:Delivery/delivery:URL/delivery:ChecksumType") != SHA256
        ):
            raise Unmappable(
                obj.path + "/delivery:Delivery/delivery:URL",
                "ContentLength, Checksum and ChecksumType SHA-256 are required",
            )
        packages.append((url.rsplit(":", 1)[1], int(size), checksum))
        ldid = value(obj.element, "delivery:Reference/delivery:LDID")
        references += [*obj.associated, *([ldid[-36:]] if ldid else [])]
    where = members[0].object.path if members[0].object else ""
    return Answer(
        jws,
        (document, *members),
        "evidence-manifest",
        [("packages", repr(sorted(packages)), where)],
        tuple(references),
    )


def check(answer: Answer, envelope: dict[str, Any]) -> None:
    """Refuse, naming the element, the first thing the HI-1 objects say that the signed message does not."""
    if envelope["type"] != answer.message_type:
        raise Disagreement(
            xpath(answer.actions[1]),
            f"these objects render a {answer.message_type!r}, the signed message is a {envelope['type']!r}",
        )
    body = envelope["body"]
    for member, shown, where in answer.expected:
        if member == "packages":
            signed = {f["package"]["id"]: f["package"] for f in body["files"]}
            actual = repr(sorted((p["id"], p["size"], p["sha256"]) for p in signed.values()))
        else:
            actual = body.get(member)
            if isinstance(actual, str) and not (
                fits(actual, 65535) and (member != "preserved_at" or QUALIFIED.match(actual))
            ):
                actual = None  # a value HI-1 cannot hold is not rendered; the signed message carries it
        if shown != actual:
            raise Disagreement(
                where, f"says {shown!r} where the signed {answer.message_type} has {member} = {actual!r}"
            )


def _derived(message_id: str, what: str) -> uuid.UUID:
    return uuid.uuid5(uuid.UUID(message_id), what)


def _object_id(verb_element: etree._Element) -> str:
    found = verb_element.find(path_of("HI1Object/ObjectIdentifier"))
    assert found is not None and found.text
    return found.text
