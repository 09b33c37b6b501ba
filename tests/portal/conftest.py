"""The portal's fixtures: an app whose cookies work over http, people who can sign in, a browser-like client.

People are the `network` fixture's users (tests/conftest.py) given a password and an enrolled
TOTP secret through the real operations. Passwords are hashed with Argon2id at its cheapest here:
the parameters are the hash's, not the code's, and the suite signs in hundreds of times.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from portal_helpers import portal_settings
from portal_helpers import token

from broker import crypto
from broker.app import create_app
from broker.audit.operations import integrate_all
from broker.clock import FrozenClock
from broker.db import Database
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import User
from broker.parties.people import passwords
from broker.parties.people import totp
from broker.parties.people.operations import credentials
from broker.vocabulary import Role
from broker.workflow.operations.due import fire_next


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def portal_app(database: Database, clock: FrozenClock, broker_key_file: Any, tmp_path: Path) -> Flask:
    return create_app(portal_settings(broker_key_file, tmp_path), clock=clock, database=database)


@pytest.fixture
def browser(portal_app: Flask) -> FlaskClient:
    """A client that keeps cookies, as a browser does."""
    return portal_app.test_client()


@dataclass
class Person:
    handle: str
    email: str
    password: str
    secret: str
    recovery_codes: list[str]


class People:
    """Gives the network's users portal credentials, and signs them in as a browser would."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock

    def add(self, handle: str, *, enrolled: bool = True, password: str | None = None) -> Person:
        email = f"{handle}@example.test"
        password = password or f"correct horse battery staple {handle}"
        secret = totp.new_secret()
        codes: list[str] = []
        with self.database.transaction() as session:
            user = session.scalars(sa.select(User).where(User.email == email)).one()
            credentials.set_password(session, self.clock, user, password)
            if enrolled:
                codes = credentials.enrol_second_factor(session, self.clock, user, secret)
        integrate_all(self.database)
        return Person(handle, email, password, secret, codes)

    def code(self, person: Person) -> str:
        """The code of the person's app now; the clock moves on a step first, so no code is reused."""
        self.clock.advance(seconds=totp.STEP_SECONDS)
        return totp.code_at(person.secret, self.clock())

    def sign_in(self, client: FlaskClient, person: Person) -> FlaskClient:
        """Password, then code, through the pages; asserts it lands on the dashboard."""
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"email": person.email, "password": person.password, "csrf_token": token(page)},
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert answer.headers["Location"].startswith("/login/code")
        page = client.get("/login/code")
        answer = client.post("/login/code", data={"code": self.code(person), "csrf_token": token(page)})
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert answer.headers["Location"] == "/"
        return client


@pytest.fixture
def people(database: Database, clock: FrozenClock, network: Any) -> People:
    return People(database, clock)


@pytest.fixture
def form_token() -> Any:
    return token


@pytest.fixture
def signed_in(browser: FlaskClient, people: People) -> Iterator[Any]:
    """signed_in("prosecutor") -> a browser signed in as that network party's person."""

    def sign_in(handle: str, client: FlaskClient | None = None) -> FlaskClient:
        return people.sign_in(client or browser, people.add(handle))

    yield sign_in


@pytest.fixture
def log_entries(database: Database) -> Any:
    """log_entries(action=None) -> every audit entry's document (integrated or queued), oldest first."""
    import json

    from broker.audit.models import AuditEntry
    from broker.audit.models import AuditPending

    def read(action: str | None = None) -> list[dict[str, Any]]:
        with database.transaction() as session:
            documents = [
                json.loads(leaf)
                for leaf in session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index))
            ]
            documents += [
                json.loads(document)
                for document in session.scalars(
                    sa.select(AuditPending.document).order_by(AuditPending.sequence)
                )
            ]
        return [document for document in documents if action is None or document["action"] == action]

    return read


class Caseload:
    """Orders for the portal's pages, made through the API as the parties' systems make them."""

    def __init__(self, exchange: Any, database: Database, clock: FrozenClock) -> None:
        self.exchange, self.database, self.clock = exchange, database, clock

    def draft(self, file_number: str, author: str = "prosecutor", **changes: Any) -> dict[str, Any]:
        return self.exchange.draft(author=author, issuing_authority={"file_number": file_number}, **changes)

    def issued(self, file_number: str, author: str = "prosecutor", **changes: Any) -> dict[str, Any]:
        return self.exchange.issue(self.draft(file_number, author, **changes), author=author)

    def received(self, file_number: str, **changes: Any) -> dict[str, Any]:
        """Issued by the prosecutor and taken by the provider: the production clock runs."""
        return self.exchange.receive(self.issued(file_number, **changes))

    def emergency(self, file_number: str) -> dict[str, Any]:
        """Received, with 8 hours to answer."""
        return self.received(file_number, emergency=True, emergency_justification="A threat to life.")

    def overdue(self, file_number: str) -> dict[str, Any]:
        """Received, then left past its 10 days: the worker records the missed deadline."""
        order = self.received(file_number)
        self.clock.advance(days=10, minutes=1)
        with self.database.transaction() as session:
            while fire_next(session, self.clock) is not None:
                pass
        integrate_all(self.database)
        return order


@pytest.fixture
def caseload(exchange: Any, database: Database, clock: FrozenClock) -> Caseload:
    return Caseload(exchange, database, clock)


@pytest.fixture
def admin(database: Database, clock: FrozenClock, network: Any, people: People) -> Any:
    """admin("provider") -> the handle of a new administrator of that network party's organisation."""

    def add(party: str) -> str:
        handle = f"{party}_admin"
        with database.transaction() as session:
            organisation = session.get(Organisation, uuid.UUID(network[party].organisation_id))
            operations.create_user(
                session,
                clock,
                organisation=organisation,
                email=f"{handle}@example.test",
                name=handle,
                role=Role.ADMIN,
            )
        integrate_all(database)
        return handle

    return add


@pytest.fixture
def es256_key(database: Database, clock: FrozenClock, network: Any) -> Any:
    """es256_key("provider") -> (private key, kid) of a new ES256 key registered to that party's organisation."""

    def register(party: str) -> tuple[Any, str]:
        private_key = crypto.generate_private_key("ES256")
        with database.transaction() as session:
            organisation = session.get(Organisation, uuid.UUID(network[party].organisation_id))
            key = operations.register_key(
                session, clock, organisation=organisation, jwk=crypto.public_jwk(private_key)
            )
            kid = key.kid
        integrate_all(database)
        return private_key, kid

    return register
