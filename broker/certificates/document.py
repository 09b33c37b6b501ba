"""A signed message as a sealed PDF: the form in a language, the JWS attached byte for byte, the broker's seal.

    pdf = certificate_pdf(jws, seal, language="fr", order_reference=str(order_id), certificate=certificate_jws)

The message is read, not verified: the broker renders messages it verified when they arrived, and the
reader verifies the attached original (broker.certificates.verify). A follow-up form (Annex III, V,
VI, …) quotes the order's certificate, so that certificate is attached too, and the seal covers both.
"""

from broker.certificates.catalogue import catalogue
from broker.certificates.followups import form_for
from broker.certificates.forms import Source
from broker.certificates.render import render
from broker.certificates.seal import Attachment
from broker.certificates.seal import Seal
from broker.wire import envelope as envelopes

MESSAGE_FILE = "message.jws"
CERTIFICATE_FILE = "certificate.jws"
STAMP = "Sealed by the e-evidence broker: true copy of a signed message"


def certificate_pdf(
    message: str,
    seal: Seal,
    *,
    language: str,
    order_reference: str = "",
    certificate: str | None = None,
) -> bytes:
    """The sealed PDF of `message` (a JWS) in `language`; MalformedEnvelope if it is not a signed envelope.

    `certificate` is the order's certificate (its JWS) for the forms that quote it; it is attached
    beside the message unless the message is the certificate itself.
    """
    words = catalogue(language)
    opened = envelopes.read_unverified(message.strip())
    quoted = None
    if certificate is not None and certificate.strip() != message.strip():
        quoted = envelopes.read_unverified(certificate.strip())
    source = Source(opened, quoted, order_reference)
    form = form_for(source)
    pdf = render(source, form, words, message.strip(), language=language, attachment=MESSAGE_FILE)
    attachments = [
        Attachment(MESSAGE_FILE, message.strip().encode("ascii"), f"signed {opened['type']} {opened['id']}")
    ]
    if quoted is not None and certificate is not None:
        attachments.append(
            Attachment(
                CERTIFICATE_FILE,
                certificate.strip().encode("ascii"),
                f"signed {quoted['type']} {quoted['id']}",
            )
        )
    return seal.seal(pdf, attachments, reason=words.label("ui.seal_reason"), stamp=STAMP)
