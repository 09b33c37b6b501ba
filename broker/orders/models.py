"""Orders and the signed messages about them, kept byte for byte as received."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType


class Order(Base):
    """One EPOC or EPOC-PR from an issuing authority to a provider's addressee."""

    __tablename__ = "orders"
    # Each party's inbox is one walk down its own index, in the inbox's order (orders.queries.inbox).
    __table_args__ = (
        sa.Index("ix_orders_provider_state", "provider_id", "state"),
        sa.Index("ix_orders_provider_inbox", "provider_id", "emergency", "updated_at", "id"),
        sa.Index(
            "ix_orders_issuing_authority_inbox", "issuing_authority_id", "emergency", "updated_at", "id"
        ),
        sa.Index(
            "ix_orders_enforcing_authority_inbox", "enforcing_authority_id", "emergency", "updated_at", "id"
        ),
        # Oversight's listing and search: every order, newest first (queries.listing reads it backwards).
        sa.Index("ix_orders_listing", "created_at", "id"),
        # The reports' removal-order figures: one instrument's orders issued in a period, however many others.
        sa.Index("ix_orders_type_issued", "order_type", "issued_at"),
    )

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    order_type: orm.Mapped[OrderType] = orm.mapped_column(enum_column(OrderType, "order_type"))
    state: orm.Mapped[OrderState] = orm.mapped_column(enum_column(OrderState, "order_state"))
    issuing_authority_id: orm.Mapped[uuid.UUID] = orm.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    addressee_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("addressees.id"))
    # Denormalised from the addressee so that "orders addressed to this provider" is one indexed query.
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"))
    # The certificate as the wire document that the issuing authority signs.
    certificate: orm.Mapped[dict[str, Any]]
    emergency: orm.Mapped[bool]
    # The legal instrument the certificate names, kept as a column for queries and statistics.
    instrument: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    # The last legal-basis check: findings with rule ids and citations, and the derived facts.
    checks: orm.Mapped[dict[str, Any] | None]
    file_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(100))
    # Set at issue when Art. 8 requires notifying the enforcing State, or on an enforcement request.
    enforcing_authority_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(
        sa.ForeignKey("organisations.id")
    )
    # Art. 4(5): issued without prior validation, so validation must follow within 48 hours.
    ex_post_validation_required: orm.Mapped[bool] = orm.mapped_column(default=False)
    # The data received must be deleted or restricted (validation refused, or withdrawn with that duty).
    deletion_required: orm.Mapped[bool] = orm.mapped_column(default=False)
    # Art. 10(2): set when the enforcing authority confirms early that it will not object.
    transfer_released_at: orm.Mapped[datetime | None]
    # An EPOC or EPOC-PR addressed to content a provider preserves after this removal order (Regulation (EU)
    # 2021/784, Art. 6(1)(b), 6(2)): the broker's reference, checked when the draft is made.
    removal_order_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(sa.ForeignKey("orders.id"))
    # An emergency EPOC or EPOC-PR that answers a provider's DSA Art. 18 notification.
    threat_notification_id: orm.Mapped[uuid.UUID | None] = orm.mapped_column(
        sa.ForeignKey("threat_notifications.id")
    )
    # The state a paused order (clarification, concern, objection) returns to.
    resume_state: orm.Mapped[OrderState | None] = orm.mapped_column(enum_column(OrderState, "resume_state"))
    created_at: orm.Mapped[datetime]
    updated_at: orm.Mapped[datetime]
    issued_at: orm.Mapped[datetime | None]
    # When an authority served the order on the provider (CETS 224 Art. 8, 9; COPO s.9): the provider sees
    # such an order only from then on, and its clocks run from then.
    served_at: orm.Mapped[datetime | None]
    received_at: orm.Mapped[datetime | None]
    answered_at: orm.Mapped[datetime | None]

    issuing_authority: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[issuing_authority_id])
    provider: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[provider_id])
    enforcing_authority: orm.Mapped[Organisation | None] = orm.relationship(
        foreign_keys=[enforcing_authority_id]
    )
    addressee: orm.Mapped[Addressee] = orm.relationship()
    messages: orm.Mapped[list["Message"]] = orm.relationship(
        back_populates="order", order_by="Message.received_at"
    )

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.order_type} {self.state}>"


class Message(Base):
    """A signed wire message, stored exactly as received so anyone can verify it again later."""

    __tablename__ = "messages"
    # What a party sent of one type, newest first (the enforcing authority's recorded reviews).
    __table_args__ = (sa.Index("ix_messages_sent", "sender_id", "message_type", "received_at", "id"),)

    # The envelope's message id: its uniqueness is the broker's replay protection.
    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True)
    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"), index=True)
    message_type: orm.Mapped[MessageType] = orm.mapped_column(enum_column(MessageType, "message_type"))
    version: orm.Mapped[int]
    sender_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    sender_kid: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("signing_keys.kid"))
    recipient_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    in_reply_to: orm.Mapped[uuid.UUID | None]
    issued_at: orm.Mapped[datetime]
    received_at: orm.Mapped[datetime]
    # The JWS compact serialization, byte for byte (ASCII), and its SHA-256 for the audit trail.
    jws: orm.Mapped[str] = orm.mapped_column(sa.Text)
    sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))

    order: orm.Mapped[Order] = orm.relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.message_type}>"


class OrderRead(Base):
    """When an organisation last read an order: an order changed since is unread for it."""

    __tablename__ = "order_reads"

    organisation_id: orm.Mapped[uuid.UUID] = orm.mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True
    )
    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    read_at: orm.Mapped[datetime]


class ProceduresNotice(Base):
    """Art. 3(2) of Regulation (EU) 2021/784: an authority gave a hosting service provider information on
    its procedures and deadlines; its first non-emergency removal order may leave 12 hours later (TCO-04)."""

    __tablename__ = "removal_procedures_notices"
    # The pair's latest notice (TCO-04's twelve hours), and each party's list, newest first.
    __table_args__ = (
        sa.Index("ix_removal_procedures_notices_pair", "issuing_authority_id", "provider_id", "given_at"),
        sa.Index("ix_removal_procedures_notices_authority", "issuing_authority_id", "recorded_at", "id"),
        sa.Index("ix_removal_procedures_notices_provider", "provider_id", "recorded_at", "id"),
        sa.Index("ix_removal_procedures_notices_recorded", "recorded_at", "id"),
    )

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    issuing_authority_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    # When the provider was given the information, as the authority states it (not after the recording).
    given_at: orm.Mapped[datetime]
    # How it was given (e.g. "e-mail to the contact point, ref. 2026/17"): the record the authority keeps.
    means: orm.Mapped[str] = orm.mapped_column(sa.String(500))
    recorded_by_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"))
    recorded_at: orm.Mapped[datetime]

    issuing_authority: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[issuing_authority_id])
    provider: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[provider_id])


class ThreatNotification(Base):
    """Regulation (EU) 2022/2065 (DSA), Art. 18: a hosting service provider's signed notification to a
    law-enforcement or judicial authority of a suspected criminal offence involving a threat to the life or
    safety of a person. Kept byte for byte like a message; it reaches the authority as an emergency item,
    which it may answer with an emergency EPOC naming it (Order.threat_notification_id)."""

    __tablename__ = "threat_notifications"
    # The authority's emergency list, and the provider's own, newest first.
    __table_args__ = (
        sa.Index("ix_threat_notifications_recipient", "recipient_id", "received_at", "id"),
        sa.Index("ix_threat_notifications_provider", "provider_id", "received_at", "id"),
    )

    # The envelope's message id, never seen before as a message or a notification (replay protection).
    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True)
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    sender_kid: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("signing_keys.kid"))
    recipient_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    issued_at: orm.Mapped[datetime]
    received_at: orm.Mapped[datetime]
    # When the content was published, in UTC (the signed body keeps its time zone).
    published_at: orm.Mapped[datetime]
    # Art. 18(2): no Member State concerned could be identified, so it went to the establishment's State.
    fallback: orm.Mapped[bool]
    jws: orm.Mapped[str] = orm.mapped_column(sa.Text)
    sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))

    provider: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[provider_id])
    recipient: orm.Mapped[Organisation] = orm.relationship(foreign_keys=[recipient_id])
