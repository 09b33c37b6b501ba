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
every row of every table as the database quotes it (`fingerprint`). Reading the rows as Python values,
table by table, is left to the first build of each starting point, which must record what it changed.
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
TableRows = dict[tuple[Any, ...], dict[str, Any]]

# Which tables hold a row, in one statement.
HOLDING = sa.union_all(
    *(
        sa.select(sa.literal(table.name)).where(sa.exists(sa.select(sa.literal(1)).select_from(table)))
        for table in Base.metadata.sorted_tables
    )
)
TABLES = {table.name: table for table in Base.metadata.sorted_tables}


def _primary_key(table: sa.Table) -> list[sa.Column[Any]]:
    columns = list(table.primary_key.columns)
    assert columns, f"{table.name} has no primary key: its rows cannot be told apart"
    return columns


def read(database: Database) -> dict[str, TableRows]:
    """Every row of every table that holds one, by table and primary key."""
    state: dict[str, TableRows] = {}
    with database.engine.connect() as connection:
        for name in connection.scalars(HOLDING):
            table = TABLES[name]
            key = [column.name for column in _primary_key(table)]
            rows = (dict(row._mapping) for row in connection.execute(sa.select(table)))
            state[name] = {tuple(row[column] for column in key): row for row in rows}
    return state


def _quoted_rows(table: sa.Table, dialect: sa.Dialect) -> str:
    """A SELECT of the table's rows, each as (table, its columns quoted as SQL literals, joined)."""
    # SQLite's quote() and PostgreSQL's quote_nullable() write any value as the literal that reads back
    # as it (text, number, blob, NULL), so equal rows give equal texts and different rows different ones.
    quote = "quote" if dialect.name == "sqlite" else "quote_nullable"
    preparer = dialect.identifier_preparer
    columns = " || ',' || ".join(f"{quote}({preparer.quote(column.name)})" for column in table.columns)
    return f"SELECT '{table.name}', {columns} FROM {preparer.format_table(table)}"  # noqa: S608


def fingerprint(database: Database) -> str:
    """A fingerprint of every row in the database: equal for equal contents, in two statements.

    The first names the tables that hold rows, the second reads those tables' rows as quoted text:
    planning a read of every table, most of them empty, took longer than both on PostgreSQL.
    """
    dialect = database.engine.dialect
    with database.engine.connect() as connection:
        holding = list(connection.scalars(HOLDING))
        if not holding:
            return hashlib.sha256(b"[]").hexdigest()
        statement = " UNION ALL ".join(_quoted_rows(TABLES[name], dialect) for name in holding)
        rows = sorted(tuple(row) for row in connection.exec_driver_sql(statement))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@dataclass(frozen=True)
class Changes:
    """What a build did to the rows, to do again on an equal database."""

    removed: list[tuple[str, tuple[Any, ...]]]
    changed: list[tuple[str, tuple[Any, ...], dict[str, Any]]]
    added: list[tuple[str, list[dict[str, Any]]]]

    @classmethod
    def between(cls, before: dict[str, TableRows], after: dict[str, TableRows]) -> "Changes":
        removed, changed, added = [], [], []
        for name in TABLES:
            old, new = before.get(name, {}), after.get(name, {})
            removed += [(name, key) for key in old if key not in new]
            changed += [(name, key, row) for key, row in new.items() if key in old and old[key] != row]
            fresh = [row for key, row in new.items() if key not in old]
            if fresh:
                added.append((name, fresh))
        return cls(removed, changed, added)

    def apply(self, database: Database) -> None:
        with database.engine.begin() as connection:
            for name, key in reversed(self.removed):  # children before their parents
                connection.execute(TABLES[name].delete().where(*self._match(name, key)))
            for name, key, row in self.changed:
                connection.execute(TABLES[name].update().where(*self._match(name, key)).values(row))
            for name, rows in self.added:  # in the metadata's order: parents before their children
                connection.execute(TABLES[name].insert(), rows)

    @staticmethod
    def _match(name: str, key: tuple[Any, ...]) -> list[sa.ColumnElement[bool]]:
        return [column == value for column, value in zip(_primary_key(TABLES[name]), key, strict=True)]


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
    _KNOWN[start] = Remembered(Changes.between(before, read(database)), clock(), copied(result))
    return result
