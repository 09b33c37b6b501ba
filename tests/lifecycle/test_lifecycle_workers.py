"""Two `broker worker`s racing over the same due clocks: each clock fires exactly once.

Each worker is a thread with its own engine (as a separate process would have) looping run_once
until nothing is due. On PostgreSQL they skip each other's locked rows (FOR UPDATE SKIP LOCKED); on
SQLite they queue for the single write lock. Either way the conditional claim decides who fires.
"""

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from broker.audit.models import AuditEntry
from broker.cli.worker import run_once
from broker.clocks.models import OrderClock
from broker.db import Database
from broker.workflow.operations import due as due_module

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

WORKER_ACTIONS = {
    "clock.reminder",
    "deadline.missed",
    "objection_window.closed",
    "enforcing_review.ended",
    "order.preservation_ended",
    "order.withdrawn",
}


def due_now(database, now):
    with database.transaction() as session:
        return session.scalar(
            sa.select(sa.func.count(OrderClock.id)).where(
                OrderClock.status == "running",
                sa.or_(
                    OrderClock.due_at <= now,
                    sa.and_(OrderClock.reminder_at <= now, OrderClock.reminded_at.is_(None)),
                ),
            )
        )


@pytest.fixture
def slow(monkeypatch):
    """Each firing holds its transaction a moment (as telling the parties would over a slow link), so
    that the workers overlap: one holds a clock while the other looks for work."""
    tell = due_module.tell

    def slow_tell(*args, **kwargs):
        time.sleep(0.005)
        return tell(*args, **kwargs)

    monkeypatch.setattr(due_module, "tell", slow_tell)


def race(database, clock, workers=2, rounds=200):
    """`workers` threads start together, each looping run_once on its own engine until nothing is due."""
    barrier = threading.Barrier(workers)

    def worker() -> list[str]:
        own = Database(database.url)
        said: list[str] = []
        try:
            with requests.Session() as http:
                barrier.wait()
                for _ in range(rounds):
                    run_once(own, clock, None, http, said.append)
                    if due_now(own, clock()) == 0:
                        break
        finally:
            own.dispose()
        return said

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        return [future.result(timeout=120) for future in futures]  # re-raises anything that escaped


def worker_entries(database):
    """(action, order, clock kind) of every entry the worker wrote."""
    with database.transaction() as session:
        leaves = session.scalars(sa.select(AuditEntry.leaf).where(AuditEntry.action.in_(WORKER_ACTIONS)))
        entries = [json.loads(leaf) for leaf in leaves]
    assert all(entry["actor"] == {"system": "worker"} for entry in entries)
    return [(entry["action"], entry["object"]["id"], entry["details"]["clock"]) for entry in entries]


def test_two_workers_fire_every_due_clock_exactly_once(flow, clock, database, slow):
    """Deadlines, windows, ends of preservation and ex-post expiries for several orders, all due at once."""
    orders = [flow.received() for _ in range(3)]  # production + objection window each
    orders += [flow.received("epoc-pr") for _ in range(2)]  # preservation: the order ends
    notified = flow.notified()  # enforcing review window, then production and objection
    flow.exchange.receive(notified)
    expiring = flow.unvalidated("epoc-pr")  # ex-post validation only (never received): withdrawn
    orders += [notified, expiring]

    clock.advance(days=61)
    expected = due_now(database, clock())
    assert expected == 3 * 2 + 2 + 3 + 1

    said = race(database, clock)

    everything = [line for lines in said for line in lines]
    assert len(everything) == expected, said
    assert len(set(everything)) == expected, "no outcome reported twice"
    entries = worker_entries(database)
    assert len(entries) == expected
    per_clock = Counter((order, kind) for _action, order, kind in entries)
    assert set(per_clock.values()) == {1}, per_clock
    with database.transaction() as session:
        statuses = Counter(session.scalars(sa.select(OrderClock.status)))
    assert statuses["running"] == 0
    assert due_now(database, clock()) == 0
    assert {flow.state(order) for order in orders[3:5]} == {"preservation_ended"}
    assert flow.state(expiring) == "withdrawn"


def test_two_workers_send_each_reminder_once(flow, clock, database, slow):
    orders = [flow.received() for _ in range(6)]
    clock.advance(days=9, hours=1)  # every production reminder is due, no deadline yet
    assert due_now(database, clock()) == len(orders)

    said = race(database, clock)

    reminders = [line for lines in said for line in lines]
    assert len(reminders) == len(orders)
    assert all(line.startswith("reminder: production") for line in reminders)
    per_order = Counter(order for _action, order, _kind in worker_entries(database))
    assert per_order == Counter({order["id"]: 1 for order in orders})
    # Both workers had the chance to work; nobody double-sent, whoever won each clock.
    clock.advance(days=1)
    later = race(database, clock)
    assert sum(len(lines) for lines in later) == 2 * len(orders)  # each deadline and objection window
    assert Counter(action for action, _order, _kind in worker_entries(database)) == Counter(
        {"clock.reminder": 6, "deadline.missed": 6, "objection_window.closed": 6}
    )


def test_many_rounds_of_racing_workers_over_weeks_fire_nothing_twice(flow, clock, database):
    """Workers racing every few hours while deadlines come due one after another."""
    for kind in ("epoc", "epoc", "epoc-pr"):
        flow.received(kind)
        clock.advance(hours=7)
    fired: list[str] = []
    for _ in range(2 * 70):  # twice a day for ten weeks
        clock.advance(hours=12)
        fired += [line for lines in race(database, clock) for line in lines]
    assert len(fired) == len(set(fired))
    entries = worker_entries(database)
    assert len(entries) == len(fired)
    assert set(Counter(entries).values()) == {1}
    assert Counter(action for action, _order, _kind in entries) == Counter(
        {
            "clock.reminder": 3,  # two productions and the preservation
            "deadline.missed": 2,
            "objection_window.closed": 2,
            "order.preservation_ended": 1,
        }
    )
