"""Delivering the outbox: signed POSTs with exponential backoff, safe with many workers and any crash.

Delivery is at least once. Each message is sent in its own transaction that holds the row from the
claim to the recorded outcome, and nothing is marked delivered unless the receiver answered 2xx. A
worker that dies mid-delivery rolls its transaction back, so the message stays due and is sent again;
a receiver may therefore see a message twice and deduplicates on X-Broker-Delivery (the outbox id).

Two workers never send the same attempt: on PostgreSQL the due query skips rows another worker has
locked (FOR UPDATE SKIP LOCKED); on every database each attempt is then claimed by a conditional
UPDATE of the attempts counter, which only one transaction can win (SQLite serialises the claims,
holding its single write lock for the duration of the HTTP call).

Backoff: after the n-th failed attempt the next comes min(30 s * 2**(n-1), 1 h) later (30 s, 1 min,
2 min, ... 32 min, then hourly). The schedule is clamped to created_at + 24 h and a message fails only
when an attempt made at or after that instant fails, so retries always span at least 24 hours.
"""

import logging

import requests
import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.db import Database
from broker.notify import operations
from broker.notify import queries
from broker.notify.models import OutboxMessage

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
MAX_ERROR_LENGTH = 500


def broker_jwk(signer: LogSigner) -> dict[str, str]:
    """The broker's public JWK as receivers verify deliveries with it: kid is its RFC 7638 thumbprint."""
    jwk = crypto.public_jwk(signer.private_key)
    return {**jwk, "kid": crypto.jwk_thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def deliver_due(
    database: Database, clock: Clock, signer: LogSigner, http: requests.Session, *, limit: int = 50
) -> int:
    """Attempt up to `limit` due messages, emergencies first, then oldest; how many HTTP calls were made."""
    kid = broker_jwk(signer)["kid"]
    made = 0
    for _ in range(limit):
        try:
            with database.transaction() as session:
                outcome = _deliver_next(session, clock, signer, kid, http)
        except sa.exc.OperationalError as error:
            # The database was busy or went away: this message's transaction rolled back, so it is
            # still due (and may have reached its receiver: at least once). Leave it to the next round.
            log.warning("delivery round interrupted: %s", error.orig)
            break
        if outcome is None:
            break
        made += outcome
    return made


def _deliver_next(
    session: orm.Session, clock: Clock, signer: LogSigner, kid: str, http: requests.Session
) -> bool | None:
    """Deliver the first due message: None if none is due, else whether an HTTP call was made."""
    now = clock()
    message = queries.next_due(session, now)
    if message is None:
        return None
    number = operations.claim_attempt(session, message, now)
    if number is None:
        return False
    status_code, error = _post(http, message, signer, kid)
    operations.record_attempt(session, message, now, number, status_code, error)
    return True


def _post(
    http: requests.Session, message: OutboxMessage, signer: LogSigner, kid: str
) -> tuple[int | None, str | None]:
    """POST the signed document: (status code, None) on 2xx, else what went wrong."""
    token = crypto.sign_jws(message.payload.encode("utf-8"), signer.private_key, kid)
    headers = {
        "Content-Type": "application/jose",
        "X-Broker-Event": message.event,
        "X-Broker-Delivery": str(message.id),
        "X-Broker-Emergency": "true" if message.emergency else "false",
    }
    try:
        # Redirects are not followed: the endpoint is the URL its organisation registered, nothing else.
        response = http.post(
            message.endpoint.url,
            data=token.encode("ascii"),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, _truncate(f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, _truncate(f"HTTP {response.status_code} {response.reason or ''}".strip())


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
