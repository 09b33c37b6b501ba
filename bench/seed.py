"""Seed a realistic database of N orders through the broker's own operations, and say how fast it went.

Orders arrive evenly over `--days` (400 by default) from 18 August 2026, each following a plan drawn from a
fixed mix: drafts never issued, EPOCs produced and closed, shortfalls, emergencies notified to the
enforcing State, EPOC-PRs confirmed, released or left to lapse, orders left unanswered until the
worker records the missed deadline (some then sent for enforcement), clarification rounds and
withdrawals, from eight issuing authorities in seven States to four providers in Ireland and
Luxembourg. The run is a discrete-event simulation: every step of every order is an event at its
own time, events run in time order on a FrozenClock set to that time, so the log, the clocks and the
worker's reminders and missed deadlines come out as they would in a year of real use. Each step
calls the operation the API would call (create_draft, issue_order, receive_order, send_message with
a message signed by the sending party's own key), many steps per transaction; the worker's clocks
fire every simulated hour (fire_next) and the log is integrated after every transaction
(integrate_all). A checkpoint is signed at the end with a broker key kept beside the network file.

    python bench/seed.py --orders 20000 --url sqlite:////tmp/bench/seed.sqlite3
    python bench/seed.py --orders 1000000 --fast --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_seed
    python bench/seed.py --orders 2000 --profile          # where the time goes, per operation

`--fast` is the second option: the operations seed a template of `--template` orders over the
first stretch of time, and copies of their rows (new ids, times moved on, every message re-signed by
its sender, every log entry integrated by the broker's own integrate) fill the rest: see
bench/seedcopy.py. The network (tokens and private keys) is saved beside the database, for the
other benchmarks.
"""

import argparse
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import common
from common import BenchError
from common import say
from network import BenchNetwork
from network import network_file
from network import prepare
from simulation import SETTLE
from simulation import START
from simulation import Simulation
from simulation import Stats

from broker import crypto
from broker.audit.operations import integrate_all
from broker.audit.operations import sign_checkpoint
from broker.audit.signer import LogSigner
from broker.clock import FrozenClock
from broker.db import Database

LOG_ORIGIN = "bench.eevidence-broker.invalid/log"


def broker_key_file(url: str) -> Path:
    """The broker key that signs the seeded log's checkpoints, kept beside the network file."""
    network = network_file(url)
    return network.with_name(network.name.replace(".network.json", ".broker-key.pem"))


def sign(database: Database, url: str, clock: Any) -> int:
    """Sign a checkpoint of the whole log with the seed's broker key (made on first use); its size."""
    path = broker_key_file(url)
    if not path.exists():
        path.write_bytes(crypto.private_key_pem(crypto.generate_private_key("EdDSA")))
        path.chmod(0o600)
    signer = LogSigner.from_file(LOG_ORIGIN, path)
    with database.transaction() as session:
        return sign_checkpoint(session, clock, signer).size


def seed(
    url: str,
    count: int,
    *,
    days: float = 400.0,
    batch: int = 500,
    fast: bool = False,
    template: int = 2000,
    processes: int = 2,
    progress: bool = True,
) -> tuple[BenchNetwork, Stats]:
    """Seed `count` orders into the empty database at `url`; its network and what the run did."""
    start, end = START, START + timedelta(days=days)
    network = _prepare(url, days)
    database = Database(url)
    try:
        report = _progress(count) if progress else None
        if fast and count > template:
            import seedcopy

            # The template settles (its clocks fire) before it is copied, so copies end SETTLE early.
            span = (end - SETTLE - start) * template / count
            simulation = Simulation(database, network, start, start + span, template, batch)
            stats = simulation.run(report, until=start + span + SETTLE)
            stats.operations_seconds = time.perf_counter() - stats.started
            stats.copied = seedcopy.copy(
                database, network, template, count, span, processes, say if progress else None, stats.phases
            )
            stats.orders += stats.copied
        else:
            stats = Simulation(database, network, start, end, count, batch).run(report, until=end)
            stats.operations_seconds = time.perf_counter() - stats.started
        integrate_all(database)
        sign(database, url, FrozenClock(datetime.now(UTC)))
        settle(database)
        stats.seconds = time.perf_counter() - stats.started
        return network, stats
    finally:
        database.dispose()


def settle(database: Database) -> None:
    """Leave the database as autovacuum (PostgreSQL) or an operator (SQLite) would after a bulk load.

    On PostgreSQL that is VACUUM (ANALYZE): integrating the log deletes every queued entry (about five
    per order), and a server with autovacuum off (this project's machine) kept them all as dead rows,
    which every read of the queue then walked past: 6.7 ms instead of 0.4 per read at 100,000 orders,
    intake 0.89x of an empty database instead of 1.04x. Elsewhere, fresh planner statistics.

    The queues the seeding drained are then rewritten (`common.vacuum_queues`): a plain VACUUM
    frees their dead rows but never shrinks their indexes, and the log's queue, which held about
    five entries per order on their way into the log, kept an index as large as that backlog.
    """
    postgresql = database.engine.dialect.name == "postgresql"
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)" if postgresql else "ANALYZE")
    common.vacuum_queues(database)


def _prepare(url: str, days: float) -> BenchNetwork:
    """The bench network, registered an hour before the first order, its tokens valid long after."""
    return prepare(url, FrozenClock(START - timedelta(hours=1)), token_lifetime=timedelta(days=days + 800))


def _progress(count: int) -> Callable[[Stats], None]:
    last = [0.0]

    def report(stats: Stats) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10:
            last[0] = now
            rate = stats.orders / (now - stats.started)
            say(f"   {stats.orders:,}/{count:,} orders, {stats.steps:,} steps, {rate:.1f} orders/s")

    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=common.positive, default=1_000_000)
    parser.add_argument("--url", help="an empty database (default: an SQLite file in --folder)")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "broker-bench")
    parser.add_argument(
        "--postgres", metavar="NAME", help="create (drop first) PostgreSQL database NAME, bench_…"
    )
    parser.add_argument("--postgres-url", default=common.POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--days", type=common.duration, default=400.0, help="orders arrive over DAYS from 18 August 2026"
    )
    parser.add_argument("--batch", type=common.positive, default=500, help="steps per transaction")
    parser.add_argument(
        "--fast", action="store_true", help="operations for --template orders, copies for the rest"
    )
    parser.add_argument("--template", type=common.positive, default=2000)
    parser.add_argument(
        "--processes", type=common.positive, default=2, help="processes making copies (--fast)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the run and count statements per step"
    )
    parser.add_argument("--write-docs", action="store_true", help="update the seed section of the docs")
    parser.add_argument("--docs", type=Path, default=common.DOCS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "bench/seed.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        url = args.url
        if args.postgres:
            url = common.create_postgres(args.postgres_url, args.postgres)
        elif url is None:
            args.folder.mkdir(parents=True, exist_ok=True)
            path = args.folder / f"seed-{args.orders}.sqlite3"
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
            url = f"sqlite:///{path}"
        if args.profile:
            text = profile(url, args.orders, args.days, args.batch, command)
            section = "seed-profile"
        else:
            say(f"seeding {args.orders:,} orders into {url}{' (fast)' if args.fast else ''}")
            _, stats = seed(
                url,
                args.orders,
                days=args.days,
                batch=args.batch,
                fast=args.fast,
                template=args.template,
                processes=args.processes,
            )
            text = render(stats, url, args, command)
            section = f"seed-{common.database_kind(url)}"
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    print(text)
    if args.write_docs:
        common.write_section(section, text, args.docs)
        say(f"bench: wrote the {section} section of {args.docs}")
    print(url)
    return 0


def render(stats: Stats, url: str, args: argparse.Namespace, command: str) -> str:
    kind = common.database_kind(url)
    through = stats.orders - stats.copied
    lines = [
        f"## Seeding, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}: {stats.orders:,} orders",
        "",
        f"Generated by `bench/seed.py`; {common.machine_lines(common.machine())[0]}",
        "",
        *common.table(
            (
                "orders",
                "through the operations",
                "steps",
                "clocks fired",
                "operations: orders/s",
                "copied",
                "total s",
                "orders/s",
            ),
            [
                (
                    f"{stats.orders:,}",
                    f"{through:,}",
                    f"{stats.steps:,}",
                    f"{stats.fired:,}",
                    f"{through / stats.operations_seconds:.1f}",
                    f"{stats.copied:,}",
                    f"{stats.seconds:.0f}",
                    f"{stats.orders / stats.seconds:.1f}",
                )
            ],
            "rrrrrrrr",
        ),
    ]
    if stats.phases:
        lines += [
            "",
            "Where the copying's time went (seconds; the copies are made in other processes meanwhile):",
            "",
        ]
        lines += common.table(
            ("phase", "seconds"), [(name, f"{seconds:.0f}") for name, seconds in stats.phases.items()]
        )
    if stats.refused:
        lines += ["", "Steps the broker refused (the plan of that order ends there):", ""]
        lines += [f"- {times}x {refusal}" for refusal, times in stats.refused.most_common(10)]
    lines += ["", f"Regenerate: `{command}`."]
    return "\n".join(lines)


def profile(url: str, count: int, days: float, batch: int, command: str) -> str:
    """Seed `count` orders under cProfile: where the time goes, and the SQL statements per step."""
    network = _prepare(url, days)
    database = Database(url)
    per_step: Counter[str] = Counter()
    statements_by: Counter[str] = Counter()
    current = ["setup"]
    try:
        with common.counting_statements(database.engine) as statements:

            def on_step(action: str) -> None:
                statements_by[current[0]] += len(statements)
                statements.clear()
                current[0] = action.split(":")[0]
                per_step[current[0]] += 1

            end = START + timedelta(days=days)
            simulation = Simulation(database, network, START, end, count, batch, on_step=on_step)
            lines = common.profile_table(lambda: simulation.run(until=end))
        stats = simulation.stats
        rows = [(step, n, f"{statements_by[step] / n:.1f}") for step, n in per_step.most_common()]
        return "\n".join(
            [
                "## Where the seeding's time goes",
                "",
                f"Generated by `bench/seed.py --profile`; {common.machine_lines(common.machine())[0]}",
                "",
                f"{count:,} orders, {stats.steps:,} steps through the operations in {stats.seconds:.1f} s under "
                f"cProfile ({stats.orders / stats.seconds:.1f} orders/s; the profiler slows Python down). SQL "
                "statements per step, the worker's rounds and the log's integration counted with the step "
                "before them:",
                "",
                *common.table(("step", "steps", "statements each"), rows),
                "",
                *lines,
                "",
                f"Regenerate: `{command}`.",
            ]
        )
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
