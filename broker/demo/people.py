"""The demo network's people in the portal: a password and an enrolled second factor each, printed.

`broker demo --serve` gives each person of the network (broker/demo/network.py) a fresh random
password and TOTP secret through the real operations, prints one login per role, and keeps
printing the current six-digit code of each while it serves, so that a newcomer can sign in
without an authenticator app; the secret (and its otpauth:// URI) lets one add the account to an
app instead. Nothing here exists outside the demo's throw-away database.
"""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import orm

from broker.audit.operations import integrate_all
from broker.clock import Clock
from broker.db import Database
from broker.demo.network import NETWORK
from broker.parties import operations
from broker.parties.models import User
from broker.parties.people import queries
from broker.parties.people import totp
from broker.parties.people.operations import credentials
from broker.vocabulary import Role

# The order the logins are printed in: one per kind of organisation first.
ROLES = ("prosecutor", "provider", "enforcing", "oversight", "judge")
# The organisations whose people sign messages, each of which gets an administrator too.
SIGNING = ("prosecutor", "provider", "enforcing", "judge")


@dataclass(frozen=True)
class DemoLogin:
    """One person's portal login, as printed in the demo's terminal."""

    role: str
    organisation: str
    name: str
    email: str
    password: str
    secret: str

    def code(self, moment: datetime | None = None) -> str:
        return totp.code_at(self.secret, moment or datetime.now(UTC))


def give_logins(database: Database, clock: Clock) -> list[DemoLogin]:
    """A password and an enrolled TOTP secret for each person of the demo network.

    Each organisation that signs messages also gets an administrator: only an administrator may
    register the signing key a person makes in the browser (docs/portal.md, "Signing in the browser").
    """
    logins, members = [], {}
    with database.transaction() as session:
        for role in ROLES:
            spec = NETWORK[role]
            user = queries.person_by_email(session, spec.user_email)
            if user is None:  # pragma: no cover - build_network made every one of them
                raise LookupError(f"the demo network has no {spec.user_email}")
            logins.append(_login(session, clock, role, user))
            members[role] = user
        for role in SIGNING:
            member = members[role]
            administrator = operations.create_user(
                session,
                clock,
                organisation=member.organisation,
                email="admin@" + NETWORK[role].user_email.split("@")[1],
                name="Administrator",
                role=Role.ADMIN,
            )
            logins.append(_login(session, clock, f"{role} administrator", administrator))
    integrate_all(database)
    return logins


def _login(session: orm.Session, clock: Clock, role: str, user: User) -> DemoLogin:
    """A fresh random password and an enrolled TOTP secret for `user`, through the real operations."""
    password = "demo-" + secrets.token_urlsafe(12)
    secret = totp.new_secret()
    credentials.set_password(session, clock, user, password)
    credentials.enrol_second_factor(session, clock, user, secret)
    return DemoLogin(role, user.organisation.name, user.name, user.email, password, secret)


def describe(logins: list[DemoLogin], url: str) -> list[str]:
    """The lines that tell a newcomer how to sign in as each party."""
    lines = [
        f"The portal is at {url}/ (the API at {url}/api/v1). Sign in as any of these people:",
    ]
    for login in logins:
        lines += [
            f"   {login.organisation} — {login.name}",
            f"      e-mail {login.email}   password {login.password}",
            f"      authenticator key {login.secret}   ({totp.provisioning_uri(login.secret, login.email)})",
        ]
    lines.append(
        "The six-digit code each needs after the password is printed below every 30 seconds "
        "(or add the key above to any authenticator app). Ctrl-C stops the demo."
    )
    return lines


def keep_printing_codes(logins: list[DemoLogin], echo: Callable[[str], None]) -> threading.Event:
    """Print every person's current code at each 30-second step until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            now = datetime.now(UTC)
            codes = "  ".join(f"{login.email} {login.code(now)}" for login in logins)
            echo(f"[{now:%H:%M:%S} codes] {codes}")
            remaining = totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS
            stop.wait(remaining + 0.05)

    threading.Thread(target=run, name="demo-codes", daemon=True).start()
    return stop
