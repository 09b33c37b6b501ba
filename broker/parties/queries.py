"""Reading the registry: organisations, their addressees and public keys, the user behind a token."""

import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User


def organisations(kind: Any = None, country: str | None = None) -> sa.Select[Organisation]:
    """Registered organisations by name, optionally of one kind or country."""
    statement = sa.select(Organisation).order_by(Organisation.name)
    if kind:
        statement = statement.where(Organisation.kind == kind)
    if country:
        statement = statement.where(Organisation.country == country)
    return statement


def addressees(country: str | None = None, provider: uuid.UUID | None = None) -> sa.Select[Addressee]:
    """Where providers receive orders, by country and name."""
    statement = sa.select(Addressee).order_by(Addressee.country, Addressee.name)
    if country:
        statement = statement.where(Addressee.country == country)
    if provider:
        statement = statement.where(Addressee.provider_id == provider)
    return statement


def organisation(session: orm.Session, organisation_id: uuid.UUID) -> Organisation:
    """One registered organisation, or not-found."""
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise problems.NotFound(f"no organisation {organisation_id}")
    return found


def user(session: orm.Session, user_id: uuid.UUID) -> User:
    """The user a token belongs to."""
    return session.get_one(User, user_id)


def signing_keys(session: orm.Session, kids: Collection[str]) -> dict[str, SigningKey]:
    """The registered keys with these ids (an order's signatures), in one query."""
    if not kids:
        return {}
    return {
        key.kid: key for key in session.scalars(sa.select(SigningKey).where(SigningKey.kid.in_(list(kids))))
    }
