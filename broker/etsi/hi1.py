"""The HI-1 message (ETSI TS 103 120): typed header and actions, built as lxml trees and read back.

Data binding, not string templates: `el()` builds elements from prefixed names (the namespaces of
names.py), `build()` serialises a message only after the XSD accepts it, and `read()` parses safely
(xmlsafe), validates, and returns the header and actions as frozen dataclasses, each HI-1 object with
its common members typed (`Hi1Object`). Object-specific members are read by the mapping modules
with `value()` and `values()`, which take the same prefixed paths.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

from lxml import etree

from broker.etsi import names
from broker.etsi import xmlsafe
from broker.etsi import xsd
from broker.etsi.errors import Unmappable

VERBS = ("GET", "CREATE", "UPDATE", "LIST", "DELIVER", "GETCSPCONFIG")
Child = "etree._Element | str | None | Iterable[etree._Element | None]"


def clark(name: str) -> str:
    """`{namespace}local` for a prefixed name; an unprefixed name is in the HI-1 core namespace."""
    prefix, _, local = name.rpartition(":")
    namespace = (
        names.FORM_NAMESPACES[prefix]
        if prefix in names.FORM_NAMESPACES
        else names.HI1_NAMESPACES[prefix or None]
    )
    return f"{{{namespace}}}{local}"


def el(name: str, *children: object, **attributes: str) -> etree._Element:
    """An element: strings become its text, elements its children, None and empty lists nothing."""
    element = etree.Element(clark(name), nsmap=None)
    for key, attribute in attributes.items():
        element.set(clark(key.replace("__", ":")), attribute)
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            element.text = child
        elif isinstance(child, etree._Element):
            element.append(child)
        else:
            for item in child:  # type: ignore[attr-defined]
                if item is not None:
                    element.append(item)
    return element


def dictionary(name: str, owner: str, dictionary_name: str, value: str) -> etree._Element:
    """A DictionaryEntry element: Owner, Name, Value."""
    return el(name, el("common:Owner", owner), el("common:Name", dictionary_name), el("common:Value", value))


def qualified_time(instant: datetime) -> str:
    """etsi:QualifiedDateTime in UTC, whole seconds."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def microsecond_time(instant: datetime) -> str:
    """etsi:QualifiedMicrosecondDateTime in UTC, as the header's Timestamp requires."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Endpoint:
    """An EndpointID: the ISO country and a unique identifier (the broker uses organisation UUIDs)."""

    country: str
    identifier: str

    def element(self, name: str) -> etree._Element:
        return el(name, el("CountryCode", self.country), el("UniqueIdentifier", self.identifier))


@dataclass(frozen=True)
class Header:
    """Who writes to whom, in which transaction, when."""

    sender: Endpoint
    receiver: Endpoint
    transaction: str
    timestamp: datetime

    def reply(self, now: datetime) -> "Header":
        """The header of the answer: the same transaction, sender and receiver swapped."""
        return Header(self.receiver, self.sender, self.transaction, now)

    def element(self) -> etree._Element:
        version = el(
            "Version",
            el("ETSIVersion", names.ETSI_VERSION),
            el("NationalProfileOwner", names.PROFILE_OWNER),
            el("NationalProfileVersion", names.PROFILE_VERSION),
        )
        return el(
            "Header",
            self.sender.element("SenderIdentifier"),
            self.receiver.element("ReceiverIdentifier"),
            el("TransactionIdentifier", self.transaction),
            el("Timestamp", microsecond_time(self.timestamp)),
            version,
        )


def new_header(sender: Endpoint, receiver: Endpoint, now: datetime) -> Header:
    return Header(sender, receiver, str(uuid.uuid4()), now)


def hi1_object(
    object_type: str,
    identifier: str,
    *children: object,
    country: str | None = None,
    owner: str | None = None,
    generation: int | None = None,
    external: str | None = None,
    associated: Iterable[str] = (),
    last_changed: datetime | None = None,
) -> etree._Element:
    """An HI1Object of `object_type` (e.g. names.LDTASK) with its common members, then `children`."""
    linked = list(associated)
    return el(
        "HI1Object",
        el("ObjectIdentifier", identifier),
        el("CountryCode", country) if country else None,
        el("OwnerIdentifier", owner) if owner else None,
        el("Generation", str(generation)) if generation is not None else None,
        el("ExternalIdentifier", external) if external else None,
        el("AssociatedObjects", [el("AssociatedObject", item) for item in linked]) if linked else None,
        el("LastChanged", qualified_time(last_changed)) if last_changed else None,
        *children,
        xsi__type=object_type,
    )


def build(header: Header, payload: etree._Element) -> bytes:
    """The serialised message, after the XSD has accepted it: the broker never sends an invalid one."""
    namespaces: Any = (
        names.HI1_NAMESPACES
    )  # lxml takes None for the default namespace; its stubs do not say so
    root = etree.Element(clark("HI1Message"), nsmap=namespaces)
    root.append(header.element())
    root.append(el("Payload", payload))
    xmlsafe.validate(root, xsd.hi1())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def requests(actions: Iterable[tuple[str, etree._Element]]) -> etree._Element:
    """A RequestPayload of (verb, content) pairs, numbered from 0; content is the verb's element."""
    return el(
        "RequestPayload",
        el(
            "ActionRequests",
            [
                el("ActionRequest", el("ActionIdentifier", str(n)), content)
                for n, (_, content) in enumerate(actions)
            ],
        ),
    )


def responses(answers: Iterable[tuple[int, etree._Element]]) -> etree._Element:
    """A ResponsePayload of (action identifier, answer element) pairs."""
    return el(
        "ResponsePayload",
        el(
            "ActionResponses",
            [el("ActionResponse", el("ActionIdentifier", str(n)), answer) for n, answer in answers],
        ),
    )


def error_information(code: int, description: str, name: str = "ErrorInformation") -> etree._Element:
    return el(name, el("ErrorCode", str(code)), el("ErrorDescription", description[:65535]))


def top_level_error(code: int, description: str) -> etree._Element:
    """A ResponsePayload refusing the whole message (nothing in it was acted on)."""
    return el("ResponsePayload", error_information(code, description))


@dataclass(frozen=True)
class Hi1Object:
    """The members every HI-1 object has, typed; `element` keeps the rest for the mapping modules."""

    object_type: str
    identifier: str
    country: str | None
    owner: str | None
    external: str | None
    associated: tuple[str, ...]
    element: etree._Element = field(compare=False)

    @property
    def path(self) -> str:
        return xmlsafe.path(self.element)


@dataclass(frozen=True)
class Action:
    """One ActionRequest: its number, its verb, the object it carries or the identifier it names."""

    number: int
    verb: str
    target: str | None
    object: Hi1Object | None
    element: etree._Element = field(compare=False)

    @property
    def path(self) -> str:
        return xmlsafe.path(self.element)


@dataclass(frozen=True)
class Message:
    """A read HI-1 message: its header and its actions (requests), or nothing but the header (responses)."""

    header: Header
    actions: tuple[Action, ...]
    is_response: bool
    root: etree._Element = field(compare=False)


def read(data: bytes) -> Message:
    """Parse safely, validate against TS 103 120 V1.20.1 + TS 104 144, and bind header and actions."""
    root = xmlsafe.parse(data)
    if root.tag != clark("HI1Message"):
        raise Unmappable(xmlsafe.path(root), "the root element must be HI1Message of ETSI TS 103 120")
    xmlsafe.validate(root, xsd.hi1())
    header = _header(root)
    actions = tuple(
        _action(element)
        for element in root.iterfind(path_of("Payload/RequestPayload/ActionRequests/ActionRequest"))
    )
    return Message(
        header, actions, root.find(clark("Payload") + "/" + clark("ResponsePayload")) is not None, root
    )


def path_of(prefixed: str) -> str:
    """An ElementPath of prefixed names ("task:RequestDetails/task:StartTime") in Clark notation."""
    return "/".join(step if step in (".", "..", "*") else clark(step) for step in prefixed.split("/"))


def value(element: etree._Element, prefixed: str) -> str | None:
    """The text of the first element at `prefixed` under `element`, or None."""
    found = element.find(path_of(prefixed))
    return None if found is None else (found.text or "")


def values(element: etree._Element, prefixed: str) -> list[str]:
    return [found.text or "" for found in element.iterfind(path_of(prefixed))]


def entry(element: etree._Element, prefixed: str) -> tuple[str, str, str] | None:
    """The (Owner, Name, Value) of the DictionaryEntry at `prefixed`, or None."""
    found = element.find(path_of(prefixed))
    if found is None:
        return None
    return (
        value(found, "common:Owner") or "",
        value(found, "common:Name") or "",
        value(found, "common:Value") or "",
    )


def _header(root: etree._Element) -> Header:
    def endpoint(name: str) -> Endpoint:
        return Endpoint(
            value(root, f"Header/{name}/CountryCode") or "",
            value(root, f"Header/{name}/UniqueIdentifier") or "",
        )

    stamp = value(root, "Header/Timestamp") or ""
    return Header(
        endpoint("SenderIdentifier"),
        endpoint("ReceiverIdentifier"),
        value(root, "Header/TransactionIdentifier") or "",
        datetime.fromisoformat(stamp.replace("Z", "+00:00")),
    )


def _action(element: etree._Element) -> Action:
    number = int(value(element, "ActionIdentifier") or "0")
    verb_element = next(child for child in element if etree.QName(child).localname in VERBS)
    verb = etree.QName(verb_element).localname
    found = verb_element.find(clark("HI1Object"))
    return Action(
        number, verb, value(verb_element, "Identifier"), None if found is None else bind(found), element
    )


def bind(element: etree._Element) -> Hi1Object:
    """The common members of an HI1Object element, its xsi:type in this package's prefixes."""
    raw = element.get(clark("xsi:type")) or ""
    prefix, _, local = raw.rpartition(":")
    namespace = element.nsmap.get(prefix or None, "")
    object_type = f"{names.PREFIXES.get(namespace, namespace)}:{local}"
    return Hi1Object(
        object_type=object_type,
        identifier=value(element, "ObjectIdentifier") or "",
        country=value(element, "CountryCode"),
        owner=value(element, "OwnerIdentifier"),
        external=value(element, "ExternalIdentifier"),
        associated=tuple(values(element, "AssociatedObjects/AssociatedObject")),
        element=element,
    )
