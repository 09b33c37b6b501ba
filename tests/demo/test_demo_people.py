"""`broker demo --serve` gives every person a login, and each signing organisation an administrator.

Only an administrator may register the key a person makes in the browser, so without one a
newcomer could read the demo's orders in the portal but never sign a message there.
"""

import argon2
import pytest
import sqlalchemy as sa

from broker.demo import people
from broker.demo.network import NETWORK
from broker.demo.network import build_network
from broker.parties import operations
from broker.parties.models import User
from broker.parties.people import passwords
from broker.vocabulary import Role


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_every_person_and_an_administrator_per_signing_organisation_can_sign_in(database, clock, tmp_path):
    build_network(database, clock, tmp_path)
    logins = people.give_logins(database, clock)
    assert [login.email for login in logins[: len(people.ROLES)]] == [
        NETWORK[role].user_email for role in people.ROLES
    ]
    administrators = logins[len(people.ROLES) :]
    assert [login.role for login in administrators] == [f"{role} administrator" for role in people.SIGNING]
    with database.transaction() as session:
        for login in logins:
            user = session.scalars(sa.select(User).where(User.email == login.email)).one()
            assert passwords.verify(user.password_hash, login.password)
            assert user.totp_secret == login.secret
        for login, role in zip(administrators, people.SIGNING, strict=True):
            user = session.scalars(sa.select(User).where(User.email == login.email)).one()
            member = session.scalars(sa.select(User).where(User.email == NETWORK[role].user_email)).one()
            assert user.role is Role.ADMIN and user.organisation_id == member.organisation_id
            assert user.role in operations.KEY_MANAGERS, "the one who may register a browser's key"
