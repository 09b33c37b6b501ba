"""Who may see and do what: the acting party, passed explicitly to every operation."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from broker import problems
from broker.orders.models import Order
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    """The authenticated user and the organisation they act for."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: OrganisationKind
    role: Role


def require_kind(
    actor: Actor, kinds: Iterable[OrganisationKind], action: str, *, writes: bool = True
) -> None:
    """Refuse unless the actor's organisation is of one of `kinds`; auditors never write."""
    allowed = tuple(kinds)
    if actor.kind not in allowed:
        names = " or ".join(_plural(kind.value.replace("_", " ")) for kind in allowed)
        mine = actor.kind.value.replace("_", " ")
        article = "an" if mine[0] in "aeiou" else "a"
        raise problems.Forbidden(f"only {names} may {action}; you act for {article} {mine}")
    if writes and actor.role is Role.AUDITOR:
        raise problems.Forbidden(f"auditors read but may not {action}")


def visible_orders(actor: Actor) -> sa.ColumnElement[bool]:
    """The orders this party may read: its own as issuer, those addressed to it as provider, all for oversight."""
    if actor.kind is OrganisationKind.OVERSIGHT_BODY:
        return sa.true()
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        return Order.issuing_authority_id == actor.organisation_id
    if actor.kind is OrganisationKind.PROVIDER:
        # A provider never sees a draft: until issued it exists only for its author (and oversight).
        return sa.and_(Order.provider_id == actor.organisation_id, Order.state != OrderState.DRAFT)
    # Enforcing authorities see the orders notified to them (Art. 8) or sent to them for enforcement.
    return sa.and_(Order.enforcing_authority_id == actor.organisation_id, Order.state != OrderState.DRAFT)


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
