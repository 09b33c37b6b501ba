"""A signed message (JWS) as an HI-1 DocumentObject, and back: the one way a signature crosses HI-1.

The broker never signs for a party, so what a party signed travels inside HI-1 byte for byte: the
issuing authority's certificate (DocumentType Form1 / Form2) and a provider's answer (SignedAnswer),
each as `DocumentBody/Contents` in base64 with ContentType application/jose and its SHA-256. Reading
a Document gives the JWS back unverified; verification is the broker's inbound check, or the
provider's own with the sender's published key.
"""

import base64
import hashlib
from typing import Any

from lxml import etree

from broker.etsi import names
from broker.etsi.errors import Disagreement
from broker.etsi.errors import Unmappable
from broker.etsi.hi1 import Hi1Object
from broker.etsi.hi1 import dictionary
from broker.etsi.hi1 import el
from broker.etsi.hi1 import hi1_object
from broker.etsi.hi1 import value
from broker.wire import envelope


def jws_document(object_id: str, jws: str, name: str, document_type: str, **common: Any) -> etree._Element:
    """A DocumentObject carrying `jws` byte for byte, with its SHA-256; `common` as hi1.hi1_object takes."""
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


def document_jws(document: Hi1Object) -> str | None:
    """The JWS text of a Document whose ContentType is application/jose, or None.

    A SHA-256 Checksum beside it must be the contents' own: a Document whose checksum another system
    would verify differently is refused rather than read one way here and another way there.
    """
    if value(document.element, "doc:DocumentBody/doc:ContentType") != names.JOSE:
        return None
    contents = value(document.element, "doc:DocumentBody/doc:Contents") or ""
    try:
        raw = base64.b64decode(contents, validate=True)
        jws = raw.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise Unmappable(
            document.path + "/doc:DocumentBody/doc:Contents", "not base64 of an ASCII JWS"
        ) from None
    checksum = value(document.element, "doc:DocumentBody/doc:Checksum")
    sha256 = value(document.element, "doc:DocumentBody/doc:ChecksumType") == "SHA-256"
    if sha256 and checksum is not None and checksum.lower() != hashlib.sha256(raw).hexdigest():
        raise Disagreement(
            document.path + "/doc:DocumentBody/doc:Checksum", "is not the SHA-256 of the Contents"
        )
    return jws


def signed_body(document: Hi1Object) -> dict[str, Any] | None:
    """The body of the JWS a Document carries, read but not verified; None if it carries none."""
    jws = document_jws(document)
    if jws is None:
        return None
    try:
        body = envelope.read_unverified(jws)["body"]
    except envelope.MalformedEnvelope as error:
        raise Unmappable(document.path, f"DocumentBody is not a signed message: {error}") from None
    return body if isinstance(body, dict) else None
