"""Removal orders (Regulation (EU) 2021/784) as drafts: completed from the registry and legally checked.

A removal order rides the orders table beside the certificates; only its document and its rules differ.
The caseworker names the addressee by id; the broker fills in the issuing authority and where the
provider receives removal orders (its contact point, Art. 15, or legal representative, Art. 17), and
the TCO rules run with what the order history knows: earlier orders of this authority to this provider.
"""

import copy
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy import orm

from broker import legal
from broker import problems
from broker.access import Actor
from broker.clocks import queries as clock_queries
from broker.legal.removal import RemovalCheckInput
from broker.legal.removal import check_removal_order
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.orders.models import ProceduresNotice
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.wire.registry import validate_removal_body

VERSION = 1  # removal-order.v1.json


def complete(
    issuing_authority: dict[str, Any], addressee: Addressee, draft: dict[str, Any]
) -> dict[str, Any]:
    """The removal order a draft becomes: the registry's issuing authority and addressee, schema-checked."""
    if addressee.removal_role is None:
        raise problems.InvalidReference(
            f"{addressee.name!r} is not registered to receive removal orders; name the provider's contact "
            "point (Art. 15) or legal representative (Art. 17) of Regulation (EU) 2021/784",
            errors={"addressee": ["does not receive removal orders"]},
        )
    order = copy.deepcopy(draft)
    order["issuing_authority"] = issuing_authority
    order["addressee"] = {
        "id": str(addressee.id),
        "provider": {"organisation": str(addressee.provider_id), "name": addressee.provider.name},
        "addressee_type": addressee.removal_role.value,
        "name": addressee.name,
        "country": addressee.country,
        "address": addressee.address,
    }
    try:
        validate_removal_body(MessageType.REMOVAL_ORDER.value, VERSION, order)
    except ValidationError as error:
        raise problems.ValidationFailed(
            "the removal order is incomplete or invalid", errors=error.messages
        ) from error
    return order


def check(session: orm.Session, order: dict[str, Any], addressee: Addressee, now: datetime) -> legal.Report:
    """The TCO rules on this removal order as if it left now (broker.legal.removal)."""
    return check_removal_order(
        RemovalCheckInput(
            order=order,
            issued_at=now,
            addressee_registered_as=addressee.removal_role.value if addressee.removal_role else None,
            earlier_orders_to_provider=earlier_orders(
                session, uuid.UUID(order["issuing_authority"]["organisation"]), addressee.provider_id
            ),
            procedures_notice_at=procedures_notice_at(
                session, uuid.UUID(order["issuing_authority"]["organisation"]), addressee.provider_id
            ),
        )
    )


def earlier_orders(session: orm.Session, issuing_authority_id: uuid.UUID, provider_id: uuid.UUID) -> int:
    """Removal orders this authority has issued to this provider (Art. 3(2): is this the first?)."""
    return (
        session.scalar(
            sa.select(sa.func.count(Order.id)).where(
                Order.order_type == OrderType.REMOVAL_ORDER,
                Order.issuing_authority_id == issuing_authority_id,
                Order.provider_id == provider_id,
                Order.issued_at.is_not(None),
            )
        )
        or 0
    )


def procedures_notice_at(
    session: orm.Session, issuing_authority_id: uuid.UUID, provider_id: uuid.UUID
) -> datetime | None:
    """When this authority first gave this provider its procedures and deadlines (Art. 3(2)), if recorded:
    the earliest notice is the one from which the 12 hours of TCO-04 run."""
    return session.scalar(
        sa.select(sa.func.min(ProceduresNotice.given_at)).where(
            ProceduresNotice.issuing_authority_id == issuing_authority_id,
            ProceduresNotice.provider_id == provider_id,
        )
    )


def preserved_reference(
    session: orm.Session, actor: Actor, removal_order_id: uuid.UUID, provider_id: uuid.UUID, now: datetime
) -> Order:
    """The removal order whose preserved content an EPOC or EPOC-PR is addressed to (Art. 6(1)(b), 6(2)).

    It must be a removal order this authority may see (a party of it, or an authority of its issuing State),
    to the same provider, whose content the provider still preserves: removed, and its six months (or a
    further period) not over. A removal order the authority may not see is refused in the same words as
    one that does not exist, so the reference tells nothing of others' orders.
    """
    referenced = session.get(Order, removal_order_id)
    if (
        referenced is None
        or referenced.order_type is not OrderType.REMOVAL_ORDER
        or not _may_see(session, actor, referenced)
    ):
        raise problems.InvalidReference(
            f"no removal order {removal_order_id} that your authority may see", errors=REFERENCE_ERRORS
        )
    if referenced.provider_id != provider_id:
        raise problems.InvalidReference(
            "the removal order was addressed to another provider: address the order to the provider that "
            "preserves the content (Regulation (EU) 2021/784, Art. 6(1))",
            errors={"removal_order": ["addressed to another provider"]},
        )
    if referenced.state is not OrderState.REMOVED or not clock_queries.is_open(
        session, referenced.id, Clock.CONTENT_PRESERVATION, now
    ):
        raise problems.InvalidReference(
            "the content removed under that order is no longer preserved (Regulation (EU) 2021/784, Art. 6(2): "
            "six months from removal, or a further period on request), or was never removed",
            errors={"removal_order": ["its content is not preserved now"]},
        )
    return referenced


REFERENCE_ERRORS = {"removal_order": ["not a removal order you may see"]}


def referable(session: orm.Session, actor: Actor, provider_id: uuid.UUID, now: datetime) -> list[Order]:
    """The removal orders an EPOC or EPOC-PR of this authority to this provider may name now, newest first:
    exactly those preserved_reference accepts (seen by the authority, removed, content still preserved)."""
    country = session.get_one(Organisation, actor.organisation_id).country
    of_state = sa.select(Organisation.id).where(Organisation.country == country)
    candidates = session.scalars(
        sa.select(Order)
        .where(
            Order.order_type == OrderType.REMOVAL_ORDER,
            Order.state == OrderState.REMOVED,
            Order.provider_id == provider_id,
            sa.or_(
                Order.issuing_authority_id == actor.organisation_id,
                Order.enforcing_authority_id == actor.organisation_id,
                Order.issuing_authority_id.in_(of_state),
            ),
        )
        .order_by(Order.issued_at.desc(), Order.id.desc())
    )
    return [
        order
        for order in candidates
        if clock_queries.is_open(session, order.id, Clock.CONTENT_PRESERVATION, now)
    ]


def _may_see(session: orm.Session, actor: Actor, referenced: Order) -> bool:
    """A party of the removal order, or an authority of the Member State that issued it."""
    if actor.organisation_id in (referenced.issuing_authority_id, referenced.enforcing_authority_id):
        return True
    return (
        session.get_one(Organisation, actor.organisation_id).country == referenced.issuing_authority.country
    )
