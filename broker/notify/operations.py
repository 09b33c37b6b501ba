"""Registering webhook endpoints and writing notifications to the outbox, in the caller's transaction.

A notification is only ever a row written next to the state change it announces: it commits or rolls
back with that change, so a crash can neither lose one nor announce a change that did not happen.
"""

import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from broker import crypto
from broker import problems
from broker.access import Actor
from broker.audit.operations import record
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.notify import addresses
from broker.notify.models import DeliveryAttempt
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint
from broker.parties.models import Organisation
from broker.vocabulary import Role

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
RETRY_WINDOW = timedelta(hours=24)
MAX_ACTIVE_ENDPOINTS = 10
ENDPOINT_REMOVED = "the endpoint was removed before delivery"


def enqueue(
    session: orm.Session,
    clock: Clock,
    *,
    event: str,
    organisation_ids: Iterable[uuid.UUID],
    order: Mapping[str, str] | None,
    emergency: bool,
    details: Mapping[str, Any],
) -> list[OutboxMessage]:
    """One outbox row per active endpoint of each organisation, added to the caller's transaction.

    `order` is the summary of the order concerned (id, type, state) and `details` are ids, states and
    deadlines, never an order's content: the document leaves the broker
    for systems that have not proved who reads them. UUIDs, datetimes and enums are written as JSON.
    """
    wanted = list(dict.fromkeys(organisation_ids))
    if not wanted:
        return []
    endpoints = session.scalars(
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.organisation_id.in_(wanted), WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    ).all()
    now = clock()
    summary = None if order is None else dict(order)
    messages = []
    for endpoint in endpoints:
        message_id = uuid.uuid4()
        document = {
            "id": str(message_id),
            "event": event,
            "occurred_at": to_rfc3339(now),
            "emergency": emergency,
            "order": summary,
            "details": _jsonable(details),
        }
        messages.append(
            OutboxMessage(
                id=message_id,
                organisation_id=endpoint.organisation_id,
                endpoint_id=endpoint.id,
                event=event,
                order_id=None if order is None else uuid.UUID(order["id"]),
                emergency=emergency,
                payload=crypto.canonicalize(document).decode("utf-8"),
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
    session.add_all(messages)
    session.flush()
    return messages


def claim_attempt(session: orm.Session, message: OutboxMessage, now: datetime) -> int | None:
    """Claim the next attempt at a due message: its number, or None if there is nothing to send.

    The claim is a conditional UPDATE of the attempts counter that only one worker can win; a message
    whose endpoint was removed meanwhile fails instead.
    """
    if message.endpoint.disabled_at is not None:
        # Enqueued in a race with the endpoint's removal: nobody wants it any more.
        _claim(session, message, failed_at=now, last_error=ENDPOINT_REMOVED)
        return None
    if not _claim(session, message, attempts=message.attempts + 1):
        return None
    return message.attempts


def record_attempt(
    session: orm.Session,
    message: OutboxMessage,
    now: datetime,
    number: int,
    status_code: int | None,
    error: str | None,
) -> None:
    """What one attempt got: delivered on 2xx, otherwise retried later or, past the window, failed."""
    session.add(
        DeliveryAttempt(
            outbox_id=message.id, number=number, attempted_at=now, status_code=status_code, error=error
        )
    )
    if error is None:
        message.delivered_at, message.last_error = now, None
        return
    message.last_error = error
    deadline = message.created_at + RETRY_WINDOW
    if now >= deadline:
        message.failed_at = now
    else:
        message.next_attempt_at = min(now + backoff(number), deadline)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from 30 s, at most 1 h."""
    if attempts < 1:
        raise ValueError("backoff follows at least one attempt")
    # Past 8 attempts the doubling is beyond the cap; stop before the multiplier grows without bound.
    return min(FIRST_RETRY * (1 << min(attempts - 1, 16)), MAX_RETRY)


def _claim(session: orm.Session, message: OutboxMessage, **values: Any) -> bool:
    """Change the message as this worker saw it, or not at all: False if another worker got there first."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.attempts == message.attempts,
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        set_committed_value(message, name, value)
    return True


def register_endpoint(
    session: orm.Session, clock: Clock, actor: Actor, url: str, *, allow_loopback: bool = False
) -> WebhookEndpoint:
    """Add an endpoint for the actor's organisation, at most 10 active.

    The URL must use https and name a public address or a DNS name (broker/notify/addresses.py);
    `allow_loopback` is the deployment's BROKER_WEBHOOK_ALLOW_LOOPBACK, for tests and local runs only,
    which also admits plain http to loopback. Names are checked again at every delivery.
    """
    _refuse_auditors(actor, "register webhook endpoints")
    url = addresses.check_url(url, allow_loopback=allow_loopback)
    # Lock the organisation so that concurrent registrations cannot both slip under the limit.
    session.execute(
        sa.select(Organisation.id).where(Organisation.id == actor.organisation_id).with_for_update()
    )
    active = session.scalars(
        sa.select(WebhookEndpoint.url).where(
            WebhookEndpoint.organisation_id == actor.organisation_id, WebhookEndpoint.disabled_at.is_(None)
        )
    ).all()
    if url in active:
        raise problems.Conflict(f"{url} is already registered: each event would be delivered to it twice")
    if len(active) >= MAX_ACTIVE_ENDPOINTS:
        raise problems.Conflict(
            f"an organisation may have at most {MAX_ACTIVE_ENDPOINTS} active webhook endpoints; remove one first"
        )
    endpoint = WebhookEndpoint(organisation_id=actor.organisation_id, url=url, created_at=clock())
    session.add(endpoint)
    session.flush()
    record(
        session,
        clock,
        action="webhook.registered",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        actor=actor,
        # The origin only: webhook URLs often carry a secret in their path.
        details={"origin": _origin(url)},
    )
    return endpoint


def disable_endpoint(
    session: orm.Session, clock: Clock, actor: Actor, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """Stop delivering to one of the actor's endpoints; its pending messages fail. Repeating changes nothing."""
    _refuse_auditors(actor, "remove webhook endpoints")
    endpoint = session.scalar(
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organisation_id == actor.organisation_id)
        .with_for_update()
    )
    if endpoint is None:
        raise problems.NotFound(f"no webhook endpoint {endpoint_id} of your organisation")
    if endpoint.disabled_at is not None:
        return endpoint
    now = clock()
    endpoint.disabled_at = now
    session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.endpoint_id == endpoint.id,
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
        .values(failed_at=now, last_error=ENDPOINT_REMOVED)
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        clock,
        action="webhook.removed",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        actor=actor,
    )
    return endpoint


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _refuse_auditors(actor: Actor, action: str) -> None:
    if actor.role is Role.AUDITOR:
        raise problems.Forbidden(f"auditors read but may not {action}")


def _jsonable(value: Any) -> Any:
    """Details as JSON values: UUIDs and enums by value, instants in RFC 3339."""
    if isinstance(value, Mapping):
        return {str(name): _jsonable(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return to_rfc3339(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
