"""Check a sealed certificate PDF from the PDF alone: the broker's seal, then the signed message inside it.

A provider that received a certificate by e-mail trusts neither the e-mail nor the broker's web
site: it holds the broker's published seal certificate and the deployment's trust list, and

    verdict = verify_pdf(pdf_bytes, [seal_certificate], trust_list)
    print(verdict.line())   # VALID: … or REFUSED: <the first check that failed>

The checks, in order, each refusing with its own reason:

1. the file is a PDF that can be read;
2. it carries exactly one signature, and its certificate is one of the seal certificates given
   (a PDF sealed by anyone else is refused, whatever it says);
3. the seal is intact (the digest over the signed bytes matches), its signature verifies, and its
   certificate is valid now;
4. the seal covers the whole file: nothing was appended after it (a swapped attachment is an
   appended revision, which the refusal names, or changed bytes under the seal);
5. the signed message is attached (message.jws) and is the one the form was drawn from (its SHA-256
   is the one in the document's keywords, which the seal covers);
6. the message verifies against the trust list (known key of the claimed sender, valid and not
   revoked when it signed, canonical envelope) and its body satisfies its schema
   (broker.client.verify_message); so does the certificate attached beside a follow-up form.
"""

import hashlib
import io
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from broker.certificates import aio
from broker.certificates.document import CERTIFICATE_FILE
from broker.certificates.document import MESSAGE_FILE
from broker.client.errors import VerificationError
from broker.client.verify import TrustList
from broker.client.verify import VerifiedMessage
from broker.client.verify import verify_message

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

# pyHanko logs every failed validation with a traceback; the verdict says what failed, in one line.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Verdict:
    """What the PDF turned out to be: valid with its message, or refused with the reason."""

    valid: bool
    reason: str
    message: VerifiedMessage | None = None
    seal_subject: str | None = None
    sealed_at: str | None = None

    def line(self) -> str:
        """The one line a person reads."""
        return f"{'VALID' if self.valid else 'REFUSED'}: {self.reason}"

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "seal_subject": self.seal_subject,
            "sealed_at": self.sealed_at,
            "message": self.message.as_json() if self.message else None,
        }


class Refused(Exception):
    """A check failed; the message is the verdict's reason."""


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, as people compare certificates."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def attachments(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in a PDF, by name, read without checking anything (to pick a trust list)."""
    try:
        return _attachments(_reader(pdf).root)
    except Refused:
        return {}


def verify_pdf(pdf: bytes, seal_certificates: Sequence[x509.Certificate], trusted: TrustList) -> Verdict:
    """Every check of the module docstring, in order; the first failure is the verdict's reason."""
    state: dict[str, str] = {}
    try:
        verified = _verify(pdf, seal_certificates, trusted, state)
    except Refused as refused:
        return Verdict(False, str(refused), None, state.get("subject"), state.get("sealed_at"))
    summary = (
        f"sealed true copy of {verified.summary()}; sealed by {state['subject']} at {state['sealed_at']}"
    )
    return Verdict(True, summary, verified, state["subject"], state["sealed_at"])


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.startswith(b"%PDF-"):
        raise Refused("not a PDF: the file does not start with %PDF-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return PdfFileReader(io.BytesIO(pdf), strict=False)
    except Exception as error:
        raise Refused(f"not a PDF that can be read: {error}") from error


def _verify(
    pdf: bytes, seals: Sequence[x509.Certificate], trusted: TrustList, state: dict[str, str]
) -> VerifiedMessage:
    reader = _reader(pdf)
    try:
        signatures = list(reader.embedded_signatures)
    except Exception as error:
        raise Refused(f"the PDF's signature fields cannot be read: {error}") from error
    if not signatures:
        raise Refused("the PDF carries no seal: it is not a copy sealed by the broker")
    if len(signatures) > 1:
        raise Refused(f"the PDF carries {len(signatures)} signatures; a broker copy carries exactly one seal")
    signature = signatures[0]
    signer = x509.load_der_x509_certificate(signature.signer_cert.dump())
    state["subject"] = signer.subject.rfc4514_string()
    known = {fingerprint(each): each for each in seals}
    if fingerprint(signer) not in known:
        raise Refused(
            f"sealed by an unknown key: {state['subject']} (certificate SHA-256 {fingerprint(signer)}) "
            "is not the broker's seal certificate"
        )
    status = _status(signature, signer)
    state["sealed_at"] = (
        status.signer_reported_dt.isoformat() if status.signer_reported_dt else "an unknown time"
    )
    if not status.intact:
        raise Refused(
            "tampered: the bytes under the seal have changed since it was applied (digest mismatch)"
        )
    if not status.valid:
        raise Refused("the seal's signature does not verify with its certificate")
    if not status.trusted:
        raise Refused(f"the seal certificate is not valid now: {state['subject']} (expired or not yet valid)")
    files = _attachments(reader.root)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise Refused(
            "changed after sealing: a later revision the seal does not cover "
            f"({_changed_files(reader, signature.signed_revision, files)})"
        )
    message = files.get(MESSAGE_FILE)
    if message is None:
        raise Refused(f"no signed message is attached ({MESSAGE_FILE})")
    keywords = str(reader.trailer["/Info"].get("/Keywords", "")) if "/Info" in reader.trailer else ""
    digest = hashlib.sha256(message).hexdigest()
    if f"jws-sha256={digest}" not in keywords:
        raise Refused(f"the attached message (SHA-256 {digest}) is not the one this form was drawn from")
    verified = _message(message, trusted, "signed message")
    if CERTIFICATE_FILE in files:
        _message(files[CERTIFICATE_FILE], trusted, "attached certificate")
    return verified


def _status(signature: Any, signer: x509.Certificate) -> Any:
    root = asn1_x509.Certificate.load(signer.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return aio.run(async_validate_pdf_signature(signature, context))
    except Exception as error:
        raise Refused(f"tampered: the seal cannot be evaluated ({error})") from error


def _changed_files(reader: PdfFileReader, revision: int, files: dict[str, bytes]) -> str:
    """Which attached files the later revision changed, so that a swapped message is named as one."""
    try:
        sealed = _attachments(reader.get_historical_root(revision))
    except Exception:  # a revision pyHanko cannot read back: the refusal stands without the detail
        return "its content differs"
    changed = sorted(name for name in {*sealed, *files} if sealed.get(name) != files.get(name))
    if not changed:
        return "its content differs"
    return f"{', '.join(changed)} {'differs' if len(changed) == 1 else 'differ'} from the sealed copy"


def _attachments(root: Any) -> dict[str, bytes]:
    """The embedded files of a document catalogue (the current one, or the one a revision had)."""
    try:
        names = root["/Names"]["/EmbeddedFiles"]["/Names"]
        return {str(names[i]): bytes(names[i + 1]["/EF"]["/F"].data) for i in range(0, len(names), 2)}
    except (KeyError, IndexError, TypeError, AttributeError):
        return {}
    except Exception as error:
        raise Refused(f"the attached files cannot be read: {error}") from error


def _message(data: bytes, trusted: TrustList, what: str) -> VerifiedMessage:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise Refused(f"the {what} is not a JWS (not ASCII)") from None
    try:
        return verify_message(text, trusted)
    except VerificationError as error:
        raise Refused(f"the {what} is refused: {error}") from error
