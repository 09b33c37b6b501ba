"""What goes wrong with an ETSI or RI-form document, each error naming the element it is about.

Every refusal says where: `element` is a slash path from the root with namespace prefixes
(`/HI1Message/Payload/RequestPayload/ActionRequests/ActionRequest[2]/UPDATE/HI1Object/task:Status`),
so the one-line message a person or a provider's system sees points at the exact place to fix.
"""


class EtsiError(ValueError):
    """Base of every refusal of this package; `element` is where, `detail` is why."""

    code = 4000  # the HI-1 ErrorCode the API door answers with

    def __init__(self, element: str, detail: str) -> None:
        super().__init__(f"{element}: {detail}" if element else detail)
        self.element = element
        self.detail = detail


class XmlRefused(EtsiError):
    """Not XML the broker reads: malformed, too large, too deep, or carrying a DTD or entities."""

    code = 4001


class SchemaInvalid(EtsiError):
    """Well-formed XML that its XSD refuses."""

    code = 4002


class Unmappable(EtsiError):
    """Valid against the XSD, but outside the e-Evidence profile or without a lifecycle meaning here."""

    code = 4003


class Disagreement(EtsiError):
    """The HI-1 objects say something other than the signed message they carry."""

    code = 4004
