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
    """The registered keys with these ids (an order's signatures) and their holders, in one query."""
    if not kids:
        return {}
    found = (
        sa.select(SigningKey).options(orm.joinedload(SigningKey.user)).where(SigningKey.kid.in_(list(kids)))
    )
    return {key.kid: key for key in session.scalars(found)}


def organisation_keys(session: orm.Session, organisation_id: uuid.UUID) -> list[SigningKey]:
    """An organisation's keys with their holders, newest first."""
    return list(
        session.scalars(
            sa.select(SigningKey)
            .options(orm.joinedload(SigningKey.user))
            .where(SigningKey.organisation_id == organisation_id)
            .order_by(SigningKey.created_at.desc(), SigningKey.kid)
        )
    )


def key_holders(session: orm.Session, organisation_id: uuid.UUID) -> list[User]:
    """The people of an organisation who may hold one of its keys: those whose account is not disabled."""
    return list(
        session.scalars(
            sa.select(User)
            .where(User.organisation_id == organisation_id, User.disabled_at.is_(None))
            .order_by(User.name, User.email)
        )
    )
