"""Webhook endpoints, the transactional outbox of notifications, and every delivery attempt."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATUSES = (PENDING, DELIVERED, FAILED)


class WebhookEndpoint(Base):
    """Where an organisation wants to be told about events; disabled rather than deleted, for the record."""

    __tablename__ = "webhook_endpoints"

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    url: orm.Mapped[str] = orm.mapped_column(sa.String(2000))
    created_at: orm.Mapped[datetime]
    disabled_at: orm.Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


# Only undelivered, unfailed rows are ever due, so the delivery workers' index holds only those.
_UNDONE = sa.text("delivered_at IS NULL AND failed_at IS NULL")


class OutboxMessage(Base):
    """One notification for one endpoint, written in the transaction of the change it announces."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "next_attempt_at", postgresql_where=_UNDONE, sqlite_where=_UNDONE),
        sa.Index("ix_outbox_messages_organisation", "organisation_id", "created_at"),
    )

    # Also the X-Broker-Delivery header and the document's "id": receivers deduplicate on it.
    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    endpoint_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("webhook_endpoints.id"), index=True)
    event: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    order_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.ForeignKey("orders.id"), index=True)
    emergency: orm.Mapped[bool]
    # The RFC 8785 canonical JSON document, fixed at enqueue time so every retry signs the same bytes.
    payload: orm.Mapped[str] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[datetime]
    # Attempts claimed so far, including one in flight: the claim that stops two workers sending twice.
    attempts: orm.Mapped[int]
    next_attempt_at: orm.Mapped[datetime]
    delivered_at: orm.Mapped[datetime | None]
    failed_at: orm.Mapped[datetime | None]
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))

    endpoint: orm.Mapped[WebhookEndpoint] = orm.relationship()
    history: orm.Mapped[list["DeliveryAttempt"]] = orm.relationship(order_by="DeliveryAttempt.number")

    @property
    def status(self) -> str:
        """pending, delivered or failed."""
        if self.delivered_at is not None:
            return DELIVERED
        return FAILED if self.failed_at is not None else PENDING

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.event} {self.status}>"


class DeliveryAttempt(Base):
    """One HTTP call and its outcome; (outbox_id, number) is unique, so no attempt is recorded twice."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (sa.UniqueConstraint("outbox_id", "number"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    outbox_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("outbox_messages.id"))
    number: orm.Mapped[int]
    attempted_at: orm.Mapped[datetime]
    status_code: orm.Mapped[int | None]
    error: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<DeliveryAttempt {self.outbox_id} #{self.number} {self.status_code or self.error}>"
