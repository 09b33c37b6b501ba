"""Several workers at once: each message is sent once per attempt, whichever worker wins it.

On PostgreSQL the workers skip each other's locked rows (FOR UPDATE SKIP LOCKED); on SQLite they queue
for the single write lock. Either way the conditional claim of the attempt decides who sends.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from broker.notify import delivery
from broker.notify import operations

HOOKS = ("https://a.examplemail.test/hook", "https://b.examplemail.test/hook")
MESSAGES = 12


def race(database, clock, signer, egress, workers: int = 2) -> list[int]:
    """Run `workers` delivery rounds at the same moment, each with its own sessions and HTTP client."""
    barrier = threading.Barrier(workers)

    def work() -> int:
        with requests.Session() as http:
            barrier.wait()
            return delivery.deliver_due(database, clock, signer, http, egress=egress)

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(work) for _ in range(workers)]
        return [future.result(timeout=60) for future in futures]


def slow_answer(status: int):
    """A receiver that takes a moment, so that the workers overlap."""

    def answer(request):
        time.sleep(0.02)
        return status, {}, b""

    return answer


def test_two_workers_deliver_each_message_exactly_once(
    hook, notify, receiver, outbox, database, clock, signer, egress
):
    for url in HOOKS:
        hook("provider", url)
        receiver.add_callback("POST", url, callback=slow_answer(200))
    queued = [message for _ in range(MESSAGES // 2) for message in notify("provider")]

    made = race(database, clock, signer, egress)

    assert sum(made) == MESSAGES
    sent = Counter(call.request.headers["X-Broker-Delivery"] for call in receiver.calls)
    assert sent == Counter({str(message.id): 1 for message in queued})
    for message in outbox():
        assert (message.status, message.attempts, [a.number for a in message.history]) == (
            "delivered",
            1,
            [1],
        )


def test_two_workers_make_each_failed_attempt_once(
    hook, notify, receiver, outbox, database, clock, signer, egress
):
    for url in HOOKS:
        hook("provider", url)
        receiver.add_callback("POST", url, callback=slow_answer(500))
    for _ in range(MESSAGES // 2):
        notify("provider")

    made = race(database, clock, signer, egress)

    assert sum(made) == len(receiver.calls) == MESSAGES
    for message in outbox():
        assert (message.status, message.attempts, [a.number for a in message.history]) == ("pending", 1, [1])


def test_a_worker_that_cannot_get_the_database_leaves_the_message_for_the_next_round(
    hook, notify, receiver, outbox, deliver, monkeypatch, caplog
):
    hook("provider", HOOKS[0])
    receiver.post(HOOKS[0], status=200)
    notify("provider")

    def busy(*args, **kwargs):
        raise sa.exc.OperationalError("UPDATE outbox_messages", {}, Exception("database is locked"))

    monkeypatch.setattr(operations, "_claim", busy)
    assert deliver() == 0
    assert "database is locked" in caplog.text
    assert len(receiver.calls) == 0
    monkeypatch.undo()

    assert deliver() == 1
    assert [m.status for m in outbox()] == ["delivered"]
