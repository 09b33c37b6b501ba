"""Portal benchmark: the first page of the dashboards, the inbox and the oversight search, on a seeded database.

For each database given (seeded by bench/seed.py, whose network file lies beside it) it signs in,
through the portal's own pages (password, then the authenticator's code), the busiest issuing
authority's caseworker, the busiest provider's legal officer and the oversight body's auditor, and
asks for the first page of each one's list many times, each a whole request through Flask's test
client (the session, the query, the deadlines of the page, the `orders.listed` log entry, the
template, the commit). It reports p50/p95 per page, the SQL statements one request sends, and the
plan of the list's query (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

    python bench/seed.py --orders 100000 --fast
    python bench/portal_dashboard.py --url sqlite:////tmp/broker-bench/seed-100000.sqlite3 --write-docs
"""

import argparse
import re
import shlex
import sys
import time
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import common
import sqlalchemy as sa
from common import BenchError
from common import say
from network import BenchNetwork
from network import BenchParty
from network import network_file

from broker.app import create_app
from broker.audit.operations import integrate_all
from broker.clock import FrozenClock
from broker.db import Database
from broker.orders.models import Order
from broker.parties.models import User
from broker.parties.people import totp
from broker.parties.people.operations import credentials
from broker.vocabulary import OrganisationKind

PASSWORD = "bench portal password, long enough to pass"  # noqa: S105 - a seeded bench database's person
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# (page, who, path): who is the kind of the party whose busiest member asks.
PAGES = (
    ("caseworker dashboard", OrganisationKind.ISSUING_AUTHORITY, "/"),
    ("provider inbox", OrganisationKind.PROVIDER, "/"),
    ("oversight dashboard", OrganisationKind.OVERSIGHT_BODY, "/"),
    ("oversight search", OrganisationKind.OVERSIGHT_BODY, "/orders/search"),
    ("oversight search, received", OrganisationKind.OVERSIGHT_BODY, "/orders/search?state=received"),
    ("oversight search, overdue", OrganisationKind.OVERSIGHT_BODY, "/orders/search?overdue=yes"),
)


@dataclass(frozen=True)
class Row:
    database: str
    orders: int
    page: str
    party_orders: int
    requests: int
    p50: float
    p95: float
    statements: int


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", action="append", required=True, help="a seeded database (repeatable)")
    parser.add_argument("--requests", type=common.positive, default=100, help="requests per page")
    parser.add_argument("--write-docs", action="store_true", help="update the portal section of the docs")
    parser.add_argument("--docs", type=Path, default=common.DOCS, help=argparse.SUPPRESS)
    parser.add_argument("--section", default="portal-dashboard", help="the docs section to write")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    plans: list[str] = []
    versions = {}
    try:
        for url in args.url:
            if url.startswith("postgresql"):
                versions["PostgreSQL"] = common.postgres_version(common.postgres_url(url, "postgres"))
            found, plan = measure(url, args.requests)
            rows += found
            plans += plan
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    command = shlex.join(
        ["python", "bench/portal_dashboard.py", *(argv if argv is not None else sys.argv[1:])]
    )
    text = render(rows, plans, common.machine(versions), command)
    print(text)
    if args.write_docs:
        common.write_section(args.section, text, args.docs)
        say(f"bench: wrote the {args.section} section of {args.docs}")
    return 0


def busiest(database: Database, network: BenchNetwork, kind: OrganisationKind) -> tuple[BenchParty, int]:
    """The party of `kind` with the most orders as issuer or provider (oversight: every order)."""
    column = {
        OrganisationKind.ISSUING_AUTHORITY: Order.issuing_authority_id,
        OrganisationKind.PROVIDER: Order.provider_id,
    }.get(kind)
    with database.transaction() as session:
        if column is None:
            party = network.of_kind(kind)[0]
            return party, session.scalar(sa.select(sa.func.count()).select_from(Order)) or 0
        counts = dict(session.execute(sa.select(column, sa.func.count()).group_by(column)).all())
    chosen = max(network.of_kind(kind), key=lambda p: counts.get(uuid.UUID(p.organisation_id), 0))
    return chosen, counts.get(uuid.UUID(chosen.organisation_id), 0)


def signed_in(app: Any, database: Database, clock: FrozenClock, party: BenchParty) -> Any:
    """A test client signed in as the party's person, through the sign-in pages."""
    secret = totp.new_secret()
    with database.transaction() as session:
        user = session.get_one(User, uuid.UUID(party.user_id))
        credentials.set_password(session, clock, user, PASSWORD)
        credentials.enrol_second_factor(session, clock, user, secret)
        email = user.email
    integrate_all(database)
    client = app.test_client()
    for path, form in (
        ("/login", {"email": email, "password": PASSWORD}),
        ("/login/code", {"code": ""}),
    ):
        page = client.get(path)
        token = CSRF.search(page.get_data(as_text=True))
        if token is None:
            raise BenchError(f"GET {path} as {party.handle} has no form: {page.status_code}")
        if "code" in form:
            clock.advance(seconds=totp.STEP_SECONDS)
            form["code"] = totp.code_at(secret, clock())
        answer = client.post(path, data={**form, "csrf_token": token.group(1)})
        if answer.status_code != 303:
            raise BenchError(f"signing in {party.handle} at {path} answered {answer.status_code}")
    return client


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


def measure(url: str, count: int) -> tuple[list[Row], list[str]]:
    kind = common.database_kind(url)
    common.ready_seeded(url)
    network = BenchNetwork.load(network_file(url))
    database = Database(url)
    # Each run's codes come after any step a previous run used: a code is accepted once only.
    clock = FrozenClock(datetime.now(UTC) + timedelta(hours=1))
    try:
        # The search is an expensive page (120 a minute per session by default): the bench times the
        # page, not the limit, so it lifts it.
        settings = {
            "DATABASE_URL": url,
            "PORTAL_COOKIE_SECURE": False,
            "RATE_LIMIT_EXPENSIVE": "1000000/minute",
        }
        app = create_app(settings, clock=clock, database=database)
        clients: dict[OrganisationKind, tuple[Any, int]] = {}
        total = 0
        for who in {who for _, who, _ in PAGES}:
            party, orders = busiest(database, network, who)
            clients[who] = (signed_in(app, database, clock, party), orders)
            total = max(total, orders) if who is OrganisationKind.OVERSIGHT_BODY else total
        say(f"{kind}: {total:,} orders")
        rows: list[Row] = []
        plans: list[str] = []
        for name, who, path in PAGES:
            client, orders = clients[who]

            def get(client: Any = client, path: str = path) -> None:
                answer = client.get(path)
                if answer.status_code != 200:
                    raise BenchError(
                        f"GET {path} answered {answer.status_code}: {answer.get_data(as_text=True)[:200]}"
                    )

            with common.counting_statements(database.engine) as statements:
                get()
            sent = len(statements)
            spent = timed(get, count)
            rows.append(
                Row(
                    kind,
                    total,
                    name,
                    orders,
                    len(spent),
                    common.percentile(spent, 0.5),
                    common.percentile(spent, 0.95),
                    sent,
                )
            )
            plans += common.explain(database, get, f"{kind}, {name}", "FROM orders")
            say(
                f"   {name}: p50 {rows[-1].p50 * 1000:.1f} ms, p95 {rows[-1].p95 * 1000:.1f} ms, {sent} statements"
            )
        return rows, plans
    finally:
        database.dispose()


def render(rows: list[Row], plans: list[str], host: dict[str, str], command: str) -> str:
    lines = [
        "## Portal: the first page of the dashboards, the inbox and the oversight search",
        "",
        f"Generated by `bench/portal_dashboard.py`; {common.machine_lines(host)[0]}",
        "",
        "Method: on a database seeded by `bench/seed.py`, the busiest issuing authority's caseworker, the "
        "busiest provider's legal officer and the oversight body's auditor sign in through the portal's "
        "pages, then ask for the first page of their list (default page size) one request after another, "
        "through Flask's test client: the session, the list's query, the page's deadlines in one query, the "
        "`orders.listed` log entry, the template, the commit and the log's integration. Three unmeasured "
        "requests warm each page up. *party's orders* is how many orders the party is issuer or provider of "
        "(every order, for oversight); *statements* is the number of SQL statements one request sends.",
        "",
    ]
    lines += common.table(
        ("database", "orders", "page", "party's orders", "requests", "p50 ms", "p95 ms", "statements"),
        [
            (
                r.database,
                f"{r.orders:,}",
                r.page,
                f"{r.party_orders:,}",
                r.requests,
                f"{r.p50 * 1000:.1f}",
                f"{r.p95 * 1000:.1f}",
                r.statements,
            )
            for r in rows
        ],
        "lrlrrrrr",
    )
    lines += ["", "<details><summary>SQL plans of the lists' queries</summary>", "", *plans, "</details>", ""]
    lines += [f"Regenerate: `{command}`."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
