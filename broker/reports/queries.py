"""Reading the tallies of a period: each report is one grouped sum over a few thousand tally rows.

The period becomes a handful of runs of years, months and days (broker.reports.period.spans); each
run is a range of the tally's primary key, which starts with (span, bucket), so the database reads
only the rows of those spans, however many orders they count. The changes the worker has not folded
into the tallies yet (broker.reports.models, `…_changes`) are read with them, so a report is
current to the last committed order.
"""

import uuid
from typing import Any
from typing import cast

import sqlalchemy as sa

from broker.reports.models import ART28_CHANGES
from broker.reports.models import TRANSPARENCY_CHANGES
from broker.reports.models import Art28Tally
from broker.reports.models import TransparencyTally
from broker.reports.period import Period
from broker.reports.period import spans

ART28_LABEL = (
    "order_type",
    "status",
    "reason",
    "partial",
    "notified",
    "refusal_ground",
    "dimension",
    "value",
)
ART28_SUMS = ("orders", "data_orders", "data_us", "confirmations", "confirmation_us")
TRANSPARENCY_LABEL = ("country", "instrument", "order_type", "emergency", "disclosed")
TRANSPARENCY_SUMS = ("requests", "targets")


def total(column: sa.ColumnElement[int]) -> sa.Cast[int]:
    """A column's sum as an integer: PostgreSQL sums BIGINT as NUMERIC, which Python reads as Decimal."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def in_period(table: sa.Table, period: Period) -> sa.ColumnElement[bool]:
    """The rows of exactly `period`: each run of spans is one key range."""
    runs = [
        sa.and_(table.c.span == span, table.c.bucket >= first, table.c.bucket < following)
        for span, first, following in spans(period)
    ]
    return sa.or_(*runs) if runs else sa.false()


def _summed(
    tables: tuple[sa.Table, sa.Table], label: tuple[str, ...], sums: tuple[str, ...], where: dict[str, Any]
) -> sa.Select[Any]:
    """The label's sums over the folded tally rows and the changes not folded yet, alike filtered."""
    parts = [
        sa.select(*(table.c[name] for name in label + sums)).where(
            *(table.c[name] == value for name, value in where.items() if name != "period"),
            in_period(table, where["period"]),
        )
        for table in tables
    ]
    rows = sa.union_all(*parts).subquery()
    return sa.select(*(rows.c[name] for name in label), *(total(rows.c[name]) for name in sums)).group_by(
        *(rows.c[name] for name in label)
    )


def art28_tallies(period: Period, country: str | None) -> sa.Select[Any]:
    """Orders of the Regulation issued in `period` (from `country`, or every State), summed per label."""
    where: dict[str, Any] = {"period": period} | ({"country": country} if country is not None else {})
    return _summed((cast(sa.Table, Art28Tally.__table__), ART28_CHANGES), ART28_LABEL, ART28_SUMS, where)


def transparency_tallies(period: Period, provider_id: uuid.UUID) -> sa.Select[Any]:
    """Orders `provider_id` received in `period`, summed per requesting State, instrument and kind."""
    tables = (cast(sa.Table, TransparencyTally.__table__), TRANSPARENCY_CHANGES)
    return _summed(
        tables, TRANSPARENCY_LABEL, TRANSPARENCY_SUMS, {"period": period, "provider_id": provider_id}
    )
