"""Keeping the statistics current, and reading a report: who may read which, and the log entry left.

Every operation that changes an issued order calls `recount` last, in the same transaction as the
change: the order's facts are worked out again from its messages and clocks, and what it counted as
before is moved to what it counts as now, appended as changes that `fold` (the worker) adds into
the tallies. A report then only adds up tallies and changes
(broker.reports.art28, broker.reports.transparency); reading one writes only the audit entry naming
who read which report for which period. `rebuild` counts everything again from the orders, after a
change made outside the operations (a repair by hand, a restored backup).
"""

import uuid
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import fields
from typing import Any
from typing import cast

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.operations import record
from broker.clock import Clock
from broker.db import Database
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import transparency
from broker.reports.facts import OrderFacts
from broker.reports.facts import facts_of
from broker.reports.models import ART28_CHANGES
from broker.reports.models import TRANSPARENCY_CHANGES
from broker.reports.models import Art28Tally
from broker.reports.models import CountedOrder
from broker.reports.models import TransparencyTally
from broker.reports.period import Period
from broker.reports.tallies import ART28_KEY
from broker.reports.tallies import ART28_MEASURES
from broker.reports.tallies import TRANSPARENCY_KEY
from broker.reports.tallies import TRANSPARENCY_MEASURES
from broker.reports.tallies import Amounts
from broker.reports.tallies import Key
from broker.reports.tallies import art28_cells
from broker.reports.tallies import changes
from broker.reports.tallies import transparency_cells
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind

BATCH = 1000  # orders counted again per round of `rebuild`, so its memory stays flat
FLUSH_AT = 50_000  # tally rows `rebuild` adds up in memory before writing them
FOLD_BATCH = 5000  # changes folded into the tallies per transaction

# Orders the tallies here do not count: removal orders have reports of their own (broker.reports.removal).
# A UK overseas production order is counted: in the transparency report, per instrument, as the provider
# received it; never in Art. 28's, which counts only the Regulation's certificates (tallies.art28_cells).
NOT_COUNTED = (OrderType.REMOVAL_ORDER,)


def recount(session: orm.Session, order: Order) -> None:
    """Bring the statistics up to date with `order` as it now stands, in the caller's transaction.

    The order's row is locked first (on PostgreSQL; SQLite has one writer at a time) and read
    afresh with its counted messages and clocks, so two steps on one order count one after the
    other, the second from what the first committed. Nothing is written if the facts did not change.
    """
    session.flush()
    current = session.scalars(
        sa.select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if current.issued_at is None or current.order_type in NOT_COUNTED:
        # A draft counts nowhere; nor does a removal order here: Regulation (EU) 2021/784's figures are
        # counted from the orders themselves (broker.reports.removal).
        return
    after = facts_of(session, [current])[0]
    row = session.get(CountedOrder, current.id, populate_existing=True)
    before = _facts(row) if row is not None else None
    if before == after:
        return
    art28_changes, transparency_changes = changes(before, after)
    _append(session, ART28_CHANGES, ART28_KEY + ART28_MEASURES, art28_changes.items())
    _append(
        session, TRANSPARENCY_CHANGES, TRANSPARENCY_KEY + TRANSPARENCY_MEASURES, transparency_changes.items()
    )
    if row is None:
        session.add(CountedOrder(**asdict(after)))
    else:
        for name, value in asdict(after).items():
            setattr(row, name, value)


def fold(session: orm.Session, limit: int = FOLD_BATCH) -> int:
    """Add up to `limit` of the oldest unfolded changes into the tallies and delete them; how many.

    On PostgreSQL the changes are claimed with SKIP LOCKED, so a second worker folds others, or
    none, instead of waiting; the tally rows are updated in key order, so two folds cannot deadlock.
    A report reads tallies and changes together, so it answers the same before and after.
    """
    folded = 0
    for changes_table, tally, key, measures in (
        (ART28_CHANGES, Art28Tally, ART28_KEY, ART28_MEASURES),
        (TRANSPARENCY_CHANGES, TransparencyTally, TRANSPARENCY_KEY, TRANSPARENCY_MEASURES),
    ):
        claim = (
            sa.select(changes_table.c.id, *(changes_table.c[name] for name in key + measures))
            .order_by(changes_table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = session.execute(claim).all()
        if not rows:
            continue
        sums: dict[Key, list[int]] = {}
        _sum_into(sums, ((tuple(row[1 : 1 + len(key)]), tuple(row[1 + len(key) :])) for row in rows))
        _add(session, tally, key, measures, ((k, tuple(a)) for k, a in sums.items() if any(a)))
        session.execute(sa.delete(changes_table).where(changes_table.c.id.in_([row.id for row in rows])))
        folded += len(rows)
    return folded


def fold_all(database: Database) -> int:
    """Fold every change into the tallies, batch by batch, each in its own short transaction."""
    total = 0
    while True:
        with database.transaction() as session:
            done = fold(session)
        total += done
        if done == 0:
            return total


def rebuild(session: orm.Session) -> int:
    """Count every issued order again from its messages and clocks, then every tally; how many orders.

    In rounds of BATCH orders, so memory does not grow with the number of orders.
    """
    session.execute(sa.delete(CountedOrder))
    counted, last = 0, None
    while True:
        statement = (
            sa.select(Order)
            .where(Order.issued_at.is_not(None), Order.order_type.notin_(NOT_COUNTED))
            .order_by(Order.id)
            .limit(BATCH)
        )
        if last is not None:
            statement = statement.where(Order.id > last)
        orders = session.scalars(statement).all()
        if not orders:
            break
        session.add_all([CountedOrder(**asdict(facts)) for facts in facts_of(session, orders)])
        session.flush()
        counted, last = counted + len(orders), orders[-1].id
    retally(session)
    return counted


def retally(session: orm.Session) -> None:
    """Every tally again from `report_orders`, in rounds, adding up at most FLUSH_AT rows in memory.

    The unfolded changes go too: `report_orders` already holds the facts they were counting towards.
    """
    for table in (ART28_CHANGES, TRANSPARENCY_CHANGES, Art28Tally, TransparencyTally):
        session.execute(sa.delete(table))
    columns = [getattr(CountedOrder, field.name) for field in fields(OrderFacts)]
    art28: dict[Key, list[int]] = {}
    received: dict[Key, list[int]] = {}
    last = None
    while True:
        statement = sa.select(*columns).order_by(CountedOrder.order_id).limit(BATCH * 10)
        if last is not None:
            statement = statement.where(CountedOrder.order_id > last)
        rows = session.execute(statement).all()
        if not rows:
            break
        for row in rows:
            facts = OrderFacts(*row)
            _sum_into(art28, art28_cells(facts))
            _sum_into(received, transparency_cells(facts))
        if len(art28) + len(received) > FLUSH_AT:
            _add_all(session, art28, received)
            art28, received = {}, {}
        last = rows[-1][0]
    _add_all(session, art28, received)


def _sum_into(into: dict[Key, list[int]], cells: Iterable[tuple[Key, Amounts]]) -> None:
    for key, amounts in cells:
        total = into.get(key)
        if total is None:
            into[key] = list(amounts)
        else:
            for index, amount in enumerate(amounts):
                total[index] += amount


def _add_all(session: orm.Session, art28: dict[Key, list[int]], received: dict[Key, list[int]]) -> None:
    _add(session, Art28Tally, ART28_KEY, ART28_MEASURES, ((k, tuple(a)) for k, a in art28.items()))
    _add(
        session,
        TransparencyTally,
        TRANSPARENCY_KEY,
        TRANSPARENCY_MEASURES,
        ((k, tuple(a)) for k, a in received.items()),
    )


def _add(
    session: orm.Session,
    tally: type[Art28Tally] | type[TransparencyTally],
    key: tuple[str, ...],
    measures: tuple[str, ...],
    amounts: Iterable[tuple[Key, Amounts]],
) -> None:
    """Add `amounts` to the tally rows of their keys, creating the rows that do not exist yet.

    One INSERT … ON CONFLICT DO UPDATE, executed for many rows (SQLAlchemy sends them to PostgreSQL
    as a few multi-row statements). Rows go in key order, so concurrent transactions lock shared
    rows in the same order and cannot deadlock on them.
    """
    rows = [dict(zip(key + measures, k + a, strict=True)) for k, a in sorted(amounts)]
    if rows:
        table = cast(sa.Table, tally.__table__)
        session.execute(_adding(session.get_bind().dialect.name, table, key, measures), rows)


def _append(
    session: orm.Session, table: sa.Table, columns: tuple[str, ...], amounts: Iterable[tuple[Key, Amounts]]
) -> None:
    """Append what an order's change adds to (or, negative, takes from) each tally row: inserts only."""
    rows = [dict(zip(columns, k + a, strict=True)) for k, a in amounts]
    if rows:
        session.execute(sa.insert(table), rows)


def _adding(dialect: str, table: sa.Table, key: tuple[str, ...], measures: tuple[str, ...]) -> sa.Executable:
    """INSERT … ON CONFLICT (key) DO UPDATE adding the measures: the two databases the broker runs on."""
    if dialect == "postgresql":
        on_postgresql = postgresql.insert(table)
        added = {name: table.c[name] + on_postgresql.excluded[name] for name in measures}
        return on_postgresql.on_conflict_do_update(index_elements=list(key), set_=added)
    on_sqlite = sqlite.insert(table)
    added = {name: table.c[name] + on_sqlite.excluded[name] for name in measures}
    return on_sqlite.on_conflict_do_update(index_elements=list(key), set_=added)


def _facts(row: CountedOrder) -> OrderFacts:
    return OrderFacts(**{field.name: getattr(row, field.name) for field in fields(OrderFacts)})


def read_art28(
    session: orm.Session, clock: Clock, actor: Actor, period: Period, country: str | None
) -> dict[str, Any]:
    """Art. 28 statistics: oversight bodies for any State or all, an issuing authority for its own State."""
    kinds = [OrganisationKind.OVERSIGHT_BODY, OrganisationKind.ISSUING_AUTHORITY]
    require_kind(actor, kinds, "read Art. 28 statistics", writes=False)
    if actor.kind is OrganisationKind.ISSUING_AUTHORITY:
        own = session.get_one(Organisation, actor.organisation_id).country
        if country not in (None, own):
            raise problems.Forbidden(
                f"an issuing authority reads its own State's statistics ({own}), not {country}'s"
            )
        country = own
    _log(session, clock, actor, "art28", period, {"country": country})
    return art28.build(session, clock, period, country)


def read_transparency(
    session: orm.Session, clock: Clock, actor: Actor, period: Period, provider_id: uuid.UUID | None
) -> dict[str, Any]:
    """A provider's transparency report: the provider its own, oversight bodies any provider's."""
    kinds = [OrganisationKind.PROVIDER, OrganisationKind.OVERSIGHT_BODY]
    require_kind(actor, kinds, "read transparency reports", writes=False)
    provider = _provider(session, actor, provider_id)
    _log(session, clock, actor, "transparency", period, {"provider": str(provider.id)})
    return transparency.build(session, clock, period, provider)


def _provider(session: orm.Session, actor: Actor, wanted: uuid.UUID | None) -> Organisation:
    if actor.kind is OrganisationKind.PROVIDER:
        if wanted not in (None, actor.organisation_id):
            raise problems.Forbidden("a provider reads its own transparency report only")
        return session.get_one(Organisation, actor.organisation_id)
    if wanted is None:
        raise problems.ValidationFailed(
            "the request query is invalid",
            errors={"provider": ["required: the provider whose report to read"]},
        )
    provider = session.get(Organisation, wanted)
    if provider is None or provider.kind is not OrganisationKind.PROVIDER:
        raise problems.InvalidReference(f"no provider {wanted} is registered")
    return provider


def _log(
    session: orm.Session, clock: Clock, actor: Actor, kind: str, period: Period, scope: dict[str, Any]
) -> None:
    """Reading statistics is a use of the token like any other: who read which report, never the figures."""
    window = period.to_dict()
    details = {"period": {"start": window["start"], "end": window["end"]}, **scope}
    record(
        session,
        clock,
        action="report.read",
        object_type="report",
        object_id=kind,
        actor=actor,
        details=details,
    )
