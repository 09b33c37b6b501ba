"""Reading mail: whom a topic reaches, what a person chose, and which mail to send next."""

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker.notify.models import MailChoice
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic
from broker.parties.models import User


def subscribers(
    session: orm.Session, organisation_ids: Iterable[uuid.UUID], topic: MailTopic
) -> list[tuple[uuid.UUID, str]]:
    """(user id, address) of the people of these organisations who receive `topic`.

    People, not accounts for machines: only those who can sign in to the portal (a password set, not
    disabled), since every mail links there; a topic is wanted unless the person refused it.
    """
    wanted = list(dict.fromkeys(organisation_ids))
    if not wanted:
        return []
    choice = orm.aliased(MailChoice)
    rows = session.execute(
        sa.select(User.id, User.email)
        .outerjoin(choice, sa.and_(choice.user_id == User.id, choice.topic == topic))
        .where(
            User.organisation_id.in_(wanted),
            User.disabled_at.is_(None),
            User.password_hash.is_not(None),
            sa.or_(choice.wanted.is_(None), choice.wanted.is_(True)),
        )
        .order_by(User.email)
    ).all()
    return [(row.id, row.email) for row in rows]


def choices_of(session: orm.Session, user_id: uuid.UUID) -> dict[MailTopic, bool]:
    """Every topic and whether the person receives it (yes unless they refused it)."""
    refused = set(
        session.scalars(
            sa.select(MailChoice.topic).where(MailChoice.user_id == user_id, MailChoice.wanted.is_(False))
        )
    )
    return {topic: topic not in refused for topic in MailTopic}


def next_due(session: orm.Session, now: datetime) -> MailMessage | None:
    """The first mail due for an attempt, locked, emergencies first; PostgreSQL skips rows another worker holds."""
    return session.scalar(
        sa.select(MailMessage)
        .where(
            MailMessage.sent_at.is_(None), MailMessage.failed_at.is_(None), MailMessage.next_attempt_at <= now
        )
        .order_by(MailMessage.emergency.desc(), MailMessage.created_at, MailMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
