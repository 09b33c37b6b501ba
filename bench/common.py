"""What the benchmarks of issue 11 share: databases, the bench network, a served broker, and the report.

Every benchmark measures the broker through its own code: a database migrated by Alembic, parties
registered by `broker.parties.operations`, a `broker serve` started as a separate process, messages
signed by each party with its own key. This module holds those pieces once, so that `intake.py`,
`seed.py`, `inbox.py` and `log.py` differ only in what they measure.

Each benchmark writes its own section of docs/performance.md between two markers
(`<!-- bench:NAME -->` and `<!-- /bench:NAME -->`), leaving every other section as it is.
"""

import argparse
import contextlib
import importlib.metadata
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import requests
import sqlalchemy as sa

if TYPE_CHECKING:
    from broker.db import Database

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "performance.md"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVER_START_SECONDS = 60


class BenchError(Exception):
    """Something stops the benchmark; the message says what to do."""


def count(text: str) -> int:
    """An argparse type: a whole number of things, zero included (zero turns an optional step off)."""
    return _at_least(text, int, 0)


def positive(text: str) -> int:
    """An argparse type: a whole number of at least one."""
    return _at_least(text, int, 1)


def duration(text: str) -> float:
    """An argparse type: a length of time in the option's unit, zero included."""
    return _at_least(text, float, 0)


def _at_least(text: str, kind: type[int] | type[float], least: int) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= least:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be {least} or more, not {text}")
    return value


def say(line: str) -> None:
    """Progress on stderr, so that stdout stays for results."""
    print(line, file=sys.stderr, flush=True)


# Databases.


def postgres_version(admin_url: str = POSTGRES_ADMIN_URL) -> str:
    """The server's version, which also proves it is reachable before any work starts."""
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(sa.text("SHOW server_version")).scalar_one())
    except sa.exc.OperationalError as error:
        where = sa.engine.make_url(admin_url).render_as_string(hide_password=True)
        raise BenchError(
            f"PostgreSQL is not reachable at {where} ({str(error.orig).strip().splitlines()[0]}): start it, "
            "give --postgres-url, or leave postgresql out of --databases"
        ) from error
    finally:
        engine.dispose()


def postgres_url(admin_url: str, name: str) -> str:
    """The admin URL pointed at database `name`."""
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_postgres(admin_url: str, name: str) -> str:
    """Drop and create database `name` (names must start with bench_: never someone else's); its URL."""
    if not re.fullmatch(r"bench_[a-z0-9_]+", name):
        raise BenchError(f"benchmark databases are named bench_…, not {name!r}")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return postgres_url(admin_url, name)


def drop_postgres(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path, admin_url: str, name: str) -> Iterator[str]:
    """An empty database's URL: an SQLite file in `folder`, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    if kind != "postgresql":
        raise BenchError(f"unknown database {kind!r}: choose sqlite or postgresql")
    url = create_postgres(admin_url, name)
    try:
        yield url
    finally:
        drop_postgres(admin_url, name)


def database_kind(url: str) -> str:
    """sqlite or postgresql, from a URL."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


# A served broker.


class Server:
    """A `broker serve` process on a loopback port."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def wait_until_ready(self) -> None:
        """Poll the OpenAPI document until it answers; a server that exits or hangs is an error."""
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"broker serve exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/api/v1/openapi.json", timeout=5).status_code == 200:
                    return
            time.sleep(0.1)
        raise BenchError(f"broker serve did not answer within {SERVER_START_SECONDS} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A limit no benchmark reaches, in the notation BROKER_RATE_LIMIT_* take.
UNLIMITED = "1000000/second"


@contextlib.contextmanager
def running_server(database_url: str, folder: Path, processes: int, threads: int) -> Iterator[Server]:
    """Start `broker serve --processes P --threads T` on the database; stop it however the block ends."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("BROKER_")}
    env.update(BROKER_DATABASE_URL=database_url, BROKER_INSTANCE_PATH=str(folder / "instance"))
    # The per-token limits are a deployment's policy against abuse; a benchmark asks what the server can
    # answer, with one token per client, so it lifts them (they are still counted on every request).
    env.update(BROKER_RATE_LIMIT_PER_TOKEN=UNLIMITED, BROKER_RATE_LIMIT_EXPENSIVE=UNLIMITED)
    log = folder / f"serve-{port}.log"
    command = [
        *(sys.executable, "-m", "broker.cli", "serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--processes", str(processes), "--threads", str(threads)),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        server = Server(process, f"http://127.0.0.1:{port}", log)
        server.wait_until_ready()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Measuring and reporting.


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction <= 1) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))]


def machine(versions: dict[str, str] | None = None) -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = model.group(1) if model else cpu
    memory = "unknown"
    with contextlib.suppress(OSError):
        total = re.search(r"^MemTotal:\s+(\d+) kB$", Path("/proc/meminfo").read_text(), re.MULTILINE)
        memory = f"{int(total.group(1)) / (1 << 20):.1f} GiB" if total else memory
    names = ("gunicorn", "waitress", "SQLAlchemy", "psycopg")
    packages = {}
    for name in names:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            packages[name] = importlib.metadata.version(name)
    software = {**packages, "SQLite": sqlite3.sqlite_version, **(versions or {})}
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} logical CPUs, {memory}, {platform.system()} {platform.release()}",
        "software": f"Python {platform.python_version()}; "
        + ", ".join(f"{name} {version}" for name, version in software.items()),
    }


def machine_lines(host: dict[str, str]) -> list[str]:
    return [f"Measured {host['date']} on {host['machine']}; {host['software']}."]


def write_section(name: str, markdown: str, path: Path = DOCS) -> None:
    """Put `markdown` between this benchmark's markers in `path`, replacing what was there (or appending)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def database_names(names: Iterable[str]) -> str:
    """The databases measured, as a section's title names them ("PostgreSQL, SQLite")."""
    spelt = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    return ", ".join(spelt.get(name, name) for name in sorted(set(names)))


def table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> list[str]:
    """A Markdown table; `align` gives one of l/r per column (default: first left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"
    return [
        "| " + " | ".join(header) + " |",
        rule,
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


@contextlib.contextmanager
def counting_statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement `engine` sends while the block runs (the first line of each)."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().split("\n", 1)[0])

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def profile_table(run: Any, limit: int = 12) -> list[str]:
    """Call `run()` under cProfile: the broker's functions by cumulative time, then any by own time.

    Two Markdown tables: the first says which of our steps cost the most (Flask, Werkzeug and the
    benchmark's own frames left out), the second which functions, ours or a library's, burn the CPU.
    """
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = max((entry[3] for entry in stats.values()), default=0.0) or 1.0

    def name(filename: str, line: int, function: str) -> str:
        return f"`{filename.split('site-packages/')[-1].replace(str(REPO) + '/', '')}:{line}({function})`"

    ours = [
        (name(*key), calls, f"{cumulative:.2f}", f"{100 * cumulative / total:.0f} %")
        for key, (_, calls, _, cumulative, _) in sorted(stats.items(), key=lambda item: -item[1][3])
        if key[0].startswith(str(REPO / "broker"))
    ][:limit]
    own = [
        (name(*key), calls, f"{own_time:.2f}", f"{100 * own_time / total:.0f} %")
        for key, (_, calls, own_time, _, _) in sorted(stats.items(), key=lambda item: -item[1][2])
        if not key[0].startswith(str(REPO / "bench"))
    ][:limit]
    return [
        f"Top {limit} functions of the broker by cumulative time ({total:.2f} s profiled):",
        "",
        *table(("function", "calls", "cumulative s", "share"), ours),
        "",
        f"Top {limit} functions by own time (any code):",
        "",
        *table(("function", "calls", "own s", "share"), own),
    ]


# A SELECT's column list, left out of the plans shown.
COLUMNS = re.compile(r"SELECT (?:[\w.\"]+(?: AS \w+)?, )+[\w.\"]+(?: AS \w+)? FROM")


def explain(database: Any, run: Any, label: str, containing: str = "") -> list[str]:
    """The plan of every SELECT `run` sends (those containing `containing`), with its own parameters.

    EXPLAIN QUERY PLAN on SQLite; EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, which runs the
    statement again and shows the time each step took.
    """
    captured: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and containing in statement:
            captured.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", before)
    try:
        run()
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", before)
    sqlite = database.engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    lines = [f"**{label}**", ""]
    with database.engine.connect() as connection:
        for statement, parameters in captured:
            plan = connection.exec_driver_sql(prefix + statement, parameters).all()
            text = "\n".join(str(row[3]) if sqlite else str(row[-1]) for row in plan)
            shown = COLUMNS.sub("SELECT … FROM", " ".join(statement.split()))
            lines += ["```", shown if len(shown) < 1500 else shown[:1500] + " …", "", text, "```", ""]
    return lines


def ready_seeded(url: str) -> None:
    """Make a seeded database ready to measure, as an operator keeps a deployment's: migrated, queues vacuumed.

    A database seeded before a new migration would otherwise be refused by `broker serve`.
    """
    from broker import migrate
    from broker.db import Database

    database = Database(url)
    try:
        migrate.upgrade(database)
        vacuum_queues(database)
    finally:
        database.dispose()


def vacuum_queues(database: "Database") -> None:
    """On PostgreSQL, rewrite the broker's queues to the size a deployment's stay at.

    Every request queues its log entries and report changes and takes them off again, leaving dead
    rows. A deployment's queues never hold more than a moment's backlog, and autovacuum lets their
    space be reused. Here the seeding pushed five million entries through the log's queue, and a
    plain VACUUM, which frees dead rows, never shrinks an index: the queue kept 245 pages and a
    236 MB index. This machine's PostgreSQL also runs with autovacuum off, so two intake runs later
    it was 984 kB again. PostgreSQL read through all of it each time a request's entries were
    integrated: 0.5 to 0.9 ms of an order's 32 to 46 at a million orders, intake 0.84x and 0.69x
    of an empty database against 0.99x after the rewrite. VACUUM FULL is instant on a queue that is
    empty, as one is between benchmarks.
    """
    from broker.audit.operations import PENDING
    from broker.reports.models import ART28_CHANGES
    from broker.reports.models import TRANSPARENCY_CHANGES

    if database.engine.dialect.name != "postgresql":
        return
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for queue in (PENDING, ART28_CHANGES, TRANSPARENCY_CHANGES):
            connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {queue.name}")
