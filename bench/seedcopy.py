"""`bench/seed.py --fast`: copies of orders the operations made, to reach a million orders in minutes.

The second option, for when the operations are too slow (bench/seed.py says how slow, and
`--profile` says why). The template is every order in the database, made by the operations over a
first stretch of time and settled (its clocks fired). Copy c of it moves every time on by c times the span
and gives every row it owns a new id: the order, its messages, clocks, reads and counted facts
(any table with an `order_id` column, found from the schema, so new tables are copied too). Inside
JSON and text the same substitution applies (ids, RFC 3339 times, file numbers, targets). Every
message is re-signed by its sender over the substituted envelope, so it still verifies and its
SHA-256 is new; the log entries about each order are queued again with the substituted documents,
in time order across copies, and integrated by the broker's own `integrate_all`. The report tallies
are recomputed from the copied facts by `broker.reports.operations.retally`.

What the copies do not have: drafts, orders in flight and open clocks in the last SETTLE days (the
template settled before it was copied); certificates differ only in file number and target.
"""

import base64
import contextlib
import hashlib
import json
import multiprocessing
import re
import time
import uuid
from collections import defaultdict
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import common
import sqlalchemy as sa
from network import BenchNetwork

from broker import crypto
from broker.audit.models import AuditEntry
from broker.audit.operations import PENDING
from broker.audit.operations import integrate_all
from broker.db import Base
from broker.db import Database
from broker.models import __all__ as _models  # noqa: F401 - every table on Base.metadata

PATTERN = re.compile(
    r"(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(?P<sha>\b[0-9a-f]{64}\b)"
    r"|(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|\+00:00))"
    r"|(?P<number>(?<=-BENCH-)\d{8})"
)
# Copies handed to a worker process at once, and log entries queued between two integrations.
CHUNK_ORDERS = 5000
INTEGRATE_EVERY = 50_000

# The copies' log entries wait here until no later copy can hold an older one. Copies overlap in
# time (an order's entries go on for months after the next copy begins), so how many wait grows with
# the orders a day and how long an order lives: in a table they take disk, not the process's memory.
STAGED = sa.Table(
    "bench_staged_log_entries",
    sa.MetaData(),
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    *(sa.Column(c.name, c.type, nullable=c.nullable) for c in PENDING.columns if c.name != "sequence"),
)
sa.Index("ix_bench_staged_log_entries_time", STAGED.c.recorded_at, STAGED.c.position)

_template: "Template"

# A compiled text: literal pieces and what to substitute between them (see Template.text).
Tokens = list[Any]


class Template:
    """Every row the template's orders own, by order, compiled once so that each copy only fills in.

    Compiling finds, once, every id, hash, time and number a copy must change (in columns, JSON and
    text alike); a copy then joins literal pieces with its own values instead of searching again.
    """

    def __init__(self, database: Database, network: BenchNetwork) -> None:
        tables = [t for t in Base.metadata.sorted_tables if "order_id" in t.c and t.name != "orders"]
        orders = Base.metadata.tables["orders"]
        self.order_ids: list[uuid.UUID] = []
        raw: dict[uuid.UUID, list[tuple[sa.Table, dict[str, Any]]]] = defaultdict(list)
        entries: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        self.keys = {p.kid: p.signer for p in network.parties.values()}
        with database.engine.connect() as connection:
            for row in connection.execute(sa.select(orders).order_by(orders.c.created_at)).mappings():
                self.order_ids.append(row["id"])
                raw[row["id"]].append((orders, dict(row)))
            for table in tables:
                for row in connection.execute(sa.select(table)).mappings():
                    raw[row["order_id"]].append((table, dict(row)))
            query = sa.select(AuditEntry).where(AuditEntry.object_type == "order").order_by(AuditEntry.index)
            for entry in connection.execute(query).mappings():
                entries[uuid.UUID(entry["object_id"])].append(dict(entry))
            for name in ("delivery_attempts", "evidence_chunks"):
                if connection.scalar(sa.select(sa.func.count()).select_from(Base.metadata.tables[name])):
                    raise common.BenchError(f"the template has {name}, which copies cannot carry")
        # Every id a template order owns: its own, and the primary keys of its rows; and its messages' hashes.
        self.own = {
            str(row[column.name])
            for rows in raw.values()
            for table, row in rows
            for column in table.primary_key.columns
            if isinstance(row[column.name], uuid.UUID)
            and column.name not in ("organisation_id", "provider_id")
        }
        self.hashes = {
            row["sha256"] for rows in raw.values() for table, row in rows if table.name == "messages"
        }
        self.rows = {
            order_id: [
                (
                    table.name,
                    [(name, self.column(table.name, name, value, row)) for name, value in row.items()],
                )
                for table, row in sorted(rows, key=lambda item: item[0].name != "messages")  # hashes first
            ]
            for order_id, rows in raw.items()
        }
        self.entries = {
            order_id: [self.entry(entry) for entry in found] for order_id, found in entries.items()
        }
        first = raw[self.order_ids[0]][0][1]["created_at"]
        self.start: datetime = first if first.tzinfo else first.replace(tzinfo=UTC)

    def text(self, value: str) -> str | Tokens:
        """`value` as literal pieces and substitutions, or itself when nothing in it changes."""
        tokens: Tokens = []
        last = 0
        for match in PATTERN.finditer(value):
            found = match.group(0)
            if match.group("uuid"):
                if found not in self.own:
                    continue
                token: tuple[Any, ...] = ("u", found)
            elif match.group("sha"):
                if found not in self.hashes:
                    continue
                token = ("h", found)
            elif match.group("time"):
                token = ("t", datetime.fromisoformat(found.replace("Z", "+00:00")), found.endswith("Z"))
            else:
                token = ("n", int(found))
            tokens += [value[last : match.start()], token]
            last = match.end()
        return value if not tokens else [*tokens, value[last:]]

    def column(self, table: str, name: str, value: Any, row: dict[str, Any]) -> tuple[str, Any]:
        if table == "messages" and name == "jws":
            _, payload, _ = value.split(".")
            envelope = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
            return "jws", (self.text(envelope), row["sender_kid"], row["sha256"])
        if table == "messages" and name == "sha256":
            return "sha", value
        if isinstance(value, uuid.UUID):
            return ("id", str(value)) if str(value) in self.own else ("value", value)
        if isinstance(value, datetime):
            return "time", value
        if isinstance(value, str):
            return "text", self.text(value)
        if isinstance(value, dict | list):
            return "json", self.text(json.dumps(value))
        return "value", value

    def entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(entry["leaf"])
        del document["index"], document["previous"]
        return {
            "recorded_at": entry["recorded_at"],
            "action": entry["action"],
            "organisation_id": entry["organisation_id"],
            "object_type": entry["object_type"],
            "object_id": self.text(entry["object_id"]),
            "document": self.text(crypto.canonicalize(document).decode()),
        }


def copy(
    database: Database,
    network: BenchNetwork,
    template_size: int,
    count: int,
    span: timedelta,
    processes: int,
    say: Callable[[str], None] | None,
    phases: dict[str, float] | None = None,
) -> int:
    """Add copies of the template until the database holds `count` orders; how many orders were added.

    `phases` receives the seconds spent in each phase, for the report of where the time goes.
    """
    global _template
    spent = phases if phases is not None else {}
    clock = _Phases(spent)
    with clock("compile the template"):
        _template = Template(database, network)
    size = len(_template.order_ids)
    wanted = count - size
    jobs = [(c, min(size, wanted - (c - 1) * size)) for c in range(1, (wanted + size - 1) // size + 1)]
    per_chunk = max(1, CHUNK_ORDERS // size)
    chunks = [jobs[i : i + per_chunk] for i in range(0, len(jobs), per_chunk)]
    queued = 0
    added = 0
    STAGED.create(database.engine)
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        made = _Ahead(pool, [(chunk, span) for chunk in chunks], 2 * processes)
        for done in range(len(chunks)):
            with clock("wait for copies (re-sign, substitute)"):
                results = made.next()
            with clock("insert rows"), database.engine.begin() as connection:
                for rows, entries, orders in results:
                    for table in Base.metadata.sorted_tables:  # parents before children
                        if rows.get(table.name):
                            connection.execute(table.insert(), rows[table.name])
                    if entries:
                        connection.execute(STAGED.insert(), entries)
                    added += orders
            # Every later copy starts after this one's first order: what is older may be queued now.
            last_copy = chunks[done][-1][0]
            with clock("queue log entries"):
                queued += _queue(database, _template_start() + span * (last_copy + 1))
            if queued >= INTEGRATE_EVERY:
                with clock("integrate the log (integrate_all)"):
                    integrate_all(database)
                queued = 0
            if say is not None:
                say(f"   copies: {size + added:,}/{count:,} orders")
    with clock("queue log entries"):
        _queue(database, None)
        STAGED.drop(database.engine)
    with clock("integrate the log (integrate_all)"):
        integrate_all(database)
    with clock("recount the report tallies (retally)"):
        _retally(database)
    return added


class _Ahead:
    """Chunks made by the pool at most `ahead` in advance of the one being inserted.

    `Pool.imap` makes every chunk as fast as the workers can and keeps the results until they are
    asked for: on PostgreSQL, where inserting is the slower side, the waiting copies grew the seeding
    process to 15 GB by 182,000 orders.
    """

    def __init__(self, pool: Any, jobs: list[Any], ahead: int) -> None:
        self.pool, self.jobs = pool, iter(jobs)
        self.waiting: deque[Any] = deque()
        for _ in range(ahead):
            self._submit()

    def next(self) -> Any:
        made = self.waiting.popleft().get()
        self._submit()
        return made

    def _submit(self) -> None:
        job = next(self.jobs, None)
        if job is not None:
            self.waiting.append(self.pool.apply_async(_make_chunk, (job,)))


class _Phases:
    """Adds the seconds of each `with phases(name):` block to a dict."""

    def __init__(self, spent: dict[str, float]) -> None:
        self.spent = spent

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - started


def _template_start() -> datetime:
    return _template.start


def _queue(database: Database, horizon: datetime | None) -> int:
    """Move the staged entries older than `horizon` (all with None) to the log's queue, in time order."""
    older = STAGED.c.recorded_at < horizon if horizon is not None else sa.true()
    columns = [column.name for column in STAGED.columns if column is not STAGED.c.position]
    ready = (
        sa.select(*(STAGED.c[name] for name in columns))
        .where(older)
        .order_by(STAGED.c.recorded_at, STAGED.c.position)
    )
    with database.engine.begin() as connection:
        # The queue numbers rows as they are inserted, in the order the select gives them.
        moved = connection.execute(sa.insert(PENDING).from_select(columns, ready)).rowcount
        connection.execute(sa.delete(STAGED).where(older))
    return moved


def _retally(database: Database) -> None:
    """The report tallies from the copied facts, by the reports' own code (if this version has it)."""
    from broker.reports import operations as reports

    retally = getattr(reports, "retally", None)
    if retally is not None:
        with database.transaction() as session:
            retally(session)


def _make_chunk(job: tuple[list[tuple[int, int]], timedelta]) -> list[Any]:
    chunk, span = job
    return [_make_copy(number, orders, span) for number, orders in chunk]


def _make_copy(
    number: int, orders: int, span: timedelta
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]], int]:
    """Copy `number` of the first `orders` template orders: rows by table, log entries, order count."""
    shift = timedelta(seconds=round((span * number).total_seconds()))
    size = len(_template.order_ids)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    entries: list[dict[str, Any]] = []
    for order_id in _template.order_ids[:orders]:
        fill = _Fill(shift, number * size)
        for table, columns in _template.rows[order_id]:
            rows[table].append({name: fill.column(kind, value) for name, (kind, value) in columns})
        for entry in _template.entries.get(order_id, []):
            entries.append(
                {
                    **entry,
                    "recorded_at": entry["recorded_at"] + shift,
                    "object_id": fill.text(entry["object_id"]),
                    "document": fill.text(entry["document"]),
                }
            )
    return rows, entries, orders


class _Fill:
    """One copied order's new ids, hashes, times and numbers, filled into compiled values."""

    def __init__(self, shift: timedelta, offset: int) -> None:
        self.shift, self.offset = shift, offset
        self.ids: dict[str, str] = {}
        self.hashes: dict[str, str] = {}
        self.last_hash = ""

    def new_id(self, old: str) -> str:
        if old not in self.ids:
            self.ids[old] = str(uuid.uuid4())
        return self.ids[old]

    def text(self, tokens: str | Tokens) -> str:
        if isinstance(tokens, str):
            return tokens
        out = []
        for token in tokens:
            if isinstance(token, str):
                out.append(token)
            elif token[0] == "u":
                out.append(self.new_id(token[1]))
            elif token[0] == "h":
                out.append(self.hashes.get(token[1], token[1]))
            elif token[0] == "t":
                moment = (token[1] + self.shift).isoformat()
                out.append(moment.replace("+00:00", "Z") if token[2] else moment)
            else:
                out.append(f"{token[1] + self.offset:08d}")
        return "".join(out)

    def column(self, kind: str, value: Any) -> Any:
        if kind == "value":
            return value
        if kind == "id":
            return uuid.UUID(self.new_id(value))
        if kind == "time":
            return value + self.shift
        if kind == "text":
            return self.text(value)
        if kind == "json":
            return json.loads(self.text(value))
        if kind == "jws":
            envelope, kid, old_hash = value
            jws = crypto.sign_jws(self.text(envelope).encode(), _template.keys[kid], kid)
            self.last_hash = self.hashes[old_hash] = hashlib.sha256(jws.encode("ascii")).hexdigest()
            return jws
        assert kind == "sha"
        return self.last_hash  # the jws column comes before sha256 in a message row
