"""Webhook endpoints, the transactional outbox of notifications and every delivery attempt; people's
choices of e-mail and the outbox of e-mails."""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column

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


class MailTopic(StrEnum):
    """What a person may choose to be told by e-mail (broker/notify/mail/)."""

    ORDER_ARRIVED = "order_arrived"  # an order addressed, notified or sent for enforcement to them
    DEADLINE_NEAR = "deadline_near"  # a clock's reminder, a fifth of its length before the end
    DEADLINE_PASSED = "deadline_passed"  # a deadline missed
    MESSAGE_RECEIVED = "message_received"  # an answer or any other message addressed to them


class MailChoice(Base):
    """A person's choice for one topic; a topic with no row is sent (every topic is wanted until refused)."""

    __tablename__ = "mail_choices"

    user_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    topic: orm.Mapped[MailTopic] = orm.mapped_column(enum_column(MailTopic, "mail_topic"), primary_key=True)
    wanted: orm.Mapped[bool]
    changed_at: orm.Mapped[datetime]

    def __repr__(self) -> str:
        return f"<MailChoice {self.user_id} {self.topic} {self.wanted}>"


_UNSENT = sa.text("sent_at IS NULL AND failed_at IS NULL")


class MailMessage(Base):
    """One e-mail to one address, written in the transaction of the change it announces.

    It keeps what the mail may say, never more: which order, its type, whether it is an emergency, and
    for a clock its kind and due time. The text is composed when it is sent (broker/notify/mail/compose.py).
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.Index("ix_mail_outbox_due", "next_attempt_at", postgresql_where=_UNSENT, sqlite_where=_UNSENT),
    )

    # Also the mail's Message-ID: a retry after a lost answer is the same mail, which readers can tell.
    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    # The person told; none for an addressee's 24/7 contact, an address rather than an account.
    user_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    to_address: orm.Mapped[str] = orm.mapped_column(sa.String(254))
    topic: orm.Mapped[MailTopic] = orm.mapped_column(enum_column(MailTopic, "mail_topic"))
    event: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"), index=True)
    order_type: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    emergency: orm.Mapped[bool]
    clock: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    due_at: orm.Mapped[datetime | None]
    created_at: orm.Mapped[datetime]
    # Attempts claimed so far, including one in flight: the claim that stops two workers sending twice.
    attempts: orm.Mapped[int]
    next_attempt_at: orm.Mapped[datetime]
    sent_at: orm.Mapped[datetime | None]
    failed_at: orm.Mapped[datetime | None]
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<MailMessage {self.id} {self.topic} to {self.to_address}>"
