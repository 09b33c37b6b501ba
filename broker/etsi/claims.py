"""What a provider's HI-1 answer claims, and the check that it claims what was signed.

`group()` gathers a message's actions into signed answers: each SignedAnswer Document (its JWS) with
the objects its AssociatedObjects name; an action that no signed answer names is refused, naming the
element, because the broker applies only what a provider signed. Each answer's objects are read back
(with broker.etsi.answers' tables) into the message type and the body members they show, each with
the element it came from, and `check()` refuses the first member the signed body does not equal.
"""

from dataclasses import dataclass
from typing import Any

from broker.etsi import names
from broker.etsi import xmlsafe
from broker.etsi.answers import CONFLICT
from broker.etsi.answers import NOTIFICATIONS
from broker.etsi.answers import READ_REASONS
from broker.etsi.answers import SHA256
from broker.etsi.documents import document_jws
from broker.etsi.errors import Disagreement
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import Action
from broker.etsi.hi1 import entry
from broker.etsi.hi1 import value
from broker.etsi.hi1 import values
from broker.etsi.text import QUALIFIED
from broker.etsi.text import fits

# What an answer's objects show, each checked against the signed body: (member, HI-1 value, element path).
Expected = list[tuple[str, str | bool | int | None, str]]


@dataclass(frozen=True)
class Answer:
    """One signed answer read from a message: its JWS, its actions, and what its objects claim."""

    jws: str
    actions: tuple[Action, ...]  # the Document's action first
    message_type: str
    expected: Expected
    references: tuple[str, ...]  # object identifiers that name the order


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
        jws = document_jws(obj)
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
