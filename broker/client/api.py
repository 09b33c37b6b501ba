"""`BrokerClient`: the order, message and inbox endpoints as Python calls, for one party's token.

Each method is one request of docs/api.md and returns the broker's JSON answer unchanged (a dict), so
what the documentation shows is what a script gets. Methods that sign take a `broker.crypto.Signer`
(`signer_from_reference("pkcs11:…")`, a key file, KMS) and never see a private key.
"""

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from broker.client import evidence_fetching
from broker.client import evidence_sending
from broker.client import messages
from broker.client.errors import ClientError
from broker.client.errors import VerificationError
from broker.client.http import Connection
from broker.client.http import query
from broker.client.verify import TrustList
from broker.client.verify import VerifiedMessage
from broker.client.verify import verify_message
from broker.crypto import Signer
from broker.wire import envelope


class BrokerClient(Connection):
    """One party's client: draft, check, issue and follow orders, send and verify signed messages."""

    _organisation: str | None = None

    # Registry and keys.

    def me(self) -> dict[str, Any]:
        """The user and organisation behind the token (`GET /me`)."""
        return dict(self.json("GET", "/me"))

    def organisation_id(self) -> str:
        """Your organisation's id, the `sender.organisation` of everything you sign (cached)."""
        if self._organisation is None:
            self._organisation = str(self.me()["organisation"]["id"])
        return self._organisation

    def keys_of(self, organisation_id: str) -> TrustList:
        """An organisation's signing keys as the broker lists them, to verify its messages with.

        This trusts the broker's list; a trust list from a reviewed source (`TrustList.load`) does not.
        """
        return TrustList.from_document(self.json("GET", f"/organisations/{organisation_id}/keys"))

    # Orders (issuing authority).

    def check_draft(self, draft: Mapping[str, Any], *, idempotency_key: str | None = None) -> dict[str, Any]:
        """The legal check of a draft `{"order_type", "certificate"}`; nothing is stored."""
        return dict(self.json("POST", "/orders/check", json=_draft(draft), idempotency_key=idempotency_key))

    def draft_order(self, draft: Mapping[str, Any], *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Create a draft order from `{"order_type", "certificate"}` (docs/api.md, step 2).

        Give an `idempotency_key` of your own (e.g. the file number) to make a re-run safe: the
        same key with the same draft returns the first order instead of creating a second.
        """
        return dict(
            self.json("POST", "/orders", expect=(201,), json=_draft(draft), idempotency_key=idempotency_key)
        )

    def check_order(self, order_id: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Run the legal checks on a stored draft again and keep the result; the order is returned."""
        return dict(self.json("POST", f"/orders/{order_id}/check", idempotency_key=idempotency_key))

    def order(self, order_id: str) -> dict[str, Any]:
        """One order with its certificate, checks and every signed message; marks it read."""
        return dict(self.json("GET", f"/orders/{order_id}"))

    def timeline(self, order_id: str) -> dict[str, Any]:
        """Every message, clock and log entry of an order."""
        return dict(self.json("GET", f"/orders/{order_id}/timeline"))

    def issue(self, order_id: str, jws: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Send the signed certificate that issues a draft (`POST /orders/{id}/issue`)."""
        key = idempotency_key or _message_key("issue", jws)
        return dict(self.post_jose(f"/orders/{order_id}/issue", jws, expect=(200,), idempotency_key=key))

    def sign_and_issue(self, order_id: str, signer: Signer) -> dict[str, Any]:
        """Fetch the draft, sign its certificate unchanged, and issue it."""
        return self.issue(order_id, messages.sign_certificate(self.order(order_id), signer))

    # Lifecycle (every side).

    def receive(self, order_id: str) -> dict[str, Any]:
        """Take delivery of an issued order (provider); the legal deadlines start."""
        return dict(self.json("POST", f"/orders/{order_id}/receive"))

    def send_message(self, order_id: str, jws: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Send a signed lifecycle message (`POST /orders/{id}/messages`); the order after the step.

        The Idempotency-Key defaults to one derived from the message's own id, so sending the same
        signed message again after a lost answer replays the first answer.
        """
        key = idempotency_key or _message_key("message", jws)
        return dict(self.post_jose(f"/orders/{order_id}/messages", jws, expect=(201,), idempotency_key=key))

    def sign_message(
        self,
        order_id: str,
        signer: Signer,
        message_type: str,
        body: Mapping[str, Any],
        *,
        recipient: str | None = None,
        in_reply_to: str | None = None,
    ) -> str:
        """A lifecycle message about an order, from your organisation, signed (not sent)."""
        return messages.message_for_order(
            self.order(order_id),
            signer,
            sender=self.organisation_id(),
            message_type=message_type,
            body=body,
            recipient=recipient,
            in_reply_to=in_reply_to,
        )

    def verify(
        self, jws: str, trusted: TrustList | None = None, *, message_type: str | None = None
    ) -> VerifiedMessage:
        """Verify a message with `trusted`, or else with the claimed sender's keys as the broker lists them."""
        if trusted is None:
            try:
                claimed = envelope.read_unverified(jws.strip())["sender"]["organisation"]
            except envelope.MalformedEnvelope as error:
                raise VerificationError(f"not a signed message: {error}", error.errors) from error
            trusted = self.keys_of(str(claimed))
        return verify_message(jws, trusted, message_type=message_type)

    # Lists.

    def orders(self, *, page: int = 1, per_page: int | None = None, **filters: Any) -> dict[str, Any]:
        """A page of the orders you may see, newest first (filters: state, order_type, emergency, file_number)."""
        return dict(self.json("GET", "/orders", params=query(page=page, per_page=per_page, **filters)))

    def inbox(
        self,
        *,
        unread: bool = False,
        overdue: bool = False,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> dict[str, Any]:
        """A page of your open orders, emergencies first: `{"items", "per_page", "next_cursor"}`.

        Pass a page's `next_cursor` as `cursor` for the next one; it is null on the last page.
        """
        params = query(unread=unread or None, overdue=overdue or None, cursor=cursor, per_page=per_page)
        return dict(self.json("GET", "/inbox", params=params))

    def inbox_items(
        self, *, unread: bool = False, overdue: bool = False, per_page: int = 100
    ) -> Iterator[Any]:
        """Every order of the inbox, page after page.

        Pages are read as you iterate; if you receive or answer orders meanwhile, the unread and
        overdue lists change under you, so take `list(...)` first.
        """
        cursor = None
        while True:
            answer = self.inbox(unread=unread, overdue=overdue, cursor=cursor, per_page=per_page)
            yield from answer["items"]
            cursor = answer.get("next_cursor")
            if not cursor:
                return

    # Evidence.

    def send_evidence(
        self, order_id: str, files: Sequence[Path], signer: Signer, work: Path, **options: Any
    ) -> dict[str, Any]:
        """Encrypt, upload and seal produced files (see `evidence_sending.send`)."""
        return evidence_sending.send(self, order_id, files, signer, work, **options)

    def fetch_evidence(
        self, order_id: str, identities: Sequence[str], out: Path, **options: Any
    ) -> list[dict[str, Any]]:
        """Download, verify and decrypt an order's evidence (see `evidence_fetching.fetch`)."""
        return evidence_fetching.fetch(self, order_id, identities, out, **options)


def _draft(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The request body of /orders and /orders/check; a certificate alone is refused here, not by the broker."""
    if not isinstance(draft, Mapping) or "certificate" not in draft or "order_type" not in draft:
        raise ClientError('a draft is {"order_type": "epoc" | "epoc-pr", "certificate": {…}}')
    return dict(draft)


def _message_key(step: str, jws: str) -> str | None:
    """`issue-<message id>`: one logical request per signed message, whatever the retries."""
    try:
        return f"{step}-{envelope.read_unverified(jws.strip())['id']}"
    except envelope.MalformedEnvelope:
        return None  # the broker will refuse it and say why; a fresh key is as good as any
