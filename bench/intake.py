"""Intake benchmark: orders per second through a served broker, against the per-core floor of the same run.

A closed loop: C client processes (processes, so that the generator's own GIL is not what limits it)
each draft an order (POST /api/v1/orders), sign the returned certificate with their issuing
authority's key and issue it (POST …/issue), then start the next, for a fixed time after a warm-up,
against `broker serve --processes P --threads T` started as a separate process on loopback. One
order is the draft and the signed issue; its latency is the two round trips.

In the same run, in this process and one thread, the *floor*: what one core does when intake is only
the unavoidable work: verify the JWS, parse the JSON, canonicalise the body, and insert the order
and message rows with plain SQL in one transaction per order. Intake is printed as a share of it.

    python bench/intake.py --databases sqlite,postgresql --clients 1,4,8 --write-docs
    python bench/intake.py --databases postgresql --servers 1x8,2x4,2x8,4x4 --clients 8   # set-up sweep
    python bench/intake.py --existing-url sqlite:////tmp/bench/seed.sqlite3                # at size

PostgreSQL runs in a database `bench_intake`, created and dropped (a seeded database given with
--existing-url is used as it is, and keeps the orders the run adds).
"""

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import loadgen
import sqlalchemy as sa
import statement_times
from common import BenchError
from common import say
from floor import Floor
from floor import measure_floor
from network import BenchNetwork
from network import epoc
from network import network_file
from network import prepare

from broker.clock import system_clock
from broker.db import Database

DATABASE = "bench_intake"


@dataclass(frozen=True)
class Cell:
    """One database, server set-up and number of clients: what the closed loop measured."""

    database: str
    existing: int
    server: str
    clients: int
    orders: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    error_sample: str
    server_cores: float
    client_cores: float
    load: float

    @property
    def rate(self) -> float:
        return self.orders / self.seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--databases",
        help="fresh databases, comma-separated: sqlite,postgresql (default: both, none with --existing-url)",
    )
    parser.add_argument("--clients", default="1,4,8", help="concurrent clients, comma-separated")
    parser.add_argument("--servers", default=None, help="PxT server set-ups, e.g. 1x8,2x4 (default: serve's)")
    parser.add_argument("--duration", type=common.duration, default=20.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=common.duration, default=3.0, help="seconds run before measuring")
    parser.add_argument(
        "--floor-orders", type=common.positive, default=2000, help="orders in the floor measurement"
    )
    parser.add_argument("--existing-url", help="a database seeded by bench/seed.py to run at its size")
    parser.add_argument(
        "--profile-orders", type=common.count, default=0, help="also profile N orders in-process"
    )
    parser.add_argument(
        "--statement-times",
        type=common.count,
        default=0,
        help="with --existing-url: time each SQL statement of N orders in process, empty and at size",
    )
    parser.add_argument("--postgres-url", default=common.POSTGRES_ADMIN_URL)
    parser.add_argument("--work-dir", type=Path, help="where the temporary folder goes")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--write-docs", action="store_true", help="update the intake section of the docs")
    parser.add_argument("--docs", type=Path, default=common.DOCS, help=argparse.SUPPRESS)
    parser.add_argument("--section", default="intake", help="the docs section to write (default: intake)")
    args = parser.parse_args(argv)
    from broker.cli.serve import DEFAULT_THREADS
    from broker.cli.serve import default_processes

    servers = args.servers or f"{default_processes()}x{DEFAULT_THREADS}"
    try:
        setups = [parse_setup(text) for text in servers.split(",")]
        clients = [int(c) for c in args.clients.split(",")]
        chosen = args.databases or ("" if args.existing_url else "sqlite,postgresql")
        databases = [d.strip() for d in chosen.split(",") if d.strip()]
        versions = {}
        if "postgresql" in databases or (args.existing_url or "").startswith("postgresql"):
            versions["PostgreSQL"] = common.postgres_version(args.postgres_url)
        folder = Path(tempfile.mkdtemp(prefix="broker-intake-", dir=args.work_dir))
        try:
            cells, floors, profile = run(args, databases, setups, clients, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    host = common.machine(versions)
    command = shlex.join(["python", "bench/intake.py", *(argv if argv is not None else sys.argv[1:])])
    text = render(cells, floors, profile, host, command, args)
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps({"cells": [asdict(c) for c in cells], "floors": [asdict(f) for f in floors]})
        )
    if args.write_docs:
        common.write_section(args.section, text, args.docs)
        say(f"bench: wrote the {args.section} section of {args.docs}")
    return 0


def parse_setup(text: str) -> tuple[int, int]:
    """`2x4` → (2 processes, 4 threads)."""
    try:
        processes, threads = (int(part) for part in text.strip().lower().split("x"))
    except ValueError:
        raise BenchError(f"not a server set-up: {text!r} (write processes x threads, e.g. 2x4)") from None
    return processes, threads


def run(
    args: argparse.Namespace,
    databases: list[str],
    setups: list[tuple[int, int]],
    clients: list[int],
    folder: Path,
) -> tuple[list[Cell], list[Floor], list[str]]:
    """Every database (or the seeded one) x server set-up x number of clients, and each database's floor."""
    cells: list[Cell] = []
    floors: list[Floor] = []
    profile: list[str] = []
    times: dict[tuple[str, int], statement_times.Times] = {}
    targets: list[tuple[str, str | None]] = [(kind, None) for kind in databases]
    if args.existing_url:
        targets.append((common.database_kind(args.existing_url), args.existing_url))
    for kind, given in targets:
        with (
            common.fresh_database(kind, folder, args.postgres_url, DATABASE)
            if given is None
            else _given(given) as url
        ):
            network = prepare(url, system_clock) if given is None else _seeded(url)
            existing = count_orders(url)
            say(f"{kind}, {existing} existing orders: floor over {args.floor_orders} orders …")
            floor = Floor(kind, existing, args.floor_orders, *measure_floor(url, network, args.floor_orders))
            floors.append(floor)
            say(f"   floor {floor.rate:.0f} orders/s, {floor.batched_rate:.0f} batched")
            if args.profile_orders:
                profile = profile_intake(url, network, args.profile_orders)
            if args.statement_times:
                times[kind, existing] = time_statements(url, network, args.statement_times)
            for processes, threads in setups:
                with common.running_server(url, folder, processes, threads) as server:
                    for count in clients:
                        measured = loadgen.closed_loop(server, network, count, args.warmup, args.duration)
                        cell = Cell(kind, existing, f"{processes}x{threads}", count, *measured)
                        cells.append(cell)
                        say(
                            f"   {processes}x{threads}, {count} clients: {cell.rate:.1f} orders/s, p95 "
                            f"{cell.p95 * 1000:.0f} ms, {cell.errors} errors, server {cell.server_cores:.2f} cores"
                        )
    return cells, floors, [*profile, *_growth(times)]


def _growth(times: dict[tuple[str, int], statement_times.Times]) -> list[str]:
    """For each database run empty and at size, the statements whose time per order grew."""
    lines: list[str] = []
    for (kind, existing), sized in times.items():
        empty = times.get((kind, 0))
        if existing and empty is not None:
            lines += ["", f"**Where {kind}'s time per order grew at size.**", ""]
            lines += statement_times.growth(empty, sized, existing)
    return lines


class _given:
    """A context manager yielding a database the caller owns (nothing created, nothing dropped)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


def _seeded(url: str) -> BenchNetwork:
    common.ready_seeded(url)
    return BenchNetwork.load(network_file(url))


def count_orders(url: str) -> int:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT count(*) FROM orders")) or 0)
    finally:
        database.dispose()


# In-process profile.


class _InProcess:
    """Orders drafted and issued through the app in this process (Flask's test client, no HTTP)."""

    def __init__(self, url: str, network: BenchNetwork) -> None:
        from broker.app import create_app

        self.database = Database(url)
        self.client = create_app({"DATABASE_URL": url}, database=self.database).test_client()
        self.issuer, provider = network["de-prosecutor"], network["cloud"]
        assert provider.addressee_id is not None
        self.addressee = provider.addressee_id

    def order(self, reference: str, counts: list[list[str]] | None = None) -> None:
        """Draft and issue one order; its statements go to `counts` (the draft's, then the issue's)."""
        draft = epoc(self.addressee, reference, f"{reference.lower()}@example.test")
        with common.counting_statements(self.database.engine) as drafting:
            order = self.client.post(
                "/api/v1/orders",
                json={"order_type": "epoc", "certificate": draft},
                headers=self.issuer.headers,
            ).get_json()
        jws = self.issuer.sign("epoc", order["certificate"], order["provider"]["id"], datetime.now(UTC))
        with common.counting_statements(self.database.engine) as issuing:
            answer = self.client.post(
                f"/api/v1/orders/{order['id']}/issue",
                data=jws,
                content_type="application/jose",
                headers=self.issuer.headers,
            )
        if answer.status_code != 200:
            raise BenchError(f"issue answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        if counts is not None:
            counts += [drafting, issuing]


def profile_intake(url: str, network: BenchNetwork, count: int) -> list[str]:
    """`count` orders through the app in this process (Flask's test client): cProfile and SQL statements."""
    orders = _InProcess(url, network)
    try:
        for index in range(5):
            orders.order(f"PROFILE-{index:07d}")
        counts: list[list[str]] = []
        started = time.perf_counter()

        def all_of_them() -> None:
            for index in range(count):
                orders.order(f"PROFILE-{5 + index:07d}", counts)

        top = common.profile_table(all_of_them)
        seconds = time.perf_counter() - started
        drafting, issuing = counts[0::2], counts[1::2]
        kinds = Counter(statement.split()[0].upper() for statement in issuing[-1])
        return [
            f"In-process profile of {count} orders through Flask's test client (no HTTP, no server), "
            f"{count / seconds:.1f} orders/s under the profiler: a draft sends "
            f"{sum(map(len, drafting)) / count:.1f} SQL statements and an issue "
            f"{sum(map(len, issuing)) / count:.1f} ({', '.join(f'{n} {k}' for k, n in kinds.most_common())} "
            "in the last one).",
            "",
            *top,
        ]
    finally:
        orders.database.dispose()


def time_statements(url: str, network: BenchNetwork, count: int) -> statement_times.Times:
    """`count` orders through the app in this process, each SQL statement timed (no profiler)."""
    orders = _InProcess(url, network)
    try:
        for index in range(5):
            orders.order(f"TIMED-W-{time.time_ns():x}-{index}")
        run = f"{time.time_ns():x}"  # a seeded database keeps the orders: references of this run's own
        return statement_times.measure(
            orders.database.engine, count, lambda index: orders.order(f"TIMED-{run}-{index:07d}")
        )
    finally:
        orders.database.dispose()


# Reporting.


def render(
    cells: list[Cell], floors: list[Floor], profile: list[str], host: dict[str, str], command: str, args: Any
) -> str:
    databases = common.database_names(cell.database for cell in cells)
    titles = {
        "intake": "## Intake: orders per second through a served broker",
        "serve": "## Server set-up",
    }
    lines = [
        titles.get(args.section, f"## Intake on a seeded database: {databases}"),
        "",
        f"Generated by `bench/intake.py`; {common.machine_lines(host)[0]}",
        "",
        f"Method: a closed loop of C client processes over loopback HTTP, each drafting an order and issuing "
        f"it with its authority's signature, back to back, for {args.duration:.0f} s after a {args.warmup:.0f} s "
        "warm-up, against `broker serve --processes P --threads T` (the set-up column, PxT) in a separate "
        "process on the same machine. An order is the draft and the signed issue; latency is the two round "
        "trips. The floor is one core in this process doing only the unavoidable work per order: verify the "
        "JWS, parse the JSON, canonicalise the body (*checks alone*), and insert the order and message rows "
        "with plain SQL, in one transaction per order (as each request commits) and, for comparison, 100 "
        "orders per transaction (what commits cost). *server cores* is the CPU the server's processes used during the measurement "
        "(2.00 = both CPUs busy), *client cores* the load generator's share of the same two CPUs; "
        "*load* is the 1-minute load average before the cell (other work on the machine skews a cell).",
        "",
    ]
    floor_of = {(f.database, f.existing): f for f in floors}
    lines += common.table(
        (
            "database",
            "existing orders",
            "checks alone/s",
            "floor: a transaction each/s",
            "floor: 100 per transaction/s",
        ),
        [
            (
                f.database,
                f"{f.existing:,}",
                f"{f.orders / f.checks:,.0f}",
                f"{f.rate:,.0f}",
                f"{f.batched_rate:,.0f}",
            )
            for f in floors
        ],
    )
    lines.append("")
    rows = []
    for cell in cells:
        one = next(
            (
                c
                for c in cells
                if (c.database, c.existing, c.server, c.clients)
                == (cell.database, cell.existing, cell.server, 1)
            ),
            None,
        )
        floor = floor_of[(cell.database, cell.existing)]
        rows.append(
            (
                cell.database,
                f"{cell.existing:,}",
                cell.server,
                cell.clients,
                f"{cell.rate:.1f}",
                f"{cell.rate / one.rate:.2f}x" if one else "n/a",
                f"{100 * cell.rate / floor.rate:.1f} % / {100 * cell.rate / floor.batched_rate:.1f} %",
                f"{cell.p50 * 1000:.0f}",
                f"{cell.p95 * 1000:.0f}",
                f"{cell.p99 * 1000:.0f}",
                cell.errors,
                f"{cell.server_cores:.2f}",
                f"{cell.client_cores:.2f}",
                f"{cell.load:.1f}",
            )
        )
    lines += common.table(
        (
            "database",
            "existing",
            "set-up",
            "clients",
            "orders/s",
            "vs 1 client",
            "of floor (each / batched)",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "server cores",
            "client cores",
            "load",
        ),
        rows,
        "lllrrrrrrrrrrr",
    )
    sized = [
        (cell, empty)
        for cell in cells
        for empty in cells
        if cell.existing
        and not empty.existing
        and (cell.database, cell.server, cell.clients) == (empty.database, empty.server, empty.clients)
    ]
    if sized:
        lines += ["", "At size against an empty database, same run:", ""]
        lines += [
            f"- {c.database}, {c.server}, {c.clients} clients: {c.rate:.1f} orders/s with {c.existing:,} orders, "
            f"{e.rate:.1f} empty: **{c.rate / e.rate:.2f}x**"
            for c, e in sized
        ]
    samples = [f"- {c.database} {c.server} {c.clients} clients: {c.error_sample}" for c in cells if c.errors]
    if samples:
        lines += ["", "Errors seen:", "", *samples]
    if profile:
        lines += ["", *profile]
    lines += ["", f"Regenerate: `{command}`."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
