"""A person's credentials: the password, the second factor and its recovery codes, the language.

Operators set a first password and reset a lost second factor from the CLI (`actor` None); people
change their own password and enrol their second factor in the portal. Each change is an audit
entry without the secret, and every change of credential ends the person's other sessions.
"""

import base64
import os

from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.audit.operations import record
from broker.clock import Clock
from broker.parties.models import RecoveryCode
from broker.parties.models import SessionStage
from broker.parties.models import User
from broker.parties.people import passwords
from broker.parties.people import queries
from broker.parties.people import totp
from broker.parties.people.operations.sessions import Login
from broker.parties.people.operations.sessions import Opened
from broker.parties.people.operations.sessions import SessionPolicy
from broker.parties.people.operations.sessions import revoke_all
from broker.parties.people.operations.signin import Refusal
from broker.parties.people.operations.signin import accept_code
from broker.parties.people.operations.signin import normalise_recovery_code
from broker.parties.people.operations.signin import signed_in

RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 10  # 80 bits, written as 16 base32 characters in four groups


def set_password(
    session: orm.Session, clock: Clock, user: User, password: str, *, actor: Actor | None = None
) -> int:
    """Give `user` a new password (an operator when `actor` is None); how many sessions it ended.

    A weak password is refused with `validation-error` naming `password`; the portal checks first
    (passwords.weakness) to word the refusal in the person's language.
    """
    weakness = passwords.weakness(password, user.email)
    if weakness is not None:
        raise problems.ValidationFailed(
            f"the password is refused: {weakness.explained}", errors={"password": [weakness.explained]}
        )
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = clock()
    ended = revoke_all(session, clock, user)
    record(
        session,
        clock,
        action="person.password_set" if actor is None else "person.password_changed",
        object_type="user",
        object_id=user.id,
        actor=actor,
        details={"sessions_ended": ended},
    )
    return ended


def change_password(
    session: orm.Session, clock: Clock, login: Login, current: str, new: str
) -> Refusal | None:
    """The person's own change: the current password first; their other sessions end, this one stays."""
    user = login.user
    if not passwords.verify(user.password_hash, current):
        record(
            session,
            clock,
            action="person.password_change_failed",
            object_type="user",
            object_id=user.id,
            actor=login.actor,
        )
        return Refusal.CREDENTIALS
    weakness = passwords.weakness(new, user.email)
    if weakness is not None:
        raise problems.ValidationFailed(
            f"the new password is refused: {weakness.explained}", errors={"password": [weakness.explained]}
        )
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = clock()
    ended = revoke_all(session, clock, user, keep=login.record)
    record(
        session,
        clock,
        action="person.password_changed",
        object_type="user",
        object_id=user.id,
        actor=login.actor,
        details={"sessions_ended": ended},
    )
    return None


def enrolment_secret(login: Login) -> str:
    """The secret shown for enrolment in this session: made once, kept until a code confirms it."""
    if login.record.stage is not SessionStage.ENROLMENT:
        raise problems.Conflict("a second factor is enrolled already; an operator can reset it")
    if login.record.pending_totp_secret is None:
        login.record.pending_totp_secret = totp.new_secret()
    return login.record.pending_totp_secret


def confirm_enrolment(
    session: orm.Session, clock: Clock, policy: SessionPolicy, login: Login, code: str
) -> tuple[Opened, list[str]] | Refusal:
    """Enrol the shown secret once the person's app gives its code: signed in, with recovery codes."""
    user = login.user
    secret = enrolment_secret(login)
    refusal = accept_code(clock, user, secret, code)
    if refusal is not None:
        return refusal
    codes = _enrol(session, clock, user, secret, actor=login.actor)
    return signed_in(session, clock, policy, login, "totp"), codes


def enrol_second_factor(session: orm.Session, clock: Clock, user: User, secret: str) -> list[str]:
    """An operator enrols a secret for `user` (the demo's people); the new recovery codes."""
    totp.code_at(secret, clock())  # refuses a secret that is not base32
    return _enrol(session, clock, user, secret, actor=None)


def reset_second_factor(session: orm.Session, clock: Clock, user: User) -> int:
    """An operator removes a lost second factor: the next sign-in enrols a new one; sessions end."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    for code in queries.recovery_codes(session, user.id):
        session.delete(code)
    ended = revoke_all(session, clock, user)
    record(
        session,
        clock,
        action="person.second_factor_reset",
        object_type="user",
        object_id=user.id,
        actor=None,
        details={"sessions_ended": ended},
    )
    return ended


def set_language(session: orm.Session, user: User, language: str | None) -> None:
    """Remember the language the person chose (None: follow the browser's)."""
    user.language = language


def _enrol(session: orm.Session, clock: Clock, user: User, secret: str, *, actor: Actor | None) -> list[str]:
    now = clock()
    user.totp_secret = secret
    user.totp_enrolled_at = now
    for old in queries.recovery_codes(session, user.id):
        session.delete(old)
    session.flush()
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(
            user_id=user.id, code_sha256=queries.token_digest(normalise_recovery_code(code)), created_at=now
        )
        for code in codes
    )
    record(
        session,
        clock,
        action="person.second_factor_enrolled",
        object_type="user",
        object_id=user.id,
        actor=actor,
        details={"method": "totp", "recovery_codes": len(codes)},
    )
    return codes


def _recovery_code() -> str:
    text = base64.b32encode(os.urandom(RECOVERY_CODE_BYTES)).decode("ascii").lower()
    return "-".join(text[start : start + 4] for start in range(0, len(text), 4))
