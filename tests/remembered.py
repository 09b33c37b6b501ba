"""Fixtures that write the same rows every time build them once per process, then copy them.

Most tests start from a world built through the operations: the registered network, a few orders in
known states, a year of reports. The same calls write the same rows at the same frozen instant every
time, and building them was a large share of the suite's time. `remember` runs such a build the first
time and notes what it changed in the database (rows added, changed, removed) and where it left the
clock. Next time, on a database in exactly the same state (every row equal) at the same instant, it
applies those changes and moves the clock instead of building again, and returns a copy of what the
build returned. So a test sees the rows the operations wrote, not rows written by hand.

Only what the database holds and the clock are carried over: a build whose tests depend on anything
else it does (files, an app's memory, a mock's calls) must not be remembered.

Telling whether the database is in a known state is what every use pays, so it is one statement:
every row of every table as the database quotes it (`fingerprint`). Reading the rows table by table is
left to the first build of each starting point, which must record what it changed; it reads them as
the same literals, so that what the build changed is kept as SQL text that writes it again.
"""

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import TypeVar

import sqlalchemy as sa

from broker.clock import FrozenClock
from broker.db import Base
from broker.db import Database

Key = tuple[Any, ...]
T = TypeVar("T")
# A table's rows by primary key, each row as its columns' SQL literals, in the table's column order.
TableRows = dict[tuple[str, ...], tuple[str, ...]]

# Which tables hold a row, in one statement.
HOLDING = sa.union_all(
    *(
        sa.select(sa.literal(table.name)).where(sa.exists(sa.select(sa.literal(1)).select_from(table)))
        for table in Base.metadata.sorted_tables
    )
)
TABLES = {table.name: table for table in Base.metadata.sorted_tables}


def _primary_key(table: sa.Table) -> list[int]:
    """The positions of the table's primary key among its columns."""
    positions = [index for index, column in enumerate(table.columns) if column.primary_key]
    assert positions, f"{table.name} has no primary key: its rows cannot be told apart"
    return positions


def _literals(table: sa.Table, dialect: sa.Dialect) -> list[str]:
    """Each column of the table as the SQL literal that reads back as its value (text, number, blob, NULL).

    SQLite's quote() and PostgreSQL's quote_nullable() write them, so equal rows give equal texts,
    different rows different ones, and a row can be written again from its texts alone.
    """
    quote = "quote" if dialect.name == "sqlite" else "quote_nullable"
    preparer = dialect.identifier_preparer
    return [f"{quote}({preparer.quote(column.name)})" for column in table.columns]


def read(database: Database) -> dict[str, TableRows]:
    """Every row of every table that holds one, by table and primary key, as SQL literals."""
    dialect = database.engine.dialect
    state: dict[str, TableRows] = {}
    with database.engine.connect() as connection:
        for name in connection.scalars(HOLDING):
            table, key = TABLES[name], _primary_key(TABLES[name])
            columns = ", ".join(_literals(table, dialect))
            select = f"SELECT {columns} FROM {dialect.identifier_preparer.format_table(table)}"  # noqa: S608
            rows = [tuple(row) for row in connection.exec_driver_sql(select)]
            state[name] = {tuple(row[index] for index in key): row for row in rows}
    return state


def _joined(table: sa.Table, dialect: sa.Dialect) -> str:
    """A SELECT of the table's rows, each as (table, its columns' literals joined by commas)."""
    joined = " || ',' || ".join(_literals(table, dialect))
    return f"SELECT '{table.name}', {joined} FROM {dialect.identifier_preparer.format_table(table)}"  # noqa: S608


def fingerprint(database: Database) -> str:
    """A fingerprint of every row in the database: equal for equal contents, in two statements.

    The first names the tables that hold rows, the second reads those tables' rows as literals:
    planning a read of every table, most of them empty, took longer than both on PostgreSQL.
    """
    dialect = database.engine.dialect
    with autocommit(database) as connection:
        holding = list(connection.scalars(HOLDING))
        if not holding:
            return hashlib.sha256(b"[]").hexdigest()
        statement = " UNION ALL ".join(_joined(TABLES[name], dialect) for name in holding)
        rows = sorted(tuple(row) for row in connection.exec_driver_sql(statement))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def autocommit(database: Database) -> sa.Connection:
    """A connection outside any transaction: no BEGIN and no ROLLBACK around its statements (two round
    trips fewer on PostgreSQL), and what must run outside one (VACUUM) can."""
    return database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def run_script(database: Database, statements: list[str]) -> None:
    """Statements without parameters, in order and all or none: one round trip on PostgreSQL.

    PostgreSQL runs the statements of one text as one transaction of their own, so no BEGIN and
    COMMIT are sent around them. sqlite3 takes one statement per call, and its calls cost no round
    trip, so they run one by one in a transaction.
    """
    if database.engine.dialect.name == "sqlite":
        with database.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    elif statements:
        with autocommit(database) as connection:
            connection.exec_driver_sql(";\n".join(statements))


def _sequence_past_rows(table: sa.Table, dialect: sa.Dialect) -> list[str]:
    """On PostgreSQL, the statement that sets the table's id sequence to its highest id, if it has one.

    Rows written again carry the ids their build drew; the sequence must not hand them out again. It
    could: a test that migrates down and up again recreates a table, and its sequence starts at 1.
    (SQLite gives a new row the highest rowid plus one by itself.)
    """
    column = table.autoincrement_column
    if dialect.name != "postgresql" or column is None:
        return []
    target, name = (
        dialect.identifier_preparer.format_table(table),
        dialect.identifier_preparer.quote(column.name),
    )
    return [f"SELECT setval(pg_get_serial_sequence('{target}', '{column.name}'), max({name})) FROM {target}"]  # noqa: S608


def _where(key: list[str], values: tuple[str, ...]) -> str:
    """The condition that picks one row: each primary-key column equal to its literal."""
    return " AND ".join(f"{column} = {value}" for column, value in zip(key, values, strict=True))


@dataclass(frozen=True)
class Changes:
    """What a build did to the rows, as the statements that do it again on an equal database.

    The statements carry their values as literals, written once when the build is first run, so that
    doing it again sends one text rather than binding every value of every row again.
    """

    statements: list[str]

    @classmethod
    def between(
        cls, before: dict[str, TableRows], after: dict[str, TableRows], dialect: sa.Dialect
    ) -> "Changes":
        preparer = dialect.identifier_preparer
        removed: list[str] = []
        changed: list[str] = []
        added: list[str] = []
        for name, table in TABLES.items():
            old, new = before.get(name, {}), after.get(name, {})
            columns = [preparer.quote(column.name) for column in table.columns]
            key = [columns[index] for index in _primary_key(table)]
            target = preparer.format_table(table)
            removed += [f"DELETE FROM {target} WHERE {_where(key, k)}" for k in old if k not in new]  # noqa: S608
            for k, row in new.items():
                if k in old and old[k] != row:
                    sets = ", ".join(
                        f"{c} = {v}" for c, v, was in zip(columns, row, old[k], strict=True) if v != was
                    )
                    changed.append(f"UPDATE {target} SET {sets} WHERE {_where(key, k)}")  # noqa: S608
            fresh = [f"({', '.join(row)})" for k, row in new.items() if k not in old]
            if fresh:
                added.append(f"INSERT INTO {target} ({', '.join(columns)}) VALUES {', '.join(fresh)}")  # noqa: S608
                added += _sequence_past_rows(table, dialect)
        # Children before their parents out, parents before their children in (the metadata's order).
        return cls([*reversed(removed), *changed, *added])

    def apply(self, database: Database) -> None:
        run_script(database, self.statements)


@dataclass(frozen=True)
class Remembered:
    changes: Changes
    clock_after: datetime
    result: Any


# What each build did in this process, by its key, the rows it started from and the instant.
_KNOWN: dict[tuple[Key, str, datetime], Remembered] = {}


def remember(
    database: Database,
    clock: FrozenClock,
    key: Key,
    build: Callable[[], T],
    copied: Callable[[T], T] = copy.deepcopy,
) -> T:
    """build()'s result, with what it does to the database and the clock; built once per starting point.

    `key` names the build and everything its result depends on besides the rows and the instant.
    The result is copied both ways (`copied`, a deep copy unless told), so no test changes what
    another receives.
    """
    start = (key, fingerprint(database), clock())
    known = _KNOWN.get(start)
    if known is not None:
        known.changes.apply(database)
        clock.now = known.clock_after
        return copied(known.result)
    before = read(database)
    result = build()
    changes = Changes.between(before, read(database), database.engine.dialect)
    _KNOWN[start] = Remembered(changes, clock(), copied(result))
    return result
