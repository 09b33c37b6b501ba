"""RFC 9457 problem details: every error the API returns, one stable type per kind of error.

Operations raise `Problem` subclasses; the API turns them into application/problem+json. The CLI
turns the same exceptions into a one-line message and a non-zero exit.
"""

from typing import Any
from typing import ClassVar

PROBLEM_BASE = "urn:eevidence-broker:problem:"


class Problem(Exception):
    """An error with an HTTP status, a stable type slug and a human-readable title."""

    slug: ClassVar[str] = "internal-error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def type(self) -> str:
        """The problem type URI; clients switch on it, never on the title."""
        return PROBLEM_BASE + self.slug

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        """The problem+json document."""
        document: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            document["instance"] = instance
        document.update(self.extensions)
        return document


# Request shape
class BadRequest(Problem):
    slug = "bad-request"
    status = 400
    title = "The request cannot be understood"


class HttpError(Problem):
    """Any other HTTP-level refusal; its status is the one the protocol layer chose."""

    slug = "http-error"
    title = "The request was refused at the HTTP level"

    def __init__(self, detail: str, status: int, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.status = status  # type: ignore[misc]


class MalformedJSON(Problem):
    slug = "malformed-json"
    status = 400
    title = "The request body is not valid JSON"


class ValidationFailed(Problem):
    slug = "validation-error"
    status = 422
    title = "The request does not satisfy the schema"


class UnsupportedMediaType(Problem):
    slug = "unsupported-media-type"
    status = 415
    title = "Unsupported media type"


class PayloadTooLarge(Problem):
    slug = "payload-too-large"
    status = 413
    title = "The request body is too large"


class NotFound(Problem):
    slug = "not-found"
    status = 404
    title = "No such resource"


class MethodNotAllowed(Problem):
    slug = "method-not-allowed"
    status = 405
    title = "Method not allowed"


class IdempotencyKeyReused(Problem):
    slug = "idempotency-key-reused"
    status = 422
    title = "The Idempotency-Key was already used for a different request"


# Who is asking
class Unauthenticated(Problem):
    slug = "unauthenticated"
    status = 401
    title = "Authentication required"


class TokenExpired(Problem):
    slug = "token-expired"
    status = 401
    title = "The API token has expired"


class TokenRevoked(Problem):
    slug = "token-revoked"
    status = 401
    title = "The API token has been revoked"


class Forbidden(Problem):
    slug = "forbidden"
    status = 403
    title = "Not allowed for this party"


# Signed messages
class MalformedMessage(Problem):
    slug = "malformed-message"
    status = 400
    title = "The signed message cannot be read"


class UnknownKey(Problem):
    slug = "unknown-key"
    status = 422
    title = "The message is signed with a key the sender has not registered"


class KeyRevoked(Problem):
    slug = "key-revoked"
    status = 422
    title = "The message is signed with a revoked key"


class KeyNotValid(Problem):
    slug = "key-not-valid"
    status = 422
    title = "The signing key is outside its validity period"


class InvalidSignature(Problem):
    slug = "invalid-signature"
    status = 422
    title = "The signature does not verify"


class WrongSender(Problem):
    slug = "wrong-sender"
    status = 403
    title = "The message is not signed by the caller's organisation"


class WrongRecipient(Problem):
    slug = "wrong-recipient"
    status = 422
    title = "The message is addressed to the wrong organisation"


class StaleMessage(Problem):
    slug = "stale-message"
    status = 422
    title = "The message's issued_at is outside the accepted window"


class ReplayedMessage(Problem):
    slug = "replayed-message"
    status = 409
    title = "A message with this id was already received"


class UnexpectedMessageType(Problem):
    slug = "unexpected-message-type"
    status = 422
    title = "This message type does not belong here"


class CertificateMismatch(Problem):
    slug = "certificate-mismatch"
    status = 422
    title = "The signed certificate is not the draft being issued"


class LegalCheckFailed(Problem):
    slug = "legal-check-failed"
    status = 422
    title = "The order breaks a blocking rule of its legal instrument"


# Lifecycle and registry
class TransitionNotAllowed(Problem):
    slug = "transition-not-allowed"
    status = 409
    title = "The order is not in a state that allows this"


class TransferHeld(Problem):
    slug = "transfer-held"
    status = 409
    title = "The data may not be transferred yet"


class Conflict(Problem):
    slug = "conflict"
    status = 409
    title = "The resource already exists"


class InvalidReference(Problem):
    slug = "invalid-reference"
    status = 422
    title = "The request refers to something that cannot be used"


# Audit trail
class SigningUnavailable(Problem):
    slug = "signing-unavailable"
    status = 503
    title = "The broker cannot sign right now"


class InvalidRange(Problem):
    slug = "invalid-range"
    status = 422
    title = "The requested index or tree size does not exist in the log"


# Evidence upload and download
class LengthRequired(Problem):
    slug = "length-required"
    status = 411
    title = "The request must state its Content-Length"


class ChunkDigestMismatch(Problem):
    slug = "chunk-digest-mismatch"
    status = 422
    title = "The chunk does not match its Content-Digest"


class IncompleteChunk(Problem):
    slug = "incomplete-chunk"
    status = 400
    title = "The chunk ended before its Content-Length"


class PackageTooLarge(Problem):
    slug = "package-too-large"
    status = 413
    title = "The package is larger than declared or allowed"


class PackageIncomplete(Problem):
    slug = "package-incomplete"
    status = 409
    title = "Chunks of the package are missing"


class PackageDigestMismatch(Problem):
    slug = "package-digest-mismatch"
    status = 422
    title = "The uploaded package differs from what was declared"


class EvidenceUnavailable(Problem):
    slug = "evidence-unavailable"
    status = 409
    title = "The evidence may not be handed over"


class EvidenceGone(Problem):
    slug = "evidence-gone"
    status = 410
    title = "The evidence was deleted"


class InvalidByteRange(Problem):
    slug = "invalid-byte-range"
    status = 416
    title = "The byte range cannot be served"
