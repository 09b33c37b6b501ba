"""Removal orders' own figures (Regulation (EU) 2021/784), for the authorities' statistics and a provider's
transparency report, counted on request from the same records the workflow keeps: the orders, their
clocks and their signed messages. (The tallies of Art. 28 and the transparency report count certificates
only; a removal order is not one.)

Scope: removal orders issued within [start, end), UTC, by an authority of the issuing State (the authorities'
statistics) or addressed to the provider (its transparency report). The Regulation's own reporting duties
(Arts. 7-8: the providers' and authorities' transparency reports) list such figures; their exact list is
UNCONFIRMED (tco-dsa.md), so each figure says what it counts.
"""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.clocks.models import STOPPED
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports.period import Period
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType

DEFINITIONS = {
    "scope": "Removal orders (Regulation (EU) 2021/784) issued within [start, end), UTC, end excluded: by an "
    "authority of the issuing State in the authorities' statistics, to the provider in its transparency "
    "report. Which figures the Regulation's transparency reports (Arts. 7-8) require is UNCONFIRMED.",
    "issued": "Removal orders issued.",
    "emergency": "Of them, issued as a duly justified emergency (Art. 3(2)).",
    "cross_border": "Of them, copied to the competent authority of another Member State (Art. 4(1)).",
    "received": "Of them, taken delivery of by the provider (the one-hour clock started, Art. 3(3)).",
    "complied_within_one_hour": "Of them, removed or disabled within the hour, its last instant included "
    "(Art. 3(3)): the removal clock stopped on a confirmation and was never breached.",
    "one_hour_missed": "Of them, whose hour ran out before the content went (a breach recorded).",
    "impossibility_reported": "Of them, for which the provider reported force majeure or a de facto "
    "impossibility (Art. 3(7)).",
    "clarification_requested": "Of them, for which the provider asked for clarification (Art. 3(8)).",
    "scrutiny_requested": "Of them, whose scrutiny the provider or the content provider asked for (Art. 4(4)).",
    "scrutinised": "Of them, on which the host State's authority adopted a scrutiny decision (Art. 4(3)-(4)).",
    "infringement_found": "Of them, found to infringe: the order ceased to have legal effects (Art. 4(6)).",
    "reinstated": "Of them, whose content the provider reinstated (Art. 4(7)).",
    "complaints": "Complaints by content providers about content removed under these orders that the provider "
    "recorded (removal-complaint, Art. 10(1)), each counted once.",
    "complaint_outcomes": "Outcomes of those complaints that the provider gave (removal-complaint-outcome, "
    "Art. 10(2)), each counted once; whether each reinstated or dismissed is on the order's timeline.",
    "information_withheld": "Of them, on which the issuing authority decided, for public security, that the "
    "content provider must not be told of the removal (Art. 11(3)): the decision's clock started, by a "
    "removal-withholding or, from receipt, by Annex I (g) of the order.",
    "withholding_renewed": "Of them, whose decision not to disclose was renewed for a further period while it "
    "ran (Art. 11(3), UNCONFIRMED: at most 6 weeks, once).",
    "content_provider_informed": "Of them, on which the provider recorded that it informed the content "
    "provider (content-provider-information, Art. 11(1)-(2)), each order once however often it informed.",
}


def orders_in_scope(
    period: Period, *, country: str | None = None, provider: uuid.UUID | None = None
) -> sa.Select[uuid.UUID, bool, uuid.UUID | None, datetime | None, OrderState]:
    """The removal orders issued in `period` (by `country`'s authorities, or to `provider`), found by
    ix_orders_type_issued rather than by reading every order."""
    statement = sa.select(
        Order.id, Order.emergency, Order.enforcing_authority_id, Order.received_at, Order.state
    ).where(
        Order.order_type == OrderType.REMOVAL_ORDER,
        Order.issued_at >= period.start,
        Order.issued_at < period.end,
    )
    if country is not None:
        statement = statement.join(Organisation, Organisation.id == Order.issuing_authority_id).where(
            Organisation.country == country
        )
    if provider is not None:
        statement = statement.where(Order.provider_id == provider)
    return statement


def figures(
    session: orm.Session, period: Period, *, country: str | None = None, provider: uuid.UUID | None = None
) -> dict[str, Any]:
    """The figures of the removal orders in scope: issued by `country`'s authorities (None: all), or to
    `provider`."""
    statement = orders_in_scope(period, country=country, provider=provider)
    orders = session.execute(statement).all()
    ids = [row.id for row in orders]
    sent = _messages(session, ids)
    hours = {row.order_id: row for row in _clocks(session, ids, Clock.REMOVAL)}
    withheld = _clocks(session, ids, Clock.WITHHOLDING)

    def having(kind: MessageType) -> set[uuid.UUID]:
        return {order_id for order_id, message_type in sent if message_type is kind}

    confirmed = having(MessageType.REMOVAL_CONFIRMATION)
    return {
        "issued": len(orders),
        "emergency": sum(1 for row in orders if row.emergency),
        "cross_border": sum(1 for row in orders if row.enforcing_authority_id is not None),
        "received": sum(1 for row in orders if row.received_at is not None),
        "complied_within_one_hour": sum(
            1
            for order_id in confirmed
            if order_id in hours and hours[order_id].status == STOPPED and not hours[order_id].breached
        ),
        "one_hour_missed": sum(1 for row in hours.values() if row.breached),
        "impossibility_reported": len(having(MessageType.REMOVAL_IMPOSSIBILITY)),
        "clarification_requested": len(having(MessageType.REMOVAL_CLARIFICATION_REQUEST)),
        "scrutiny_requested": len(having(MessageType.REMOVAL_SCRUTINY_REQUEST)),
        "scrutinised": len(having(MessageType.REMOVAL_SCRUTINY_DECISION)),
        "infringement_found": sum(
            1 for row in orders if row.state in (OrderState.CEASED, OrderState.REINSTATED)
        ),
        "reinstated": sum(1 for row in orders if row.state is OrderState.REINSTATED),
        "complaints": _count(session, ids, MessageType.REMOVAL_COMPLAINT),
        "complaint_outcomes": _count(session, ids, MessageType.REMOVAL_COMPLAINT_OUTCOME),
        "information_withheld": len(withheld),
        "withholding_renewed": sum(1 for row in withheld if row.extended),
        "content_provider_informed": len(having(MessageType.CONTENT_PROVIDER_INFORMATION)),
    }


def _clocks(session: orm.Session, order_ids: list[uuid.UUID], kind: Clock) -> list[sa.Row[Any]]:
    """The orders' clocks of this kind that ever started (one per order): its status, breach and extension."""
    if not order_ids:
        return []
    return list(
        session.execute(
            sa.select(OrderClock.order_id, OrderClock.status, OrderClock.breached, OrderClock.extended).where(
                OrderClock.order_id.in_(order_ids), OrderClock.kind == kind
            )
        )
    )


def _count(session: orm.Session, order_ids: list[uuid.UUID], kind: MessageType) -> int:
    """How many signed messages of this type the orders received (each one, not once per order)."""
    if not order_ids:
        return 0
    counted: int = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.order_id.in_(order_ids), Message.message_type == kind)
        )
        or 0
    )
    return counted


def _messages(session: orm.Session, order_ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, MessageType]]:
    """Which kinds of signed message each order received (once per kind)."""
    if not order_ids:
        return set()
    return {
        (row.order_id, row.message_type)
        for row in session.execute(
            sa.select(Message.order_id, Message.message_type)
            .where(Message.order_id.in_(order_ids))
            .distinct()
        )
    }
