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
from broker.legal.removal import RemovalCheckInput
from broker.legal.removal import check_removal_order
from broker.orders.models import Order
from broker.orders.models import ProceduresNotice
from broker.parties.models import Addressee
from broker.vocabulary import MessageType
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
