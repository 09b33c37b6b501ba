"""Which tally rows one order's facts count in: the keys and amounts that recount adds or takes away.

Pure: no database. An order counts in the day, the month and the year it was issued (Art. 28) and
received (transparency), in UTC, so that any period of whole days is a handful of spans; see
broker.reports.period.spans.
"""

from collections.abc import Iterator
from datetime import date
from datetime import datetime
from typing import Any

from broker.reports.facts import OrderFacts
from broker.reports.models import NONE
from broker.reports.models import Art28Tally
from broker.reports.models import TransparencyTally
from broker.vocabulary import Instrument

# Key and measure columns of each tally, in the order its primary key lists them.
ART28_KEY = tuple(column.name for column in Art28Tally.__table__.primary_key)
ART28_MEASURES = ("orders", "data_orders", "data_us", "confirmations", "confirmation_us")
TRANSPARENCY_KEY = tuple(column.name for column in TransparencyTally.__table__.primary_key)
TRANSPARENCY_MEASURES = ("requests", "targets")

Key = tuple[Any, ...]
Amounts = tuple[int, ...]


def spans_of(moment: datetime) -> list[tuple[str, date]]:
    """The day, month and year (UTC) that `moment` falls in, each named by its first day."""
    day = moment.date()
    return [("day", day), ("month", day.replace(day=1)), ("year", date(day.year, 1, 1))]


def art28_cells(facts: OrderFacts) -> Iterator[tuple[Key, Amounts]]:
    """The Art. 28 tally rows of an order (key in ART28_KEY order, amounts in ART28_MEASURES order)."""
    if facts.instrument != Instrument.REG_2023_1543.value:
        return
    label = (
        facts.country,
        facts.order_type.value,
        facts.status,
        facts.reason or NONE,
        facts.compliance == "partially_produced",
        facts.notified,
        facts.refusal_ground or NONE,
    )
    amounts = (
        1,
        int(facts.data_after_us is not None),
        facts.data_after_us or 0,
        int(facts.confirmation_after_us is not None),
        facts.confirmation_after_us or 0,
    )
    splits = [("category", category) for category in facts.categories]
    splits += [("addressee", facts.addressee), ("emergency", emergency_value(facts.emergency))]
    if facts.enforcement:
        splits.append(("enforcement", facts.enforcement))
    if facts.ex_post:
        splits.append(("ex_post", facts.ex_post))
    for span, bucket in spans_of(facts.issued_at):
        for dimension, value in splits:
            yield (span, bucket, *label, dimension, value), amounts


def transparency_cells(facts: OrderFacts) -> Iterator[tuple[Key, Amounts]]:
    """The transparency tally rows of an order once its provider received it, every instrument."""
    if facts.received_at is None:
        return
    disclosed = facts.compliance in ("produced", "partially_produced")
    for span, bucket in spans_of(facts.received_at):
        key = (
            facts.provider_id,
            span,
            bucket,
            facts.country,
            facts.instrument,
            facts.order_type.value,
            facts.emergency,
            disclosed,
        )
        yield key, (1, facts.targets)


def emergency_value(emergency: bool) -> str:
    return "emergency" if emergency else "non_emergency"


def changes(
    before: OrderFacts | None, after: OrderFacts | None
) -> tuple[dict[Key, Amounts], dict[Key, Amounts]]:
    """What moving an order from `before` to `after` adds to each tally row (negative: takes away).

    Rows whose amounts would not change are left out, so an answer that moves nothing writes nothing.
    """
    art28: dict[Key, list[int]] = {}
    transparency: dict[Key, list[int]] = {}
    for facts, sign in ((before, -1), (after, 1)):
        if facts is None:
            continue
        for table, cells in ((art28, art28_cells(facts)), (transparency, transparency_cells(facts))):
            for key, amounts in cells:
                total = table.setdefault(key, [0] * len(amounts))
                for index, amount in enumerate(amounts):
                    total[index] += sign * amount
    return (
        {key: tuple(amounts) for key, amounts in art28.items() if any(amounts)},
        {key: tuple(amounts) for key, amounts in transparency.items() if any(amounts)},
    )
