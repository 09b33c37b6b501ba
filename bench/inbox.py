"""Inbox benchmark: the first page of a provider's inbox, in process and over HTTP, on a seeded database.

For each database given (seeded by bench/seed.py, whose network file lies beside it) it takes the
provider with the most open orders and asks for the first page of its inbox, plain, `unread` and
`overdue`, many times: in this process through the query and the pagination the view uses (a
session per request, as the endpoint opens one), through the whole endpoint with Flask's test client
(authentication, the query, the listing's log entry, the commit), and over HTTP against `broker
serve`. It reports p50/p95 per way and the SQL plan of every statement the query sends (EXPLAIN
ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

    python bench/inbox.py --url sqlite:////tmp/broker-bench/seed-100000.sqlite3 --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_seed_1m --write-docs
"""

import argparse
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
import requests
import sqlalchemy as sa
from common import BenchError
from common import say
from network import BenchNetwork
from network import BenchParty
from network import network_file

from broker.api.pagination import keyset_page
from broker.app import create_app
from broker.db import Database
from broker.orders import queries
from broker.orders.models import Order
from broker.vocabulary import OrganisationKind

VARIANTS = {"inbox": {}, "unread": {"unread": True}, "overdue": {"overdue_only": True}}
PATHS = {
    "inbox": "/api/v1/inbox",
    "unread": "/api/v1/inbox?unread=true",
    "overdue": "/api/v1/inbox?overdue=true",
}


@dataclass(frozen=True)
class Row:
    database: str
    orders: int
    inbox: int
    variant: str
    way: str
    requests: int
    p50: float
    p95: float
    statements: float


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", action="append", required=True, help="a seeded database (repeatable)")
    parser.add_argument("--requests", type=common.positive, default=200, help="requests per variant and way")
    parser.add_argument("--servers", default=None, help="the server's PxT (default: serve's)")
    parser.add_argument("--write-docs", action="store_true", help="update the inbox section of the docs")
    parser.add_argument("--docs", type=Path, default=common.DOCS, help=argparse.SUPPRESS)
    parser.add_argument("--section", default="inbox", help="the docs section to write (default: inbox)")
    args = parser.parse_args(argv)
    from broker.cli.serve import DEFAULT_THREADS
    from broker.cli.serve import default_processes

    processes, threads = (
        int(x) for x in (args.servers or f"{default_processes()}x{DEFAULT_THREADS}").split("x")
    )
    rows: list[Row] = []
    plans: list[str] = []
    versions = {}
    try:
        for url in args.url:
            if url.startswith("postgresql"):
                versions["PostgreSQL"] = common.postgres_version(common.postgres_url(url, "postgres"))
            found, plan = measure(url, args.requests, processes, threads)
            rows += found
            plans += plan
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    command = shlex.join(["python", "bench/inbox.py", *(argv if argv is not None else sys.argv[1:])])
    text = render(rows, plans, common.machine(versions), command, f"{processes}x{threads}", args.section)
    print(text)
    if args.write_docs:
        common.write_section(args.section, text, args.docs)
        say(f"bench: wrote the {args.section} section of {args.docs}")
    return 0


def busiest_provider(database: Database, network: BenchNetwork) -> tuple[BenchParty, int, int]:
    """The provider with the most orders in its inbox, that number, and all orders."""
    providers = network.of_kind(OrganisationKind.PROVIDER)
    with database.transaction() as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(Order)) or 0
        sizes = {
            p.handle: session.scalar(
                sa.select(sa.func.count()).select_from(queries.inbox(p.actor).subquery())
            )
            or 0
            for p in providers
        }
    handle = max(sizes, key=lambda h: sizes[h])
    return network[handle], sizes[handle], total


def timed(call: Callable[[], Any], count: int) -> list[float]:
    """Seconds per call, after three unmeasured calls that warm caches and connections."""
    for _ in range(3):
        call()
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return spent


def measure(url: str, count: int, processes: int, threads: int) -> tuple[list[Row], list[str]]:
    kind = common.database_kind(url)
    common.ready_seeded(url)
    network = BenchNetwork.load(network_file(url))
    database = Database(url)
    try:
        provider, inbox_size, total = busiest_provider(database, network)
        say(f"{kind}: {total:,} orders, {provider.name} has {inbox_size:,} in its inbox")
        app = create_app({"DATABASE_URL": url}, database=database)
        services = app.extensions["broker"]
        client = app.test_client()
        rows: list[Row] = []
        plans: list[str] = []
        for variant, options in VARIANTS.items():

            def query(options: dict[str, Any] = options) -> None:
                with database.transaction() as session:
                    statement = queries.inbox(provider.actor, **options)
                    keyset_page(session, services, statement, {}, queries.inbox_position)

            with common.counting_statements(database.engine) as statements:
                query()
            sent = len(statements)
            spent = timed(query, count)
            rows.append(_row(kind, total, inbox_size, variant, "query in process", spent, sent))
            path = (
                "/api/v1/inbox" + {"inbox": "", "unread": "?unread=true", "overdue": "?overdue=true"}[variant]
            )

            def endpoint(path: str = path) -> None:
                answer = client.get(path, headers=provider.headers)
                if answer.status_code != 200:
                    raise BenchError(
                        f"GET {path} answered {answer.status_code}: {answer.get_data(as_text=True)[:200]}"
                    )

            with common.counting_statements(database.engine) as statements:
                endpoint()
            sent = len(statements)
            rows.append(
                _row(kind, total, inbox_size, variant, "endpoint in process", timed(endpoint, count), sent)
            )
            plans += common.explain(
                database, lambda options=options: query(options), f"{kind}, {variant}", "FROM orders"
            )
            say(
                f"   {variant}: query p95 {rows[-2].p95 * 1000:.1f} ms, endpoint p95 {rows[-1].p95 * 1000:.1f} ms"
            )
        with (
            tempfile.TemporaryDirectory(prefix="broker-inbox-") as folder,
            common.running_server(url, Path(folder), processes, threads) as server,
            requests.Session() as http,
        ):
            http.headers.update(provider.headers)
            for variant in VARIANTS:
                path = PATHS[variant]

                def get(path: str = path) -> None:
                    answer = http.get(server.url + path, timeout=120)
                    if answer.status_code != 200:
                        raise BenchError(f"GET {path} answered {answer.status_code}: {answer.text[:200]}")

                rows.append(_row(kind, total, inbox_size, variant, "HTTP", timed(get, count), 0))
                say(f"   {variant}: HTTP p95 {rows[-1].p95 * 1000:.1f} ms")
        return rows, plans
    finally:
        database.dispose()


def _row(kind: str, total: int, inbox: int, variant: str, way: str, spent: list[float], sent: int) -> Row:
    return Row(
        kind,
        total,
        inbox,
        variant,
        way,
        len(spent),
        common.percentile(spent, 0.5),
        common.percentile(spent, 0.95),
        sent,
    )


def render(
    rows: list[Row], plans: list[str], host: dict[str, str], command: str, setup: str, section: str = "inbox"
) -> str:
    title = "## Inbox: the first page of a provider's inbox"
    if section != "inbox":  # a section of its own, e.g. at another size: its title says which
        databases = common.database_names(row.database for row in rows)
        title += f", at {max(row.orders for row in rows):,} orders ({databases})"
    lines = [
        title,
        "",
        f"Generated by `bench/inbox.py`; {common.machine_lines(host)[0]}",
        "",
        "Method: on a database seeded by `bench/seed.py`, the provider with the most open orders asks for the "
        "first page of its inbox (default page size), plain, `unread=true` and `overdue=true`, one request "
        "after another: *query in process* is `broker.orders.queries.inbox` and the pagination the view "
        "uses, in a transaction of its own; *endpoint in process* is the whole view through Flask's test "
        "client (token, query, the `orders.listed` log entry, commit, log integration); *HTTP* is "
        f"`GET /api/v1/inbox` from one client against `broker serve` ({setup}). Three unmeasured requests "
        "warm each up. *statements* is the number of SQL statements one request sends.",
        "",
    ]
    lines += common.table(
        ("database", "orders", "inbox", "filter", "way", "requests", "p50 ms", "p95 ms", "statements"),
        [
            (
                r.database,
                f"{r.orders:,}",
                f"{r.inbox:,}",
                r.variant,
                r.way,
                r.requests,
                f"{r.p50 * 1000:.1f}",
                f"{r.p95 * 1000:.1f}",
                r.statements or "",
            )
            for r in rows
        ],
        "lrrllrrrr",
    )
    lines += ["", "<details><summary>SQL plans of the query</summary>", "", *plans, "</details>", ""]
    lines += [f"Regenerate: `{command}`."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
