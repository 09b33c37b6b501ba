"""Reading the tallies of a period: each report is one grouped sum over a few thousand tally rows.

The period becomes a handful of runs of years, months and days (broker.reports.period.spans); each
run is a range of the tally's primary key, which starts with (span, bucket), so the database reads
only the rows of those spans, however many orders they count.
"""

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.reports.models import Art28Tally
from broker.reports.models import TransparencyTally
from broker.reports.period import Period
from broker.reports.period import spans

ART28_LABEL = (
    Art28Tally.order_type,
    Art28Tally.status,
    Art28Tally.reason,
    Art28Tally.partial,
    Art28Tally.notified,
    Art28Tally.refusal_ground,
    Art28Tally.dimension,
    Art28Tally.value,
)
TRANSPARENCY_LABEL = (
    TransparencyTally.country,
    TransparencyTally.instrument,
    TransparencyTally.order_type,
    TransparencyTally.emergency,
    TransparencyTally.disclosed,
)


def total(column: orm.InstrumentedAttribute[int]) -> sa.Cast[int]:
    """A column's sum as an integer: PostgreSQL sums BIGINT as NUMERIC, which Python reads as Decimal."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def in_period(tally: type[Art28Tally] | type[TransparencyTally], period: Period) -> sa.ColumnElement[bool]:
    """The tally rows of exactly `period`: each run of spans is one key range."""
    runs = [
        sa.and_(tally.span == span, tally.bucket >= first, tally.bucket < following)
        for span, first, following in spans(period)
    ]
    return sa.or_(*runs) if runs else sa.false()


def art28_tallies(period: Period, country: str | None) -> sa.Select[*tuple[Any, ...]]:
    """Orders of the Regulation issued in `period` (from `country`, or every State), summed per label."""
    statement = (
        sa.select(
            *ART28_LABEL,
            total(Art28Tally.orders),
            total(Art28Tally.data_orders),
            total(Art28Tally.data_us),
            total(Art28Tally.confirmations),
            total(Art28Tally.confirmation_us),
        )
        .where(in_period(Art28Tally, period))
        .group_by(*ART28_LABEL)
    )
    if country is not None:
        statement = statement.where(Art28Tally.country == country)
    return statement


def transparency_tallies(period: Period, provider_id: uuid.UUID) -> sa.Select[*tuple[Any, ...]]:
    """Orders `provider_id` received in `period`, summed per requesting State, instrument and kind."""
    return (
        sa.select(
            *TRANSPARENCY_LABEL,
            total(TransparencyTally.requests),
            total(TransparencyTally.targets),
        )
        .where(TransparencyTally.provider_id == provider_id, in_period(TransparencyTally, period))
        .group_by(*TRANSPARENCY_LABEL)
    )
