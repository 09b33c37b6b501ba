"""Verify a signed message offline, trusting a key set you hold rather than the broker that relayed it.

The checks are the receiver's half of docs/message-format.md: the key the message names is in your
trust list, is the key its kid says (RFC 7638) and belongs to the organisation the message claims as
sender; the signature verifies; the payload is a canonical, well-formed envelope; the key was valid
and not revoked when the message was signed; and the body satisfies the schema of its type.
"""

import json
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from broker import crypto
from broker.client.errors import VerificationError
from broker.wire import envelope
from broker.wire import registry

# The members of a public JWK that verification uses; trust lists add organisation, validity and names.
JWK_MEMBERS = frozenset({"kty", "crv", "x", "y", "kid", "alg", "use"})


@dataclass(frozen=True)
class TrustedKey:
    """One public signing key, whose it is, and when it could sign."""

    kid: str
    jwk: dict[str, Any]
    organisation: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    revoked_at: str | None = None

    def refusal_at(self, moment: str) -> str | None:
        """Why the key could not sign at `moment` (RFC 3339), or None if it could.

        A key revoked or expired later still proves what it signed before; one revoked because it
        leaked makes everything it signed suspect, which is the reader's call (`revoked_at` is kept).
        """
        signed = _instant(moment)
        if self.valid_from and signed < _instant(self.valid_from):
            return f"signed at {moment}, before key {self.kid} was valid ({self.valid_from})"
        if self.valid_until and signed >= _instant(self.valid_until):
            return f"signed at {moment}, when key {self.kid} had expired ({self.valid_until})"
        if self.revoked_at and signed >= _instant(self.revoked_at):
            return f"signed at {moment}, when key {self.kid} was revoked ({self.revoked_at})"
        return None


class TrustList:
    """The keys you trust, by kid: a trust list (keys/*.jwks.json) or the API's key set of a party."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        self._keys = {key.kid: key for key in keys}

    @classmethod
    def from_document(cls, document: Any) -> "TrustList":
        """Read `broker key export`'s JWKS or `GET /organisations/{id}/keys`'s answer.

        A trust-list entry is a JWK with `kid`, `organisation` and validity members; an API entry
        nests its JWK under `jwk`, and the organisation is the document's own.
        """
        if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
            raise ValueError('expected a JSON object with a "keys" list')
        owner = document.get("organisation")
        keys = []
        for entry in document["keys"]:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("kid"), str):
                raise ValueError("every key needs a kid")
            jwk = entry.get("jwk", entry)
            if not isinstance(jwk, Mapping):
                raise ValueError(f"key {entry['kid']} has no JWK")
            keys.append(
                TrustedKey(
                    kid=entry["kid"],
                    jwk={name: value for name, value in jwk.items() if name in JWK_MEMBERS},
                    organisation=_text(entry.get("organisation", owner)),
                    valid_from=_text(entry.get("valid_from")),
                    valid_until=_text(entry.get("valid_until")),
                    revoked_at=_text(entry.get("revoked_at")),
                )
            )
        return cls(keys)

    @classmethod
    def load(cls, path: str | Path) -> "TrustList":
        """Read a trust list file; ValueError (with the file named) if it is not one."""
        try:
            return cls.from_document(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path} is not a JWKS trust list: {error}") from error

    def get(self, kid: str) -> TrustedKey | None:
        return self._keys.get(kid)

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True)
class VerifiedMessage:
    """A message whose every check passed: its envelope and the key that signed it."""

    envelope: dict[str, Any]
    key: TrustedKey

    @property
    def type(self) -> str:
        return str(self.envelope["type"])

    @property
    def id(self) -> str:
        return str(self.envelope["id"])

    @property
    def sender(self) -> str:
        return str(self.envelope["sender"]["organisation"])

    @property
    def body(self) -> dict[str, Any]:
        return dict(self.envelope["body"])

    def summary(self) -> str:
        """One line for a person: what, from whom, with which key, and whether it was revoked since."""
        note = f" (key revoked since {self.key.revoked_at})" if self.key.revoked_at else ""
        return f"{self.type} {self.id} signed by {self.sender} with {self.key.kid}{note}"

    def as_json(self) -> dict[str, Any]:
        """What `broker message verify` prints."""
        return {
            "verified": True,
            "type": self.type,
            "id": self.id,
            "sender": self.sender,
            "kid": self.key.kid,
            "issued_at": self.envelope["issued_at"],
            "key_revoked_at": self.key.revoked_at,
            "envelope": self.envelope,
        }


def verify_message(
    message: str,
    trusted: TrustList,
    *,
    sender: str | None = None,
    message_type: str | None = None,
) -> VerifiedMessage:
    """Every check a receiver makes, offline; the verified message, or VerificationError saying which failed.

    `sender` and `message_type`, when given, must be the envelope's: the organisation you expect and
    the kind of message you asked for.
    """
    try:
        claimed = envelope.read_unverified(message.strip())
    except envelope.MalformedEnvelope as error:
        raise VerificationError(f"not a signed message: {error}", error.errors) from error
    kid = str(claimed["sender"]["kid"])
    key = trusted.get(kid)
    if key is None:
        raise VerificationError(f"signed with key {kid}, which is not in the trust list")
    try:
        own = crypto.jwk_thumbprint(key.jwk)
    except crypto.InvalidKey as error:
        raise VerificationError(f"the trust list's key {kid} is unusable: {error}") from error
    if own != kid:
        raise VerificationError(f"the trust list's key listed as {kid} is a different key ({own})")
    if key.organisation is not None and key.organisation != claimed["sender"]["organisation"]:
        raise VerificationError(
            f"key {kid} belongs to {key.organisation}, not to {claimed['sender']['organisation']}, "
            "the sender the message claims"
        )
    try:
        opened = envelope.open_sealed(message.strip(), key.jwk)
    except crypto.InvalidSignature as error:
        raise VerificationError(f"the signature does not verify with key {kid}: {error}") from error
    except envelope.MalformedEnvelope as error:
        raise VerificationError(f"the signed envelope is malformed: {error}", error.errors) from error
    try:
        refusal = key.refusal_at(opened["issued_at"])
    except ValueError as error:
        raise VerificationError(
            f"the trust list's validity dates of key {kid} are not RFC 3339: {error}"
        ) from error
    if refusal:
        raise VerificationError(refusal)
    try:
        registry.validate_message_body(opened["type"], opened["version"], opened["body"])
    except registry.UnknownMessageType as error:
        raise VerificationError(str(error)) from error
    except ValidationError as error:
        raise VerificationError(
            f"the body does not satisfy the {opened['type']} schema", {"body": error.messages}
        ) from error
    if sender is not None and opened["sender"]["organisation"] != sender:
        raise VerificationError(f"sent by {opened['sender']['organisation']}, not by {sender}")
    if message_type is not None and opened["type"] != message_type:
        raise VerificationError(f"a {opened['type']}, not a {message_type}")
    return VerifiedMessage(opened, key)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
