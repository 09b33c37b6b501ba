"""The parties of one order: which side a caller is on, who acts for a side, who enforces in a State."""

import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.lifecycle import Side
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.vocabulary import OrganisationKind


def side_of(actor: Actor, order: Order) -> Side:
    """The caller's side on this order; oversight bodies and strangers have none."""
    if actor.organisation_id == order.issuing_authority_id:
        return Side.ISSUER
    if actor.organisation_id == order.provider_id:
        return Side.ADDRESSEE
    if order.enforcing_authority_id is not None and actor.organisation_id == order.enforcing_authority_id:
        return Side.ENFORCER
    raise problems.Forbidden("your organisation is not a party to this order and may only read it")


def organisation_of(order: Order, side: Side) -> uuid.UUID | None:
    """Who acts for a side of this order."""
    return {
        Side.ISSUER: order.issuing_authority_id,
        Side.ADDRESSEE: order.provider_id,
        Side.ENFORCER: order.enforcing_authority_id,
    }[side]


def enforcing_authority_for(session: orm.Session, state: str) -> Organisation:
    """The enforcing authority registered for a Member State (the first registered, if several)."""
    authority = session.scalar(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind.ENFORCING_AUTHORITY, Organisation.country == state)
        .order_by(Organisation.created_at, Organisation.name)
        .limit(1)
    )
    if authority is None:
        raise problems.InvalidReference(
            f"no enforcing authority is registered for {state}, so the order cannot be notified or enforced "
            "there (Art. 8, Art. 16): register it with `broker org create --kind enforcing_authority`"
        )
    return authority
