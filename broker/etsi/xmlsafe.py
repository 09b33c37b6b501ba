"""Reading XML from strangers: bounded in size and depth, no DTD, no entities, no network, then the XSD.

lxml (libxml2) is told never to load a DTD, resolve an entity or open a URL, and the broker then
refuses any document that still declares a DOCTYPE or holds an entity reference at all: a billion-
laughs or external-entity document is refused whole rather than parsed partly. Size is checked
before parsing, depth after (libxml2 stops at 256 levels on its own; the broker's limit is lower).
Validation uses the XSDs shipped in broker/etsi/schemas, so nothing is fetched to validate either.
"""

from typing import Any

from lxml import etree

from broker.etsi.errors import SchemaInvalid
from broker.etsi.errors import XmlRefused
from broker.etsi.names import CORE
from broker.etsi.names import PREFIXES

MAX_BYTES = 1_048_576  # an HI-1 message with a signed certificate is tens of kilobytes
MAX_DEPTH = 40  # the deepest HI-1 or RI-form element the broker writes is about 15 levels down

PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    collect_ids=False,
    remove_pis=True,
)


def parse(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> etree._Element:
    """The root element of `data`, or XmlRefused saying why and where; nothing is fetched or expanded."""
    if len(data) > max_bytes:
        raise XmlRefused("", f"the document is {len(data)} bytes; at most {max_bytes} are accepted")
    try:
        tree = etree.fromstring(data, PARSER).getroottree()
    except etree.XMLSyntaxError as error:
        raise XmlRefused("", f"not well-formed XML: {error.msg} (line {error.lineno})") from None
    info: Any = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        raise XmlRefused("", "a DOCTYPE (DTD) is not accepted: entities and external references are refused")
    root = tree.getroot()
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if isinstance(element, etree._Entity):
            raise XmlRefused(path(element.getparent()), "entity references are not accepted")
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise XmlRefused(path(element), f"the document nests deeper than {max_depth} elements")
    return root


def validate(root: etree._Element, schema: etree.XMLSchema) -> None:
    """Refuse `root` with the first XSD error, naming the element by its path and line."""
    if schema.validate(root):
        return
    log: Any = schema.error_log  # lxml-stubs do not declare _ErrorLog iterable
    error = next(iter(log))
    message = error.message
    message = message.replace("{" + CORE + "}", "")
    for uri, prefix in PREFIXES.items():
        message = message.replace("{" + uri + "}", f"{prefix}:")
    found: list[Any]
    try:
        found = list(root.getroottree().xpath(error.path)) if error.path else []  # type: ignore[arg-type]
    except etree.XPathError:  # a path through undeclared prefixes: find the element by its line instead
        found = [e for e in root.iter() if isinstance(e.tag, str) and e.sourceline == error.line][-1:]
    where = path(found[0]) if found and isinstance(found[0], etree._Element) else (error.path or "")
    raise SchemaInvalid(where, f"{message} (line {error.line})")


def path(element: etree._Element | None) -> str:
    """A readable slash path to `element`: prefixed names, with [n] where siblings share a name."""
    steps: list[str] = []
    while element is not None:
        name = qualified(element)
        parent = element.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == element.tag]
            if len(same) > 1:
                name += f"[{same.index(element) + 1}]"
        steps.append(name)
        element = parent
    return "/" + "/".join(reversed(steps))


def qualified(element: etree._Element) -> str:
    """`prefix:Name` for an element, with no prefix for the HI-1 core and unknown namespaces spelled out."""
    if not isinstance(element.tag, str):
        return "#node"
    qname = etree.QName(element)
    if qname.namespace is None or qname.namespace == CORE:
        return qname.localname
    prefix = PREFIXES.get(qname.namespace)
    return f"{prefix}:{qname.localname}" if prefix else f"{{{qname.namespace}}}{qname.localname}"
