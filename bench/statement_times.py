"""Where intake's time goes at size: each SQL statement's time per order, on an empty and a seeded database.

Intake on a seeded database is a ratio to intake on an empty one (bench/intake.py). When it is below
1, this names the statements that got slower: the same orders are sent in process through the app on
each database, every statement is timed from the driver's call to its return (the database's work,
the round trip and the driver), and the statements are compared by their text.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa
from common import table

# A statement's text, shortened to tell statements apart in a table.
SHOWN = 90


@dataclass
class Times:
    """Seconds and calls per statement text over `orders` orders, and the orders' whole time."""

    orders: int = 0
    seconds: float = 0.0
    statements: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))

    @property
    def sql_seconds(self) -> float:
        return sum(seconds for seconds, _ in self.statements.values())


@contextmanager
def timing(engine: sa.Engine, times: Times) -> Iterator[None]:
    """Add each statement `engine` runs in the block to `times` (from cursor execute to its return)."""
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        entry = times.statements[" ".join(statement.split())[:SHOWN]]
        entry[0] += time.perf_counter() - started.pop()
        entry[1] += 1

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def measure(engine: sa.Engine, orders: int, one: Callable[[int], None]) -> Times:
    """`one(index)` for `orders` orders, timed as a whole and statement by statement."""
    times = Times(orders=orders)
    started = time.perf_counter()
    with timing(engine, times):
        for index in range(orders):
            one(index)
    times.seconds = time.perf_counter() - started
    return times


def growth(empty: Times, sized: Times, existing: int, rows: int = 10) -> list[str]:
    """Markdown: milliseconds per order, in all, in SQL and outside it, and the statements that grew most."""

    def per_order(times: Times, seconds: float) -> float:
        return seconds / times.orders * 1000

    def statement(times: Times, text: str) -> tuple[float, float]:
        seconds, calls = times.statements.get(text, (0.0, 0.0))
        return per_order(times, seconds), calls / times.orders

    lines = [
        f"Milliseconds per order (draft and issue, in process, {empty.orders} and {sized.orders} orders), "
        f"empty against {existing:,} orders:",
        "",
        *table(
            ("", "empty", "at size", "difference"),
            [
                (
                    name,
                    f"{per_order(empty, a):.2f}",
                    f"{per_order(sized, b):.2f}",
                    f"{per_order(sized, b) - per_order(empty, a):+.2f}",
                )
                for name, a, b in (
                    ("all", empty.seconds, sized.seconds),
                    ("in SQL statements", empty.sql_seconds, sized.sql_seconds),
                    ("outside them", empty.seconds - empty.sql_seconds, sized.seconds - sized.sql_seconds),
                )
            ],
        ),
        "",
        f"The {rows} statements whose time per order grew most:",
        "",
    ]
    texts = set(empty.statements) | set(sized.statements)
    grown = sorted(texts, key=lambda text: statement(empty, text)[0] - statement(sized, text)[0])[:rows]
    body = []
    for text in grown:
        (before, calls_before), (after, calls_after) = statement(empty, text), statement(sized, text)
        body.append(
            (
                f"`{text}`".replace("|", "\\|"),
                f"{calls_before:.1f} / {calls_after:.1f}",
                f"{before:.3f}",
                f"{after:.3f}",
                f"{after - before:+.3f}",
            )
        )
    return [
        *lines,
        *table(("statement", "per order (empty / at size)", "ms empty", "ms at size", "grew"), body),
    ]
