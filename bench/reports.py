"""Benchmark of the reports at up to a million orders: Art. 28 for a year, a provider's transparency report.

For each database and number of orders it starts from a fresh database (an SQLite file, or a
PostgreSQL database `bench_reports` created and dropped again), migrated. It makes one real order per
fate through the API (bench/report_fates.py), then copies those orders N times with SQL bulk inserts:
the rows of orders, messages, order_clocks and report_orders exactly as the operations wrote them,
with new ids, issue times spread over 2027 (every other time moved with them), and the issuing State,
provider, data categories and targets varied; the tallies are then added up from report_orders by
broker.reports.operations.retally, as a rebuild would. It times each report several times, reads the
process's peak RSS growth (VmHWM, reset before each report) and Python's peak allocations
(tracemalloc), and records the database's query plans.

    python bench/reports.py --orders 10000,100000,1000000 --databases sqlite,postgresql

The results go to the section "Reports at a million orders" of docs/performance.md (--output). With
--reference-max N it also times, for sizes up to N, the computation the reports used before the
tallies (tests/reports/report_reference.py), once each: it loads every order, so keep N small.
"""

import argparse
import contextlib
import importlib.util
import re
import shlex
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

import common
import report_fates
import sqlalchemy as sa
from report_page import Result
from report_page import Timing
from report_page import machine
from report_page import render
from report_page import write_section
from report_seeding import load
from report_seeding import seed
from sqlalchemy import orm

from broker import migrate
from broker.clock import system_clock
from broker.db import Database
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import operations
from broker.reports import transparency
from broker.reports.models import Art28Tally
from broker.reports.models import CountedOrder
from broker.reports.period import make_period

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
REFERENCE = ROOT / "tests" / "reports" / "report_reference.py"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "bench_reports"
DATABASES = ("sqlite", "postgresql")
YEAR = make_period(2027)
SPRING = make_period(start=date(2027, 3, 15), end=date(2027, 5, 10))


class BenchError(Exception):
    """Something stops the benchmark; the message says what to do."""


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run every database and size, write the section; 0 on success."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", default="1000000", help="comma-separated numbers of orders to seed")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the Markdown file to update")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="a superuser URL to create the DB")
    parser.add_argument("--work-dir", type=Path, help="where the SQLite file goes (default: system temp)")
    parser.add_argument("--repeat", type=common.positive, default=5, help="timed runs of each report")
    parser.add_argument(
        "--reference-max",
        type=common.count,
        default=0,
        help="time the pre-tally computation up to this size too",
    )
    args = parser.parse_args(argv)
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        sizes = [int(size.replace("_", "")) for size in args.orders.split(",")]
        databases = [name.strip() for name in args.databases.split(",")]
        if unknown := sorted(set(databases) - set(DATABASES)):
            raise BenchError(f"unknown database {', '.join(unknown)}: choose from {', '.join(DATABASES)}")
        results = [
            run(name, size, args.postgres_url, args.work_dir, args.repeat, size <= args.reference_max, say)
            for name in databases
            for size in sizes
        ]
    except (BenchError, ValueError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    command = shlex.join(["python", "bench/reports.py", *(argv if argv is not None else sys.argv[1:])])
    write_section(args.output, render(results, machine(args.postgres_url, databases), command))
    say(f"bench: wrote {args.output}")
    return 0


def run(
    name: str, size: int, admin_url: str, work_dir: Path | None, repeat: int, reference: bool, say: Any
) -> Result:
    """Seed `size` orders into a fresh database of kind `name` and time the reports on it."""
    with fresh_database(name, admin_url, work_dir) as database:
        migrate.upgrade(database)
        api = report_fates.Api(database)
        api.register()
        templates = load(database, report_fates.make_templates(api))
        started = time.perf_counter()
        seed(database, templates, size, Random(size))  # noqa: S311 - reproducible, not secret
        seed_seconds = time.perf_counter() - started
        say(f"bench: {name}: {size} orders seeded in {seed_seconds:.0f} s")
        with database.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
        with database.transaction() as session:
            provider = session.scalars(
                sa.select(Organisation).where(Organisation.name == "Example Mail")
            ).one()
        reports: dict[str, Callable[[orm.Session], object]] = {
            "art28_year": lambda s: art28.build(s, system_clock, YEAR, None),
            "art28_year_fr": lambda s: art28.build(s, system_clock, YEAR, "FR"),
            "art28_spring": lambda s: art28.build(s, system_clock, SPRING, None),
            "transparency_year": lambda s: transparency.build(s, system_clock, YEAR, provider),
        }
        timings = {label: timed(database, build, repeat) for label, build in reports.items()}
        if reference:
            old = load_reference()
            say(f"bench: {name}: {size} orders: timing the computation before the tallies")
            before: dict[str, Callable[[orm.Session], object]] = {
                "reference_art28_year": lambda s: old.art28_figures(s, YEAR, None),
                "reference_transparency_year": lambda s: old.transparency_figures(s, YEAR, provider),
            }
            timings |= {label: timed(database, build, 1, python=False) for label, build in before.items()}
        say(
            f"bench: {name}: {size} orders: " + ", ".join(f"{k} {t.median:.3f} s" for k, t in timings.items())
        )
        with database.engine.connect() as connection:
            tally_rows = connection.scalar(sa.select(sa.func.count()).select_from(Art28Tally)) or 0
            in_year = sa.and_(Art28Tally.span == "year", Art28Tally.bucket == date(2027, 1, 1))
            year_rows = (
                connection.scalar(sa.select(sa.func.count()).select_from(Art28Tally).where(in_year)) or 0
            )
        plans = {label: plan(database, reports[label]) for label in ("art28_year", "transparency_year")}
        return Result(name, size, seed_seconds, timings, tally_rows, year_rows, recount_ms(database), plans)


@contextlib.contextmanager
def fresh_database(name: str, admin_url: str, work_dir: Path | None) -> Iterator[Database]:
    """An empty database, removed afterwards: an SQLite file, or PostgreSQL's `bench_reports`."""
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="broker-bench-", dir=work_dir) as folder:
            database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
            try:
                yield database
            finally:
                database.dispose()
        return
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
            connection.execute(sa.text(f"CREATE DATABASE {BENCH_DATABASE}"))
    except sa.exc.OperationalError as error:
        raise BenchError(f"cannot reach PostgreSQL at {admin_url} (--postgres-url): {error.orig}") from error
    database = Database(sa.make_url(admin_url).set(database=BENCH_DATABASE).render_as_string(False))
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
        admin.dispose()


def timed(
    database: Database, build: Callable[[orm.Session], object], repeat: int, *, python: bool = True
) -> Timing:
    """Median and slowest of `repeat` runs, each in its own transaction; peak RSS growth over them; then
    (`python`) one run under tracemalloc for Python's own peak (tracemalloc slows Python: not timed)."""
    seconds, growth = [], 0
    for _ in range(repeat):
        reset_peak()
        before = status("VmRSS")
        started = time.perf_counter()
        with database.transaction() as session:
            build(session)
        seconds.append(time.perf_counter() - started)
        growth = max(growth, status("VmHWM") - before)
    peak = 0
    if python:
        tracemalloc.start()
        with database.transaction() as session:
            build(session)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return Timing(statistics.median(seconds), max(seconds), growth, peak)


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so each run has its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def status(name: str) -> int:
    """A size from /proc/self/status, in bytes."""
    found = re.search(rf"^{name}:\s+(\d+) kB$", Path("/proc/self/status").read_text(), re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def plan(database: Database, build: Callable[[orm.Session], object]) -> str:
    """The query plan of each statement on a tally table that `build` runs, as the database gives it."""
    plans: list[str] = []

    def explain(
        connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if "_tallies" not in statement or not statement.lstrip().upper().startswith("SELECT"):
            return
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.cursor()
        raw.execute(
            ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) ") + statement, parameters
        )
        lines = [row[3] if sqlite else row[0] for row in raw.fetchall()]
        plans.append("\n".join(lines))

    sa.event.listen(database.engine, "before_cursor_execute", explain)
    try:
        with database.transaction() as session:
            build(session)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", explain)
    return "\n\n".join(plans)


def recount_ms(database: Database, runs: int = 5) -> float:
    """What one step costs the statistics at this size, in milliseconds (median of `runs`): recount of
    an order whose facts changed, so that every tally row it counts in moves; each run rolled back."""
    seconds = []
    for _ in range(runs):
        with database.sessions() as session, session.begin():
            statement = sa.select(CountedOrder).where(CountedOrder.status == "complied").limit(1)
            counted = session.scalars(statement).one()
            counted.status = "pending"  # as if the answer had just arrived
            session.flush()
            started = time.perf_counter()
            operations.recount(session, session.get_one(Order, counted.order_id))
            seconds.append(time.perf_counter() - started)
            session.rollback()
    return statistics.median(seconds) * 1000


def load_reference() -> Any:
    """tests/reports/report_reference.py, the computation before the tallies, loaded by its path."""
    spec = importlib.util.spec_from_file_location("report_reference", REFERENCE)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {REFERENCE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(main())
