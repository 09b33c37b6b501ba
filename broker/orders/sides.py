"""The parties of one order: which side a caller is on, who acts for a side, who enforces in a State."""

import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.legal.routes import Channel
from broker.lifecycle import Side
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.vocabulary import OrganisationKind
from broker.vocabulary import TreatyRole


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
        .where(
            Organisation.kind == OrganisationKind.ENFORCING_AUTHORITY,
            Organisation.country == state,
            Organisation.treaty_role.is_(None),  # a 24/7 point of contact does not enforce orders
        )
        .order_by(Organisation.created_at, Organisation.name)
        .limit(1)
    )
    if authority is None:
        raise problems.InvalidReference(
            f"no enforcing authority is registered for {state}, so the order cannot be notified or enforced "
            "there (Art. 8, Art. 16): register it with `broker org create --kind enforcing_authority`"
        )
    return authority


# Who takes delivery first on each route that goes through an authority, and how the registry knows it.
ROUTE_AUTHORITIES = {
    Channel.POINT_OF_CONTACT: (
        TreatyRole.POINT_OF_CONTACT_24_7,
        "its 24/7 point of contact (CETS 224 Art. 9(1))",
    ),
    Channel.DESIGNATED_AUTHORITY: (
        TreatyRole.DESIGNATED_AUTHORITY,
        "the authority that serves overseas production orders (COPO s.9)",
    ),
}


def route_authority_for(
    session: orm.Session, channel: Channel, state: str, named: str | None = None
) -> Organisation:
    """The authority of `state` that takes delivery of an order on this channel: the requested Party's
    competent authority (its enforcing authority, CETS 224 Art. 8), its 24/7 point of contact, or the
    UK authority that serves overseas production orders. Where several are registered, the one whose
    name holds `named` (COPO s.9(2)-(3): the Secretary of State, or the Lord Advocate for Scotland), else
    the first registered."""
    if channel is Channel.REQUESTED_PARTY:
        try:
            return enforcing_authority_for(session, state)
        except problems.InvalidReference as missing:
            raise problems.InvalidReference(
                f"no competent authority of {state} is registered to receive the order as the requested "
                "Party (CETS 224 Art. 8, Budapest Art. 29(1)), so the order cannot travel its route: register "
                "it with `broker org create --kind enforcing_authority`"
            ) from missing
    role, described = ROUTE_AUTHORITIES[channel]
    authority = session.scalar(
        sa.select(Organisation)
        .where(
            Organisation.kind == OrganisationKind.ENFORCING_AUTHORITY,
            Organisation.country == state,
            Organisation.treaty_role == role,
        )
        .order_by(
            *([sa.case((Organisation.name.contains(named, autoescape=True), 0), else_=1)] if named else []),
            Organisation.created_at,
            Organisation.name,
        )
        .limit(1)
    )
    if authority is None:
        raise problems.InvalidReference(
            f"no authority of {state} is registered as {described}, so the order cannot travel its route: "
            f"register it with `broker org create --kind enforcing_authority --treaty-role {role.value}`"
        )
    return authority
