"""Providers' notifications of suspected threats to life or safety, Regulation (EU) 2022/2065 (DSA), Art. 18.

A hosting service provider that becomes aware of information giving rise to a suspicion that a criminal
offence involving a threat to the life or safety of a person has taken place, is taking place or is likely
to take place informs the law-enforcement or judicial authorities of the Member State or States concerned
promptly, with all relevant information available (Art. 18(1), tco-dsa.md DSA-01, confirmed). Where it
cannot identify the Member State concerned with reasonable certainty, it informs the authorities of the
Member State where it is established or has its legal representative, or Europol, or both (Art. 18(2),
DSA-02). The notification belongs to no order: it is kept apart (ThreatNotification), reaches the
authority's list as an emergency, and the authority may answer it with an emergency EPOC or EPOC-PR that
names it. The broker's reading of who may receive it: a registered issuing or enforcing authority of a
Member State concerned, or, in the fallback, of a State where the provider has a registered addressee
(its establishment or legal representative), or Europol (OrganisationKind.EUROPOL), which only the fallback
may name: with a State concerned, Art. 18(1) sends the notification to that State's authorities, and Europol
is refused. Europol reads what it was sent as an authority does, but cannot answer it with an order: it is
no issuing authority (Regulation (EU) 2023/1543, Art. 4).

Reads only: the write is broker.orders.operations.record_threat_notification.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.access import Actor
from broker.orders.inbound import VerifiedMessage
from broker.orders.models import Order
from broker.orders.models import ThreatNotification
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind

CITATION = "Regulation (EU) 2022/2065, Art. 18"
AUTHORITIES = (OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.ENFORCING_AUTHORITY)
# Who may receive a notification: an authority (Art. 18(1)-(2)), or Europol in the fallback (Art. 18(2)).
RECIPIENTS = (*AUTHORITIES, OrganisationKind.EUROPOL)


def recipient_for(
    session: orm.Session, provider_id: uuid.UUID, message: VerifiedMessage
) -> tuple[Organisation, bool]:
    """The authority the notification is addressed to, checked against Art. 18(1)-(2); and whether it is the
    fallback of Art. 18(2). Raises the problem that says which rule the addressing breaks."""
    body = message.body
    if message.envelope["in_reply_to"] is not None:
        raise problems.ValidationFailed(
            "a notification answers no message: in_reply_to must be null",
            errors={"in_reply_to": ["must be null"]},
        )
    recipient_id = message.envelope["recipient"]["organisation"]
    recipient = session.get(Organisation, uuid.UUID(recipient_id))
    if recipient is None or recipient.kind not in RECIPIENTS:
        raise problems.WrongRecipient(
            f"{recipient_id} is neither a registered law-enforcement or judicial authority ({CITATION}(1)) "
            f"nor Europol ({CITATION}(2))"
        )
    concerned: list[str] = body["member_states_concerned"]
    if recipient.kind is OrganisationKind.EUROPOL:
        if concerned:
            raise problems.WrongRecipient(
                f"a notification that names a Member State concerned ({', '.join(concerned)}) goes to that "
                f"State's law-enforcement or judicial authorities ({CITATION}(1)); Europol receives only one "
                f"whose State cannot be identified ({CITATION}(2))"
            )
        return recipient, True
    if concerned:
        if recipient.country not in concerned:
            raise problems.WrongRecipient(
                f"{recipient.name} is an authority of {recipient.country}, not of a Member State concerned "
                f"({', '.join(concerned)}; {CITATION}(1)): send one notification to each State's authority"
            )
        return recipient, False
    established = set(
        session.scalars(sa.select(Addressee.country).where(Addressee.provider_id == provider_id)).all()
    )
    if recipient.country not in established:
        raise problems.WrongRecipient(
            f"with no Member State concerned, the notification goes to the authorities of the State where you "
            f"are established or have your legal representative ({', '.join(sorted(established)) or 'none registered'}; "
            f"{CITATION}(2)), not to {recipient.country}"
        )
    return recipient, True


def published_at(message: VerifiedMessage, now: datetime) -> datetime:
    """The content's publication instant in UTC (the wire keeps its time zone); not after now."""
    published = datetime.fromisoformat(message.body["published_at"])
    if published > now:
        raise problems.ValidationFailed(
            "published_at lies in the future; give when the content was published",
            errors={"body": {"published_at": ["after the broker's clock"]}},
        )
    return published.astimezone(UTC)


def visible(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL: the notifications this party may read: sent by it, sent to it, or all for oversight."""
    if actor.kind is OrganisationKind.OVERSIGHT_BODY:
        return sa.true()
    if actor.kind is OrganisationKind.PROVIDER:
        return ThreatNotification.provider_id == actor.organisation_id
    if actor.kind in RECIPIENTS:
        return ThreatNotification.recipient_id == actor.organisation_id
    return sa.false()


def listing(actor: Actor) -> sa.Select[ThreatNotification]:
    """The party's notifications: those no order answers yet first (each is an emergency), newest first."""
    answered = (
        sa.select(Order.id)
        .where(Order.threat_notification_id == ThreatNotification.id, Order.issued_at.is_not(None))
        .exists()
    )
    return (
        sa.select(ThreatNotification)
        .options(
            orm.selectinload(ThreatNotification.provider), orm.selectinload(ThreatNotification.recipient)
        )
        .where(visible(actor))
        .order_by(answered.asc(), ThreatNotification.received_at.desc(), ThreatNotification.id.desc())
    )


def get(session: orm.Session, actor: Actor, notification_id: uuid.UUID) -> ThreatNotification:
    """One notification this party may read; another's is indistinguishable from none."""
    found = session.scalar(
        sa.select(ThreatNotification).where(ThreatNotification.id == notification_id, visible(actor))
    )
    if found is None:
        raise problems.NotFound(f"no threat notification {notification_id} that you may see")
    return found


def answers(session: orm.Session, notification_id: uuid.UUID) -> list[uuid.UUID]:
    """The issued orders that answer the notification, oldest first (a draft answers nothing yet)."""
    return answers_to(session, [notification_id])[notification_id]


def answers_to(
    session: orm.Session, notification_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The issued orders that answer each of the notifications, oldest first: a page's answers in one query."""
    found: dict[uuid.UUID, list[uuid.UUID]] = {notification_id: [] for notification_id in notification_ids}
    if not found:
        return found
    rows = session.execute(
        sa.select(Order.threat_notification_id, Order.id)
        .where(Order.threat_notification_id.in_(found), Order.issued_at.is_not(None))
        .order_by(Order.issued_at, Order.id)
    )
    for notification_id, order_id in rows:
        if notification_id is not None:  # the IN above: always one of the given ids
            found[notification_id].append(order_id)
    return found


def may_answer(actor: Actor) -> None:
    """Refuse Europol's answer to a notification: it receives them (Art. 18(2)) but is no issuing authority
    under Regulation (EU) 2023/1543 (Art. 4), so it issues no EPOC or EPOC-PR; every other party's right to
    draft is the drafting's own check."""
    if actor.kind is OrganisationKind.EUROPOL:
        raise problems.Forbidden(
            f"Europol receives threat notifications ({CITATION}(2)) but is not an issuing authority under "
            "Regulation (EU) 2023/1543 (Art. 4): it cannot answer one with an EPOC or EPOC-PR; the competent "
            "authorities of the Member States do"
        )


def answered_reference(
    session: orm.Session,
    actor: Actor,
    notification_id: uuid.UUID,
    order_type: OrderType,
    certificate: dict[str, Any],
    provider_id: uuid.UUID,
) -> ThreatNotification:
    """The notification an emergency EPOC or EPOC-PR answers: sent to this authority, by the provider the
    order is addressed to, and the order an emergency (Regulation (EU) 2023/1543, Art. 10(4))."""
    notification = session.get(ThreatNotification, notification_id)
    if notification is None or notification.recipient_id != actor.organisation_id:
        raise problems.InvalidReference(
            f"no threat notification {notification_id} sent to your authority",
            errors={"threat_notification": ["not a notification sent to you"]},
        )
    if order_type is OrderType.REMOVAL_ORDER:
        raise problems.ValidationFailed(
            "only an EPOC or EPOC-PR answers a threat notification",
            errors={"threat_notification": ["not for a removal order"]},
        )
    if notification.provider_id != provider_id:
        raise problems.InvalidReference(
            "the notification came from another provider: address the order to the provider that notified",
            errors={"threat_notification": ["sent by another provider"]},
        )
    if certificate.get("emergency") is not True:
        raise problems.ValidationFailed(
            f"an order that answers a threat to life or safety ({CITATION}) is an emergency order: set "
            "emergency, with its justification (Regulation (EU) 2023/1543, Art. 10(4))",
            errors={"certificate": {"emergency": ["must be true to answer a threat notification"]}},
        )
    return notification


def unanswered(
    session: orm.Session, actor: Actor, limit: int
) -> list[tuple[ThreatNotification, dict[str, Any]]]:
    """An authority's notifications no issued order answers yet, newest first, each with its signed body:
    the emergencies its inbox shows above every order."""
    if actor.kind not in AUTHORITIES:
        return []
    answered = (
        sa.select(Order.id)
        .where(Order.threat_notification_id == ThreatNotification.id, Order.issued_at.is_not(None))
        .exists()
    )
    rows = session.scalars(
        sa.select(ThreatNotification)
        .where(visible(actor), sa.not_(answered))
        .order_by(ThreatNotification.received_at.desc(), ThreatNotification.id.desc())
        .limit(limit)
    ).all()
    return [(row, body_of(row)) for row in rows]


def received(
    session: orm.Session, actor: Actor, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[tuple[ThreatNotification, dict[str, Any]]]:
    """Europol's notifications, newest first, after a keyset position (received_at, id), each with its signed
    body: the pages of its list. No order answers one (may_answer), so none is set apart as answered."""
    statement = sa.select(ThreatNotification).where(ThreatNotification.recipient_id == actor.organisation_id)
    if after is not None:
        received_at, notification_id = after
        statement = statement.where(
            sa.tuple_(ThreatNotification.received_at, ThreatNotification.id)
            < sa.tuple_(
                sa.literal(received_at, ThreatNotification.received_at.type),
                sa.literal(notification_id, ThreatNotification.id.type),
            )
        )
    rows = session.scalars(
        statement.order_by(ThreatNotification.received_at.desc(), ThreatNotification.id.desc()).limit(limit)
    ).all()
    return [(row, body_of(row)) for row in rows]


def body_of(notification: ThreatNotification) -> dict[str, Any]:
    """The signed body, read from the stored JWS (verified when it arrived)."""
    body: dict[str, Any] = json.loads(crypto.jws_payload_unverified(notification.jws))["body"]
    return body
