"""Portal sessions: opened by a sign-in, resumed by each request, ended by time or by the person.

A session is a row (`portal_sessions`) found by the SHA-256 of the random token in the browser's
cookie. It lives until the first of:

- 30 minutes without a request (idle), the usual figure for systems holding sensitive case data;
- 12 hours after it was opened (absolute), one working day: a stolen cookie stops working by the
  next morning whatever is done with it;
- signing out, signing out everywhere, a password change or an operator's reset (revoked).

A sign-in that has passed its password but not its second factor lives 10 minutes at most, and the
session is replaced by a new one (new token, new CSRF token) when it is complete, so a token seen
before the second factor (session fixation) is worth nothing after it.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import orm

from broker.access import Actor
from broker.audit.operations import record
from broker.clock import Clock
from broker.parties.models import PortalSession
from broker.parties.models import SessionStage
from broker.parties.models import User
from broker.parties.people import queries
from broker.vocabulary import OrganisationKind

# Rows of sessions that ended longer ago than this are deleted when their person next signs in.
KEEP_ENDED = timedelta(days=1)


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live (the portal reads the figures from its settings)."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    # From a right password to the second factor (or to enrolling one).
    unfinished: timedelta = timedelta(minutes=10)
    # The last request's time is written at most this often: not one UPDATE per page view.
    resolution: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class Login:
    """A live session, its person and the Actor they are: the same Actor an API token gives."""

    record: PortalSession
    user: User
    actor: Actor

    @property
    def stage(self) -> SessionStage:
        return self.record.stage


@dataclass(frozen=True)
class Opened:
    """A session just opened: the token to put in the browser's cookie, shown nowhere else."""

    login: Login
    token: str


class Ended(StrEnum):
    """Why a cookie's session can no longer be used (the page tells the person which)."""

    IDLE = "idle"
    EXPIRED = "expired"
    REVOKED = "revoked"


def actor_of(user: User, kind: OrganisationKind) -> Actor:
    """The acting party a signed-in person is, built as broker.parties.operations.authenticate builds it."""
    return Actor(user_id=user.id, organisation_id=user.organisation_id, kind=kind, role=user.role)


def open_session(
    session: orm.Session, clock: Clock, policy: SessionPolicy, user: User, stage: SessionStage
) -> Opened:
    """A new session for `user` at `stage`; the person's sessions that ended a day ago are removed."""
    now = clock()
    session.execute(
        sa.delete(PortalSession).where(
            PortalSession.user_id == user.id,
            sa.or_(PortalSession.expires_at < now - KEEP_ENDED, PortalSession.revoked_at < now - KEEP_ENDED),
        )
    )
    token = secrets.token_urlsafe(32)
    lifetime = policy.absolute if stage is SessionStage.SIGNED_IN else policy.unfinished
    row = PortalSession(
        id=queries.token_digest(token),
        user_id=user.id,
        stage=stage,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return Opened(Login(row, user, actor_of(user, user.organisation.kind)), token)


def replace(
    session: orm.Session, clock: Clock, policy: SessionPolicy, login: Login, stage: SessionStage
) -> Opened:
    """End `login`'s session and open a new one at `stage` (after a factor: no fixation)."""
    login.record.revoked_at = clock()
    return open_session(session, clock, policy, login.user, stage)


def resume(session: orm.Session, clock: Clock, policy: SessionPolicy, token: str) -> Login | Ended | None:
    """The session a cookie's token names, if it is still live; why not, if it was; None if unknown.

    Its last use is written at most once a `policy.resolution`.
    """
    found = queries.session_by_token(session, token)
    if found is None:
        return None
    row, user, kind = found
    now = clock()
    if row.revoked_at is not None or user.disabled_at is not None:
        return Ended.REVOKED
    if now >= row.expires_at:
        return Ended.EXPIRED
    if now - row.last_seen_at >= policy.idle:
        return Ended.IDLE
    if now - row.last_seen_at >= policy.resolution:
        row.last_seen_at = now
    return Login(row, user, actor_of(user, kind))


def sign_out(session: orm.Session, clock: Clock, login: Login) -> None:
    """End this browser's session."""
    login.record.revoked_at = clock()
    record(
        session,
        clock,
        action="person.signed_out",
        object_type="user",
        object_id=login.user.id,
        actor=login.actor,
    )


def sign_out_everywhere(session: orm.Session, clock: Clock, login: Login) -> int:
    """End every session of the person, this one included; how many were live."""
    ended = revoke_all(session, clock, login.user)
    record(
        session,
        clock,
        action="person.signed_out_everywhere",
        object_type="user",
        object_id=login.user.id,
        actor=login.actor,
        details={"sessions": ended},
    )
    return ended


def revoke_all(session: orm.Session, clock: Clock, user: User, *, keep: PortalSession | None = None) -> int:
    """Revoke every session of `user` but `keep`; how many live ones there were (the caller logs why)."""
    now = clock()
    ended = 0
    for row in queries.live_sessions(session, user.id):
        if row is keep:
            continue
        if row.expires_at > now:
            ended += 1
        row.revoked_at = now
    return ended
