"""Reading people's accounts and sessions: a person by e-mail, a session by its cookie's token."""

import hashlib
import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from broker.parties.models import Organisation
from broker.parties.models import PortalSession
from broker.parties.models import RecoveryCode
from broker.parties.models import User
from broker.vocabulary import OrganisationKind


def token_digest(token: str) -> str:
    """What a session or recovery code is stored as: its SHA-256, never the value itself."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def person_by_email(session: orm.Session, email: str) -> User | None:
    """The user with this e-mail address, compared without regard to case (people type capitals)."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    return session.scalar(
        sa.select(User).options(orm.joinedload(User.organisation)).where(sa.func.lower(User.email) == wanted)
    )


def session_by_token(session: orm.Session, token: str) -> tuple[PortalSession, User, OrganisationKind] | None:
    """The session a cookie names, its person and their organisation's kind, in one query.

    The organisation is loaded with them (every page names it), so `user.organisation` costs nothing.

    The row is locked for this transaction (on PostgreSQL): resuming may write its last use, and
    signing out or completing a sign-in changes it, so two tabs of one browser take turns.
    """
    found = session.execute(
        sa.select(PortalSession, User, Organisation)
        .join(User, PortalSession.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(PortalSession.id == token_digest(token))
        .with_for_update(of=PortalSession)
    ).one_or_none()
    if found is None:
        return None
    record, user, organisation = found
    return record, user, organisation.kind


def live_sessions(session: orm.Session, user_id: uuid.UUID) -> list[PortalSession]:
    """A person's sessions that nobody revoked (some may have expired), locked to be revoked."""
    return list(
        session.scalars(
            sa.select(PortalSession)
            .where(PortalSession.user_id == user_id, PortalSession.revoked_at.is_(None))
            .with_for_update()
        )
    )


def unused_recovery_code(session: orm.Session, user_id: uuid.UUID, code: str) -> RecoveryCode | None:
    """The person's recovery code with this value, if it has not been used, locked to be used."""
    return session.scalar(
        sa.select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_sha256 == token_digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )


def recovery_codes_left(session: orm.Session, user_id: uuid.UUID) -> int:
    """How many of the person's recovery codes are still unused."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def recovery_codes(session: orm.Session, user_id: uuid.UUID) -> list[RecoveryCode]:
    """Every recovery code of the person, used or not (to be replaced or removed)."""
    return list(session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user_id)))
