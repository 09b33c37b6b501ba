"""What the reports count, kept current as orders change, so a report never reads the orders themselves.

`report_orders` holds each issued order's facts (broker.reports.facts) as they stand after its latest
change; the two tally tables hold their sums per day, month and year, so a year's report reads one
year's tallies instead of a million orders. broker.reports.operations.recount keeps them in step
with the order, in the transaction that changes it; a row of `report_orders` also says what the order
counted as until then, which is what is taken out of the tallies when it moves on.

A change does not update the tallies themselves: thousands of orders of one State and day share a
tally row, and a row updated by every such transaction would make each wait for the one before it
to commit, as the single log head once did. The change appends what it adds and takes away to a
`…_changes` table instead (an insert, which never waits for another), the worker folds the changes
into the tallies every round, and a report reads both.
"""

import uuid
from datetime import date
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm

from broker.db import Base
from broker.db import enum_column
from broker.vocabulary import OrderType

# A tally's period: the day, month or year starting on its `bucket` (UTC).
SPANS = ("day", "month", "year")
SPAN_CHECK = "span IN ('day', 'month', 'year')"
NONE = ""  # a key column's "none" (reason, refusal ground): primary keys take no NULL


class CountedOrder(Base):
    """One issued order as the statistics count it: the columns of broker.reports.facts.OrderFacts."""

    __tablename__ = "report_orders"

    order_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    instrument: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    order_type: orm.Mapped[OrderType] = orm.mapped_column(enum_column(OrderType, "order_type"))
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2))
    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("organisations.id"))
    addressee: orm.Mapped[str] = orm.mapped_column(sa.String(300))
    categories: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON)
    emergency: orm.Mapped[bool]
    targets: orm.Mapped[int]
    issued_at: orm.Mapped[datetime]
    received_at: orm.Mapped[datetime | None]
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    compliance: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    notified: orm.Mapped[bool]
    refusal_ground: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    enforcement: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    ex_post: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    data_after_us: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    confirmation_after_us: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)

    def __repr__(self) -> str:
        return f"<CountedOrder {self.order_id} {self.order_type} {self.status}>"


class Art28Tally(Base):
    """Orders under the Regulation issued in one span, with one label, counted under one split value.

    The label (issuing State, order type, status, reason, partial, notified, refusal ground) picks
    the figures an order counts in; `dimension` and `value` say under which split: each order counts
    once under `emergency` (which therefore gives the totals), once under `addressee`, once under each
    of its data categories (`category`), and once under `enforcement` and `ex_post` when it has one.
    """

    __tablename__ = "report_art28_tallies"
    __table_args__ = (sa.CheckConstraint(SPAN_CHECK, name="span"),)

    span: orm.Mapped[str] = orm.mapped_column(sa.String(8), primary_key=True)
    bucket: orm.Mapped[date] = orm.mapped_column(primary_key=True)
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2), primary_key=True)
    order_type: orm.Mapped[OrderType] = orm.mapped_column(
        enum_column(OrderType, "order_type"), primary_key=True
    )
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
    reason: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
    partial: orm.Mapped[bool] = orm.mapped_column(primary_key=True)
    notified: orm.Mapped[bool] = orm.mapped_column(primary_key=True)
    refusal_ground: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    dimension: orm.Mapped[str] = orm.mapped_column(sa.String(16), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(300), primary_key=True)
    orders: orm.Mapped[int]
    # Point (e): orders with data produced, and the sum of their issue-to-data times.
    data_orders: orm.Mapped[int]
    data_us: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)
    # Point (f): preservations confirmed by a production request, and the sum of issue-to-confirmation.
    confirmations: orm.Mapped[int]
    confirmation_us: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)


class TransparencyTally(Base):
    """Orders a provider received in one span, by requesting State, instrument, type, emergency, disclosure."""

    __tablename__ = "report_transparency_tallies"
    __table_args__ = (sa.CheckConstraint(SPAN_CHECK, name="span"),)

    provider_id: orm.Mapped[uuid.UUID] = orm.mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True
    )
    span: orm.Mapped[str] = orm.mapped_column(sa.String(8), primary_key=True)
    bucket: orm.Mapped[date] = orm.mapped_column(primary_key=True)
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2), primary_key=True)
    instrument: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
    order_type: orm.Mapped[OrderType] = orm.mapped_column(
        enum_column(OrderType, "order_type"), primary_key=True
    )
    emergency: orm.Mapped[bool] = orm.mapped_column(primary_key=True)
    disclosed: orm.Mapped[bool] = orm.mapped_column(primary_key=True)
    requests: orm.Mapped[int]
    targets: orm.Mapped[int]


def _changes_of(tally: sa.Table, name: str) -> sa.Table:
    """An append-only table of additions to `tally`: its key and measure columns, and a sequence id."""
    columns = [sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)]
    columns += [sa.Column(column.name, column.type, nullable=False) for column in tally.columns]
    return sa.Table(name, Base.metadata, *columns)


ART28_CHANGES = _changes_of(cast(sa.Table, Art28Tally.__table__), "report_art28_changes")
TRANSPARENCY_CHANGES = _changes_of(cast(sa.Table, TransparencyTally.__table__), "report_transparency_changes")
