"""The reports as the broker computed them before tallies: every order loaded, its messages parsed.

This is the code of broker/reports at the commit before the tallies (facts.py, figures.py and the
figures of art28.py and transparency.py), kept verbatim as the reference the tallied reports must
equal; only the imports are gathered and the report envelopes (period, definitions) left out.
"""

import json
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker.clocks.models import FIRED
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports.period import Period
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import RefusalGround

COMPLIED, NOT_COMPLIED, PENDING, ENDED = "complied", "not_complied", "pending", "ended_without_answer"
# Why an order was not complied with, most specific first; `enforcement` only if nothing else says why.
REASONS = ("refused", "not_executed", "deadline_missed", "enforcement")
PRODUCING = ("produced", "partially_produced")
# An order in one of these states without an answer will not get one.
ENDED_STATES = frozenset({OrderState.WITHDRAWN, OrderState.CLOSED, OrderState.PRESERVATION_ENDED})
ENFORCEMENT_STATES = frozenset({OrderState.ENFORCEMENT_REQUESTED, OrderState.ENFORCEMENT_REFUSED})


@dataclass(frozen=True)
class OrderFacts:
    """One issued order as the reports see it."""

    order_type: OrderType
    instrument: str
    country: str  # the issuing authority's State, as the signed certificate names it
    categories: tuple[str, ...]
    addressee: str  # "provider name (addressee country)"
    emergency: bool
    targets: int
    ex_post_validation_required: bool
    status: str  # COMPLIED, NOT_COMPLIED, PENDING or ENDED
    compliance: str | None  # produced, partially_produced or preserved
    reason: str | None  # one of REASONS when not complied
    data_after: timedelta | None  # issue -> first response that produced data
    confirmation_after: timedelta | None  # issue -> Annex V confirmation (EPOC-PR)
    notified: bool
    refusal_ground: str | None
    enforcement: str | None  # awaiting_decision, recognised or refused
    ex_post: str | None  # granted, refused, not_obtained_in_time or awaiting


def collect(session: orm.Session, statement: sa.Select[Order]) -> list[OrderFacts]:
    """The facts of every order `statement` selects, with their messages and clocks in three queries."""
    orders = session.scalars(statement.options(orm.selectinload(Order.messages))).all()
    clocks: dict[Any, dict[Clock, OrderClock]] = {}
    ids = statement.with_only_columns(Order.id).order_by(None)
    for row in session.scalars(sa.select(OrderClock).where(OrderClock.order_id.in_(ids))):
        clocks.setdefault(row.order_id, {})[row.kind] = row
    return [facts(order, clocks.get(order.id, {})) for order in orders]


def facts(order: Order, clocks: dict[Clock, OrderClock]) -> OrderFacts:
    """What one order came to."""
    assert order.issued_at is not None
    bodies = [(message, _body(message)) for message in order.messages]
    responses = [(m, b) for m, b in bodies if m.message_type is MessageType.RESPONSE]
    outcomes = {body["outcome"] for _, body in responses}
    compliance = next((o for o in ("produced", "partially_produced", "preserved") if o in outcomes), None)
    refusals = [
        b for m, b in bodies if m.message_type is MessageType.ENFORCING_REVIEW and b["decision"] == "refusal"
    ]
    production = clocks.get(Clock.PRODUCTION)
    signals = {
        "refused": bool(refusals) or order.state is OrderState.REFUSED,
        "not_executed": "not_executed" in outcomes or order.state is OrderState.NOT_EXECUTED,
        "deadline_missed": production is not None and production.breached,
        "enforcement": order.state in ENFORCEMENT_STATES
        or _first(bodies, MessageType.ENFORCEMENT_REQUEST) is not None,
    }
    reason = None if compliance else next((r for r in REASONS if signals[r]), None)
    first_data = next((m.received_at for m, b in responses if b["outcome"] in PRODUCING), None)
    confirmation = _first(bodies, MessageType.PRODUCTION_REQUEST_CONFIRMATION)
    certificate = order.certificate  # the signed wire document: these members are required there
    addressee = certificate["addressee"]
    return OrderFacts(
        order_type=order.order_type,
        instrument=order.instrument,
        country=certificate["issuing_authority"]["country"],
        categories=tuple(certificate["data_categories"]),
        addressee=f"{addressee['provider']['name']} ({addressee['country']})",
        emergency=order.emergency,
        targets=len(certificate["targets"]),
        ex_post_validation_required=order.ex_post_validation_required,
        status=_status(order, compliance, reason),
        compliance=compliance,
        reason=reason,
        data_after=first_data - order.issued_at if first_data else None,
        confirmation_after=confirmation.received_at - order.issued_at
        if compliance and confirmation
        else None,
        notified=order.enforcing_authority_id is not None and Clock.ENFORCING_REVIEW in clocks,
        refusal_ground=refusals[-1]["ground"] if refusals else None,
        enforcement=_enforcement(bodies),
        ex_post=_ex_post(order, bodies, clocks.get(Clock.EX_POST_VALIDATION)),
    )


def _status(order: Order, compliance: str | None, reason: str | None) -> str:
    if compliance:
        return COMPLIED
    if reason:
        return NOT_COMPLIED
    return ENDED if order.state in ENDED_STATES else PENDING


def _enforcement(bodies: list[tuple[Message, dict[str, Any]]]) -> str | None:
    if not _first(bodies, MessageType.ENFORCEMENT_REQUEST):
        return None
    decisions = [b["outcome"] for m, b in bodies if m.message_type is MessageType.ENFORCEMENT_DECISION]
    return decisions[-1] if decisions else "awaiting_decision"


def _ex_post(
    order: Order, bodies: list[tuple[Message, dict[str, Any]]], clock: OrderClock | None
) -> str | None:
    """Art. 4(5): the validation decision, or none within 48 hours (the clock fired)."""
    if not order.ex_post_validation_required:
        return None
    decisions = [str(b["outcome"]) for m, b in bodies if m.message_type is MessageType.EX_POST_VALIDATION]
    if decisions:
        return decisions[-1]
    if clock is not None and clock.status == FIRED and order.deletion_required:
        return "not_obtained_in_time"
    return "awaiting"


def _first(bodies: Iterable[tuple[Message, dict[str, Any]]], kind: MessageType) -> Message | None:
    return next((message for message, _ in bodies if message.message_type is kind), None)


def _body(message: Message) -> dict[str, Any]:
    """The message body; stored messages were verified on arrival, so they are read, not verified again."""
    return dict(json.loads(crypto.jws_payload_unverified(message.jws))["body"])


def split(items: Sequence[OrderFacts]) -> dict[str, Any]:
    """How many, in total and by data category, addressee and emergency.

    An order asking for several categories counts once under each of them and once in the total,
    so the categories may add up to more than the total.
    """
    categories = Counter({category.value: 0 for category in DataCategory})
    categories.update(category for item in items for category in item.categories)
    return {
        "total": len(items),
        "by_data_category": dict(categories),
        "by_addressee": dict(sorted(Counter(item.addressee for item in items).items())),
        "by_emergency": {
            "emergency": sum(item.emergency for item in items),
            "non_emergency": sum(not item.emergency for item in items),
        },
    }


def averages(
    items: Sequence[OrderFacts], measure: Callable[[OrderFacts], timedelta | None]
) -> dict[str, Any]:
    """The average of `measure` over the items that have it, split like `split`."""
    measured = [item for item in items if measure(item) is not None]

    def average(group: Sequence[OrderFacts]) -> dict[str, Any]:
        durations = [measure(item) for item in group]
        total = sum((d for d in durations if d is not None), timedelta())
        mean = round(total.total_seconds() / len(group), 1) if group else None
        return {"count": len(group), "average_seconds": mean, "average": human(mean)}

    addressees = sorted({item.addressee for item in measured})
    return {
        "total": average(measured),
        "by_data_category": {
            category.value: average([i for i in measured if category.value in i.categories])
            for category in DataCategory
        },
        "by_addressee": {name: average([i for i in measured if i.addressee == name]) for name in addressees},
        "by_emergency": {
            "emergency": average([i for i in measured if i.emergency]),
            "non_emergency": average([i for i in measured if not i.emergency]),
        },
    }


def human(seconds: float | None) -> str | None:
    """A duration as people read it: "2 d 3 h 5 min", or seconds when under a minute."""
    if seconds is None:
        return None
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min")]
    return " ".join(f"{value} {unit}" for value, unit in parts if value)


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def art28_figures(session: orm.Session, period: Period, country: str | None) -> dict[str, Any]:
    """The figures of the Art. 28 report, as build() computed them."""
    statement = (
        sa.select(Order)
        .where(
            Order.instrument == Instrument.REG_2023_1543.value,
            Order.issued_at >= period.start,
            Order.issued_at < period.end,
        )
        .order_by(Order.issued_at, Order.id)
    )
    orders = [item for item in collect(session, statement) if country is None or item.country == country]
    return figures(orders)


def figures(orders: list[OrderFacts]) -> dict[str, Any]:
    """Points (a) to (j) for the orders in scope."""
    epocs = [o for o in orders if o.order_type is OrderType.EPOC]
    preservations = [o for o in orders if o.order_type is OrderType.EPOC_PR]
    refused = [o for o in epocs if o.refusal_ground]
    return {
        "a": {"epoc": split(epocs), "epoc_pr": split(preservations)},
        "b": {"epoc": sum(o.ex_post_validation_required for o in epocs)},
        "c": {"epoc": compliance(epocs, partial=True), "epoc_pr": compliance(preservations, partial=False)},
        "d": {
            "notifications": split([o for o in epocs if o.notified]),
            "refused": {
                **split(refused),
                "by_ground": {
                    g.value: sum(o.refusal_ground == g.value for o in refused) for g in RefusalGround
                },
            },
        },
        "e": {"epoc": averages([o for o in epocs if o.status == COMPLIED], lambda o: o.data_after)},
        "f": {
            "epoc_pr": averages(
                [o for o in preservations if o.status == COMPLIED], lambda o: o.confirmation_after
            )
        },
        "g": {"epoc": enforcement(epocs), "epoc_pr": enforcement(preservations)},
        "h": None,
        "i": ex_post(orders),
        "j": None,
    }


def compliance(orders: list[OrderFacts], *, partial: bool) -> dict[str, Any]:
    """Point (c) for one kind of order."""
    not_complied = [o for o in orders if o.status == NOT_COMPLIED]
    result = {"complied": split([o for o in orders if o.status == COMPLIED])}
    if partial:
        result["complied_partially"] = split([o for o in orders if o.compliance == "partially_produced"])
    result["not_complied"] = {
        **split(not_complied),
        "by_reason": {reason: sum(o.reason == reason for o in not_complied) for reason in REASONS},
    }
    result["pending"] = split([o for o in orders if o.status == PENDING])
    result["ended_without_answer"] = split([o for o in orders if o.status == ENDED])
    return result


def enforcement(orders: list[OrderFacts]) -> dict[str, int]:
    """Point (g) for one kind of order."""
    sent = [o.enforcement for o in orders if o.enforcement]
    return {
        "requests": len(sent),
        "recognised": sent.count("recognised"),
        "refused": sent.count("refused"),
        "awaiting_decision": sent.count("awaiting_decision"),
    }


def ex_post(orders: list[OrderFacts]) -> dict[str, int]:
    """Point (i), over both kinds of order (Art. 4(5) covers both)."""
    outcomes = [o.ex_post for o in orders if o.ex_post]
    refused, late = outcomes.count("refused"), outcomes.count("not_obtained_in_time")
    return {
        "required": len(outcomes),
        "not_granted": refused + late,
        "refused": refused,
        "not_obtained_in_time": late,
        "granted": outcomes.count("granted"),
        "awaiting": outcomes.count("awaiting"),
    }


def transparency_figures(session: orm.Session, period: Period, provider: Organisation) -> dict[str, Any]:
    """The figures of the transparency report, as build() computed them."""
    statement = (
        sa.select(Order)
        .where(
            Order.provider_id == provider.id,
            Order.received_at >= period.start,
            Order.received_at < period.end,
        )
        .order_by(Order.received_at, Order.id)
    )
    orders = collect(session, statement)
    countries = sorted({o.country for o in orders})
    return {
        "total": with_instruments(orders),
        "by_country": {c: with_instruments([o for o in orders if o.country == c]) for c in countries},
    }


def with_instruments(orders: Sequence[OrderFacts]) -> dict[str, Any]:
    """The row of these orders, and one per instrument among them."""
    instruments = sorted({o.instrument for o in orders})
    return {
        **row(orders),
        "by_instrument": {i: row([o for o in orders if o.instrument == i]) for i in instruments},
    }


def row(orders: Sequence[OrderFacts]) -> dict[str, Any]:
    """The published figures of these orders."""
    disclosed = sum(o.compliance in PRODUCING for o in orders)
    preservation = sum(o.order_type is OrderType.EPOC_PR for o in orders)
    return {
        "requests": len(orders),
        "production_requests": len(orders) - preservation,
        "preservation_requests": preservation,
        "accounts_specified": sum(o.targets for o in orders),
        "some_data_disclosed": disclosed,
        "percentage_some_data_disclosed": share(disclosed, len(orders)),
        "emergency": sum(o.emergency for o in orders),
        "legal_process": sum(not o.emergency for o in orders),
    }
