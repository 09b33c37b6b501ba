"""Signing in: the password, then the second factor (a TOTP code, or a recovery code).

Every attempt is an audit entry, whether it succeeds or not, and none holds a secret: no password,
no code, no e-mail address typed for an account that does not exist (people type their password
into the wrong field). A refusal is returned, not raised, so that the caller's transaction commits
the entry that records it.

The same answer is given for an unknown e-mail address, a wrong password, an account without a
password and a disabled account, and it takes as long (the password hash is verified in every
case): the page must not tell a guesser which addresses have accounts.
"""

from enum import StrEnum

from sqlalchemy import orm

from broker.audit.operations import record
from broker.clock import Clock
from broker.parties.models import SessionStage
from broker.parties.models import User
from broker.parties.people import passwords
from broker.parties.people import queries
from broker.parties.people import totp
from broker.parties.people.operations.sessions import Login
from broker.parties.people.operations.sessions import Opened
from broker.parties.people.operations.sessions import SessionPolicy
from broker.parties.people.operations.sessions import open_session
from broker.parties.people.operations.sessions import replace

# The object of the entry for an e-mail address that has no account: never the address itself.
UNKNOWN_ACCOUNT = "unknown-account"


class Refusal(StrEnum):
    """Why a step of signing in was refused; the portal words each for the person."""

    CREDENTIALS = "credentials"  # unknown e-mail, wrong password, no password set, disabled: one answer
    CODE_MALFORMED = "code_malformed"  # not six digits
    CODE_WRONG = "code_wrong"
    CLOCK_OUT_OF_SYNC = "clock_out_of_sync"  # the code of a moment minutes away
    CODE_REUSED = "code_reused"  # the code already accepted once
    RECOVERY_CODE_WRONG = "recovery_code_wrong"


def check_password(
    session: orm.Session, clock: Clock, policy: SessionPolicy, email: str, password: str
) -> Opened | Refusal:
    """The first step: a session waiting for the second factor (or for enrolling one), or a refusal."""
    user = queries.person_by_email(session, email)
    stored = user.password_hash if user is not None else None
    if not passwords.verify(stored, password) or user is None or user.disabled_at is not None:
        _failed(session, clock, user, "password", Refusal.CREDENTIALS)
        return Refusal.CREDENTIALS
    if stored is not None and passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
    stage = SessionStage.SECOND_FACTOR if user.totp_secret else SessionStage.ENROLMENT
    return open_session(session, clock, policy, user, stage)


def check_code(
    session: orm.Session, clock: Clock, policy: SessionPolicy, login: Login, code: str
) -> Opened | Refusal:
    """The second step with a TOTP code: the signed-in session that replaces the waiting one."""
    user = login.user
    refusal = accept_code(clock, user, user.totp_secret, code)
    if refusal is not None:
        _failed(session, clock, user, "code", refusal)
        return refusal
    return signed_in(session, clock, policy, login, "totp")


def use_recovery_code(
    session: orm.Session, clock: Clock, policy: SessionPolicy, login: Login, code: str
) -> Opened | Refusal:
    """The second step with a recovery code, which is then used up."""
    found = queries.unused_recovery_code(session, login.user.id, normalise_recovery_code(code))
    if found is None:
        _failed(session, clock, login.user, "recovery_code", Refusal.RECOVERY_CODE_WRONG)
        return Refusal.RECOVERY_CODE_WRONG
    found.used_at = clock()
    return signed_in(session, clock, policy, login, "recovery_code")


def accept_code(clock: Clock, user: User, secret: str | None, code: str) -> Refusal | None:
    """Check a TOTP code against `secret` and remember its step; why not, if it is refused."""
    if secret is None:
        return Refusal.CODE_WRONG
    try:
        step = totp.verify(secret, code, clock())
    except totp.CodeMalformed:
        return Refusal.CODE_MALFORMED
    except totp.ClockOutOfSync:
        return Refusal.CLOCK_OUT_OF_SYNC
    except totp.CodeRejected:
        return Refusal.CODE_WRONG
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return Refusal.CODE_REUSED
    user.totp_last_step = step
    return None


def signed_in(session: orm.Session, clock: Clock, policy: SessionPolicy, login: Login, factor: str) -> Opened:
    """Complete a sign-in: a fresh session replaces the waiting one, and the log says so."""
    opened = replace(session, clock, policy, login, SessionStage.SIGNED_IN)
    record(
        session,
        clock,
        action="person.signed_in",
        object_type="user",
        object_id=login.user.id,
        actor=opened.login.actor,
        details={"second_factor": factor},
    )
    return opened


def normalise_recovery_code(code: str) -> str:
    """A recovery code as stored: lower case, without the spaces and dashes people type."""
    return "".join(character for character in code.lower() if character.isalnum())


def _failed(session: orm.Session, clock: Clock, user: User | None, step: str, refusal: Refusal) -> None:
    record(
        session,
        clock,
        action="person.sign_in_failed",
        object_type="user" if user is not None else "sign_in",
        object_id=user.id if user is not None else UNKNOWN_ACCOUNT,
        actor=None,
        system="portal",
        details={"step": step, "reason": refusal.value},
    )
