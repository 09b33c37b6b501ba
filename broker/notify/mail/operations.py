"""Writing mail: a person's choices, and mails queued in the transaction of the change they announce.

Sending reuses the webhooks' rules (broker/notify/operations.py): each attempt is claimed by a
conditional UPDATE that only one worker wins, failures are retried with the same backoff (30 s
doubling to 1 h) for 24 hours, and a refusal the server calls permanent (5xx) fails at once.
"""

import uuid
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from broker.clock import Clock
from broker.notify.mail import queries
from broker.notify.models import MailChoice
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic
from broker.notify.operations import RETRY_WINDOW
from broker.notify.operations import backoff


@dataclass(frozen=True)
class OrderRef:
    """What a mail may say of an order: which one, of which type, whether an emergency. Never content."""

    id: uuid.UUID
    order_type: str
    emergency: bool


@dataclass(frozen=True)
class Due:
    """The clock a deadline mail is about: its kind and when it falls (or fell) due."""

    clock: str
    due_at: datetime


def enqueue(
    session: orm.Session,
    clock: Clock,
    *,
    topic: MailTopic,
    event: str,
    order: OrderRef,
    organisation_ids: Iterable[uuid.UUID],
    at_once: Iterable[str] = (),
    due: Due | None = None,
) -> list[MailMessage]:
    """One mail per person of these organisations who receives `topic`, and one per address `at_once`.

    `at_once` are addresses told whatever anyone chose (a provider's 24/7 contact for an emergency
    order); an address is mailed once even when it is both.
    """
    recipients: dict[str, tuple[str, uuid.UUID | None]] = {}
    for user_id, address in queries.subscribers(session, organisation_ids, topic):
        recipients.setdefault(address.lower(), (address, user_id))
    for address in at_once:
        recipients.setdefault(address.lower(), (address, None))
    now = clock()
    mails = [
        MailMessage(
            id=uuid.uuid4(),
            user_id=user_id,
            to_address=address,
            topic=topic,
            event=event,
            order_id=order.id,
            order_type=order.order_type,
            emergency=order.emergency,
            clock=None if due is None else due.clock,
            due_at=None if due is None else due.due_at,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
        for address, user_id in recipients.values()
    ]
    session.add_all(mails)
    session.flush()
    return mails


def choose(session: orm.Session, clock: Clock, user_id: uuid.UUID, wanted: Collection[MailTopic]) -> None:
    """Record what the person receives: the topics in `wanted`, and none of the others."""
    now = clock()
    existing = {
        choice.topic: choice
        for choice in session.scalars(sa.select(MailChoice).where(MailChoice.user_id == user_id))
    }
    for topic in MailTopic:
        choice = existing.get(topic)
        if choice is None:
            session.add(MailChoice(user_id=user_id, topic=topic, wanted=topic in wanted, changed_at=now))
        elif choice.wanted != (topic in wanted):
            choice.wanted, choice.changed_at = topic in wanted, now
    session.flush()


def claim_attempt(session: orm.Session, mail: MailMessage) -> int | None:
    """Claim the next attempt at a due mail: its number, or None if another worker got there first."""
    result = session.execute(
        sa.update(MailMessage)
        .where(
            MailMessage.id == mail.id,
            MailMessage.attempts == mail.attempts,
            MailMessage.sent_at.is_(None),
            MailMessage.failed_at.is_(None),
        )
        .values(attempts=mail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult has it
        return None
    set_committed_value(mail, "attempts", mail.attempts + 1)
    return mail.attempts


def record_attempt(
    mail: MailMessage, now: datetime, number: int, error: str | None, *, permanent: bool
) -> None:
    """What the attempt got: sent; failed for good (a permanent refusal, or past the 24 hours); or retried later."""
    if error is None:
        mail.sent_at, mail.last_error = now, None
        return
    mail.last_error = error
    deadline = mail.created_at + RETRY_WINDOW
    if permanent or now >= deadline:
        mail.failed_at = now
    else:
        mail.next_attempt_at = min(now + backoff(number), deadline)
