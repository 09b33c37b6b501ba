"""Reading the outbox: what to deliver next, and an organisation's endpoints and deliveries."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.notify.models import DELIVERED
from broker.notify.models import FAILED
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint


def next_due(session: orm.Session, now: datetime) -> OutboxMessage | None:
    """The first message due for an attempt, locked; PostgreSQL skips rows another worker holds."""
    return session.scalar(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.emergency.desc(), OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def endpoints_of(organisation_id: uuid.UUID) -> sa.Select[WebhookEndpoint]:
    """An organisation's webhook endpoints, removed ones included, oldest first."""
    return (
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.organisation_id == organisation_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )


def deliveries_of(organisation_id: uuid.UUID, status: str | None) -> sa.Select[OutboxMessage]:
    """Messages for an organisation's endpoints with their attempts, newest first, by delivery status."""
    statement = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.organisation_id == organisation_id)
        .options(orm.selectinload(OutboxMessage.history))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
    )
    if status == DELIVERED:
        return statement.where(OutboxMessage.delivered_at.is_not(None))
    if status == FAILED:
        return statement.where(OutboxMessage.failed_at.is_not(None))
    if status is not None:
        return statement.where(OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None))
    return statement
