"""RFC 9457 problem details: every error the API returns, one stable type per kind of error.

Operations raise `Problem` subclasses; the API turns them into application/problem+json. The CLI
turns the same exceptions into a one-line message and a non-zero exit.
"""

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from broker.vocabulary import EvidenceState
from broker.vocabulary import OrderState

PROBLEM_BASE = "urn:eevidence-broker:problem:"

# The members RFC 9457 defines; a type's own members come on top of them (extension members, §3.2).
STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})

# A JSON Schema (draft 2020-12) of one member's value, as the OpenAPI document publishes it.
JsonSchema = Mapping[str, Any]

ERRORS: JsonSchema = {
    "type": "object",
    "description": "Every offending field with its messages, nested like the document: a list of messages, "
    "or an object of the field's own members (list items by index)",
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
}
SHA256_HEX: JsonSchema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
TIMESTAMP: JsonSchema = {"type": "string", "format": "date-time"}
BYTES: JsonSchema = {"type": "integer", "minimum": 0}


class Problem(Exception):
    """An error with an HTTP status, a stable type slug and a human-readable title."""

    slug: ClassVar[str] = "internal-error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    # The extension members this type may carry, name -> JSON Schema of the value: the OpenAPI
    # document publishes them, and a problem carrying any other member is refused when raised.
    members: ClassVar[Mapping[str, JsonSchema]] = {}
    # Those of `members` that every problem of this type carries.
    required_members: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if clash := STANDARD_MEMBERS & cls.members.keys():
            raise TypeError(f"{cls.__name__} redefines the standard member(s) {sorted(clash)}")
        if unknown := cls.required_members - cls.members.keys():
            raise TypeError(f"{cls.__name__} requires undeclared member(s) {sorted(unknown)}")

    def __init__(self, detail: str, **extensions: Any) -> None:
        # A programming error, like an unexpected keyword argument: the contract must not drift.
        if undeclared := extensions.keys() - self.members.keys():
            raise TypeError(f"{type(self).__name__} declares no member(s) {sorted(undeclared)}")
        if missing := self.required_members - extensions.keys():
            raise TypeError(f"{type(self).__name__} needs the member(s) {sorted(missing)}")
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
    members: ClassVar[Mapping[str, JsonSchema]] = {"errors": ERRORS}
    required_members = frozenset({"errors"})


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


class InvalidText(Problem):
    """Text no field may hold: NUL (PostgreSQL cannot store it) or a lone surrogate (no UTF-8 for it)."""

    slug = "invalid-text"
    status = 422
    title = "The request holds text that cannot be accepted"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "errors": {
            **ERRORS,
            "description": "Each place holding such text, with why: a JSON Pointer into the JSON body or the "
            "signed envelope (/certificate/case_summary, /body/reason), or a query parameter's name",
        }
    }
    required_members = frozenset({"errors"})


def text_errors(fields: Mapping[str, str]) -> dict[str, list[str]]:
    """`invalid-text`'s errors from each offending place mapped to why its text is refused."""
    return {where: [why] for where, why in fields.items()}


# Who is asking
class Unauthenticated(Problem):
    slug = "unauthenticated"
    status = 401
    title = "Authentication required"


class TokenExpired(Problem):
    slug = "token-expired"
    status = 401
    title = "The API token has expired"


class Forbidden(Problem):
    slug = "forbidden"
    status = 403
    title = "Not allowed for this party"


class RateLimited(Problem):
    """Too many requests, or too many failed authentications, in a window (broker/api/ratelimit.py)."""

    slug = "rate-limited"
    status = 429
    title = "Too many requests"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "retry_after": {
            "type": "integer",
            "minimum": 1,
            "description": "Seconds to wait before asking again, as the Retry-After header says",
        }
    }
    required_members = frozenset({"retry_after"})


# Signed messages
class MalformedMessage(Problem):
    slug = "malformed-message"
    status = 400
    title = "The signed message cannot be read"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "errors": {**ERRORS, "description": "What the envelope's schema refused, by member"}
    }


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
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "findings": {
            "type": "array",
            "description": "Every finding of the legal check, errors and warnings, each citing its article",
            "items": {
                "type": "object",
                "properties": {
                    "rule_id": {"type": "string"},
                    "instrument": {"type": "string"},
                    "citation": {"type": "string"},
                    "severity": {"enum": ["error", "warning"]},
                    "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "confidence": {"enum": ["confirmed", "secondary", "unconfirmed"]},
                    "missing_data": {"type": "boolean"},
                },
                "required": [
                    "rule_id",
                    "instrument",
                    "citation",
                    "severity",
                    "message",
                    "fields",
                    "confidence",
                    "missing_data",
                ],
                "additionalProperties": False,
            },
        }
    }
    required_members = frozenset({"findings"})


# Lifecycle and registry
class TransitionNotAllowed(Problem):
    slug = "transition-not-allowed"
    status = 409
    title = "The order is not in a state that allows this"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "state": {
            "enum": [state.value for state in OrderState],
            "description": "The order's current state",
        }
    }


class TransferHeld(Problem):
    slug = "transfer-held"
    status = 409
    title = "The data may not be transferred yet"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "held_until": {**TIMESTAMP, "description": "When the enforcing authority's review window ends"}
    }
    required_members = frozenset({"held_until"})


class Conflict(Problem):
    slug = "conflict"
    status = 409
    title = "The resource already exists"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "state": {
            "enum": [state.value for state in EvidenceState],
            "description": "For an evidence package no longer being uploaded: its state",
        }
    }


class InvalidReference(Problem):
    slug = "invalid-reference"
    status = 422
    title = "The request refers to something that cannot be used"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "errors": {**ERRORS, "description": "The member that names what cannot be used"}
    }


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
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "actual_sha256": {**SHA256_HEX, "description": "The SHA-256 of the bytes that arrived"}
    }
    required_members = frozenset({"actual_sha256"})


class IncompleteChunk(Problem):
    slug = "incomplete-chunk"
    status = 400
    title = "The chunk ended before its Content-Length"


class PackageTooLarge(Problem):
    slug = "package-too-large"
    status = 413
    title = "The package is larger than declared or allowed"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "max_package_size": {**BYTES, "description": "At announcement: the deployment's limit, in bytes"}
    }


class PackageIncomplete(Problem):
    slug = "package-incomplete"
    status = 409
    title = "Chunks of the package are missing"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "missing": {
            "type": "array",
            "items": BYTES,
            "maxItems": 1000,
            "description": "The indexes of the chunks not received (at most 1000)",
        }
    }
    required_members = frozenset({"missing"})


class PackageDigestMismatch(Problem):
    slug = "package-digest-mismatch"
    status = 422
    title = "The uploaded package differs from what was declared"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "size": {**BYTES, "description": "The assembled package's size as the broker measured it"},
        "sha256": {**SHA256_HEX, "description": "The assembled package's SHA-256 as the broker measured it"},
    }
    required_members = frozenset({"size", "sha256"})


class EvidenceUnavailable(Problem):
    slug = "evidence-unavailable"
    status = 409
    title = "The evidence may not be handed over"


class EvidenceGone(Problem):
    slug = "evidence-gone"
    status = 410
    title = "The evidence was deleted"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "deleted_at": {**TIMESTAMP, "description": "When the package was deleted"},
        "reason": {
            "type": "string",
            "description": "Why: retention_ended, deletion_required, abandoned, aborted or digest_mismatch",
        },
    }
    required_members = frozenset({"deleted_at", "reason"})


class InvalidByteRange(Problem):
    slug = "invalid-byte-range"
    status = 416
    title = "The byte range cannot be served"
    members: ClassVar[Mapping[str, JsonSchema]] = {
        "size": {**BYTES, "description": "The package's length in bytes"}
    }
    required_members = frozenset({"size"})


def problem_types() -> tuple[type[Problem], ...]:
    """Every problem type of this module, `Problem` itself (internal-error) first, in definition order."""
    return tuple(
        value for value in globals().values() if isinstance(value, type) and issubclass(value, Problem)
    )
