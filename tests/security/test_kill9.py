"""kill -9 of the server and the worker under traffic: no order duplicated, no answer lost, every webhook sent.

A real `broker serve` and a real `broker worker` run as processes on the test database; three clients
drive orders through the API as a party's own system would (each POST with an Idempotency-Key,
retried with the same key after a broken connection or a 5xx); a receiver on 127.0.0.1 takes the
webhooks. Meanwhile the server, the worker or both are killed with SIGKILL and started again, KILLS
times, each when the clients have had a number of 2xx answers drawn from a seeded generator: kills
are placed by the clients' observable progress, never by the wall clock, so a slow or a fast machine
gets the same schedule and the seeded plan (which kills the server and the worker each at least
once) is carried out in full; only a kill that the traffic outran (it ended first) comes after it.
Afterwards, with both running until the outbox and the log's queue are empty:

- every order the clients drafted exists exactly once (counted by the client's own reference, the
  file number): a retry after a crash replayed the answer rather than drafting again;
- every answer 2xx the clients got is in the database (order, state, each signed message byte for
  byte) and in the integrated log (the entry naming the message's SHA-256);
- every outbox message was delivered, and the receiver saw each at least once;
- the log verifies against a checkpoint the broker signs at the end, over the API, with the vkey.

Bounded: at most TRAFFIC_SECONDS of traffic under kills, DRAIN_SECONDS to settle, and the test
ends the processes it started (by their process group) whatever happens.
"""

import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from broker.audit import verify
from broker.audit.models import AuditEntry
from broker.audit.models import AuditPending
from broker.audit.signer import LogSigner
from broker.clock import FrozenClock
from broker.notify.models import OutboxMessage
from broker.orders.models import Message
from broker.orders.models import Order
from broker.wire import envelope

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

SEED = 20261206
CLIENTS, ORDERS_PER_CLIENT, KILLS = 3, 4, 6
STEPS = CLIENTS * ORDERS_PER_CLIENT * 4  # 2xx answers in all: draft, issue, receive, acknowledge
GAP = 2  # answers the clients must get after a restart before the next kill: progress between kills
TRAFFIC_SECONDS, DRAIN_SECONDS, START_SECONDS = 60.0, 15.0, 30.0
ORIGIN = "broker.test/log"


@pytest.fixture
def clock() -> FrozenClock:
    """Now, not the suite's fixed date: the real server checks tokens, keys and messages by its own clock."""
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """One `broker …` command in a process group of its own, so that SIGKILL takes all of it."""

    def __init__(self, name: str, arguments: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.arguments, self.env, self.log = name, arguments, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "broker.cli", *self.arguments],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the process group this test started; reap it."""
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def tail(self, lines: int = 15) -> str:
        """The end of what the process wrote, for a failure message."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.kills} kills) ---\n" + "\n".join(text.splitlines()[-lines:])


class Receiver:
    """The parties' webhook endpoint on 127.0.0.1: answers 204 and counts each delivery id it sees."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.seen[self.headers.get("X-Broker-Delivery", "")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@dataclass
class Done:
    """What the clients were told: each 2xx, by the client's own reference."""

    orders: dict[str, str] = field(default_factory=dict)  # reference -> order id
    states: dict[str, str] = field(default_factory=dict)  # reference -> state after the last step
    messages: dict[str, str] = field(default_factory=dict)  # message id -> SHA-256 of its JWS
    errors: list[str] = field(default_factory=list)


class Progress:
    """How many 2xx answers the clients have had: the clock the kills are scheduled by."""

    def __init__(self) -> None:
        self.answers = 0
        self.over = False
        self.changed = threading.Condition()

    def answered(self) -> None:
        with self.changed:
            self.answers += 1
            self.changed.notify_all()

    def end(self) -> None:
        """The traffic is over (done or failed): no kill waits for answers that will not come."""
        with self.changed:
            self.over = True
            self.changed.notify_all()

    @property
    def count(self) -> int:
        with self.changed:
            return self.answers

    def reach(self, answers: int) -> None:
        """Wait until the clients have had `answers` 2xx answers, or the traffic is over."""
        with self.changed:
            self.changed.wait_for(lambda: self.answers >= answers or self.over)


class Client:
    """A party's own system: every POST with an Idempotency-Key, retried with it until an answer comes."""

    def __init__(self, base: str, deadline: float, progress: Progress | None = None) -> None:
        self.base, self.deadline, self.progress = base, deadline, progress
        self.http = requests.Session()

    def post(self, path: str, party: Any, key: str, **kwargs: Any) -> dict[str, Any]:
        headers = {**party.headers, "Idempotency-Key": key, **kwargs.pop("headers", {})}
        last = "no attempt"
        while time.monotonic() < self.deadline:
            try:
                answer = self.http.post(self.base + path, headers=headers, timeout=10, **kwargs)
            except requests.RequestException as error:  # the server was killed, or is starting
                last = type(error).__name__
                time.sleep(0.1)
                continue
            # 5xx: a crash mid-request; 409: the same key still in flight in a killed transaction.
            if answer.status_code >= 500 or answer.status_code in (409, 429):
                last = f"{answer.status_code} {answer.text[:200]}"
                time.sleep(0.1)
                continue
            assert answer.status_code in (200, 201), f"POST {path}: {answer.status_code} {answer.text}"
            if self.progress is not None:
                self.progress.answered()
            return dict(answer.json())
        raise TimeoutError(f"POST {path} got no answer before the deadline (last: {last})")


def drive(client: Client, network: Any, drafts: Any, number: int, done: Done, lock: threading.Lock) -> None:
    """Draft, issue, receive and acknowledge ORDERS_PER_CLIENT orders, recording each 2xx."""
    author = network["prosecutor" if number % 2 == 0 else "judge"]
    provider = network["provider"]
    for step in range(ORDERS_PER_CLIENT):
        reference = f"KILL9-{number}-{step}"
        draft = drafts.epoc(network.addressees["provider"], issuing_authority={"file_number": reference})
        order = client.post(
            "/orders", author, f"draft-{reference}", json={"order_type": "epoc", "certificate": draft}
        )
        with lock:
            done.orders[reference], done.states[reference] = order["id"], order["state"]
        certificate = author.sign(
            "epoc", order["certificate"], order["provider"]["id"], message_id=str(uuid.uuid4())
        )
        issued = client.post(
            f"/orders/{order['id']}/issue",
            author,
            f"issue-{reference}",
            data=certificate,
            headers={"Content-Type": "application/jose"},
        )
        received = client.post(f"/orders/{order['id']}/receive", provider, f"receive-{reference}")
        epoc_id = envelope.read_unverified(certificate)["id"]
        acknowledgement = provider.sign(
            "acknowledgement",
            {"addressee_file_number": reference},
            order["issuing_authority"]["id"],
            in_reply_to=epoc_id,
            message_id=str(uuid.uuid4()),
        )
        acknowledged = client.post(
            f"/orders/{order['id']}/messages",
            provider,
            f"ack-{reference}",
            data=acknowledgement,
            headers={"Content-Type": "application/jose"},
        )
        assert (issued["state"], received["state"], acknowledged["state"]) == (
            "issued",
            "received",
            "acknowledged",
        )
        with lock:
            done.states[reference] = acknowledged["state"]
            for jws in (certificate, acknowledgement):
                done.messages[envelope.read_unverified(jws)["id"]] = hashlib.sha256(jws.encode()).hexdigest()


@pytest.fixture
def deployment(database, network, broker_key_file, tmp_path) -> Iterator[dict[str, Any]]:
    """Server and worker commands on the test database, with a receiver; every process ended at the end."""
    port = free_port()
    env = {
        **os.environ,
        "BROKER_DATABASE_URL": database.url,
        "BROKER_KEY_FILE": str(broker_key_file),
        "BROKER_LOG_ORIGIN": ORIGIN,
        "BROKER_ENV": "development",  # production mode would refuse the loopback switch, rightly
        "BROKER_WEBHOOK_ALLOW_LOOPBACK": "true",
        "BROKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "BROKER_EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "BROKER_CHECKPOINT_INTERVAL_SECONDS": "1",
        # Every client retries from one address: limits for a test, not for a deployment.
        "BROKER_RATE_LIMIT_PER_TOKEN": "100000/minute",
        "BROKER_RATE_LIMIT_EXPENSIVE": "100000/minute",
        "BROKER_RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": "100000/minute",
        "BROKER_RATE_LIMIT_AUTH_FAILURES_PER_TOKEN": "100000/minute",
    }
    server = Process(
        "server",
        ["serve", "--host", "127.0.0.1", "--port", str(port), "--processes", "1"],
        env,
        tmp_path / "server.log",
    )
    worker = Process("worker", ["worker", "--interval", "0.5"], env, tmp_path / "worker.log")
    receiver = Receiver()
    try:
        yield {
            "base": f"http://127.0.0.1:{port}/api/v1",
            "server": server,
            "worker": worker,
            "receiver": receiver,
        }
    finally:
        server.stop()
        worker.stop()
        receiver.stop()


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {seconds} s")
        time.sleep(0.1)


def answers(base: str) -> bool:
    try:
        return requests.get(base + "/openapi.json", timeout=2).status_code == 200
    except requests.RequestException:
        return False


Plan = list[tuple[int, list[Process], float]]


def plan(processes: list[Process], rng: random.Random) -> Plan:
    """KILLS kills: (after how many 2xx answers, whom, how long it stays dead), drawn from `rng`.

    The answers are distinct and within the first three quarters of the traffic, the first while
    every client is on its first order; the plan kills the server and the worker each at least once.
    """
    server, worker = processes
    points = sorted([rng.randrange(1, CLIENTS), *rng.sample(range(CLIENTS, STEPS * 3 // 4), KILLS - 1)])
    kills = [
        (point, rng.choice([[server], [worker], [server, worker]]), rng.uniform(0.0, 0.5)) for point in points
    ]
    killed = {process for _, victims, _ in kills for process in victims}
    assert killed == {server, worker}, f"SEED {SEED} plans no kill of one of them: choose another"
    return kills


def chaos(kills: Plan, progress: Progress, base: str, errors: list[str]) -> None:
    """Carry out the plan: kill at each point of the clients' progress, restart, wait for the server.

    Each later kill also waits for GAP answers after the previous restart, so that the clients make
    progress between kills. Every kill of the plan is made, the last ones after the traffic if it
    ended early, so the processes killed do not depend on the machine's speed.
    """
    try:
        after = 0
        for point, victims, dead in kills:
            progress.reach(max(point, after + GAP))
            for process in victims:
                process.kill()
            time.sleep(dead)
            for process in victims:
                process.start()
            if any(process.name == "server" for process in victims):
                wait_until(lambda: answers(base), START_SECONDS, "the restarted server answering")
            after = progress.count
    except Exception as error:  # reported with the clients' errors: a dead thread must not go unseen
        errors.append(f"chaos: {type(error).__name__}: {error}")


def test_kill_minus_nine_loses_nothing_and_duplicates_nothing(
    deployment, network, drafts, database, broker_key_file
):
    server, worker, receiver = deployment["server"], deployment["worker"], deployment["receiver"]
    base = deployment["base"]
    server.start()
    worker.start()
    wait_until(lambda: answers(base), START_SECONDS, "the server answering")
    setup = Client(base, time.monotonic() + START_SECONDS)
    for handle in ("provider", "prosecutor", "judge"):
        setup.post("/webhooks", network[handle], f"hook-{handle}", json={"url": receiver.url})

    done, lock, progress = Done(), threading.Lock(), Progress()
    deadline = time.monotonic() + TRAFFIC_SECONDS
    kills = plan([server, worker], random.Random(SEED))
    # A daemon, so that a failure here never leaves the test waiting on it; the processes end with the fixture.
    killer = threading.Thread(target=chaos, args=(kills, progress, base, done.errors), daemon=True)
    killer.start()

    def run(number: int) -> None:
        try:
            drive(Client(base, deadline, progress), network, drafts, number, done, lock)
        except Exception as error:  # reported by the assertion below, with the others
            with lock:
                done.errors.append(f"client {number}: {type(error).__name__}: {error}")

    clients = [threading.Thread(target=run, args=(number,)) for number in range(CLIENTS)]
    try:
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=TRAFFIC_SECONDS + 30)
    finally:
        progress.end()
    killer.join(timeout=KILLS * (START_SECONDS + 10))
    assert not killer.is_alive(), "the kills did not end"
    assert done.errors == [], server.tail() + "\n" + worker.tail()
    # Every kill of the plan hit a live process (a process that had died on its own is not counted).
    planned = Counter(process.name for _, victims, _ in kills for process in victims)
    assert (server.kills, worker.kills) == (planned["server"], planned["worker"]), (
        f"{server.tail()}\n{worker.tail()}"
    )

    # Both running again: let the worker empty the outbox and the log's queue.
    for process in (server, worker):
        if process.popen is None or process.popen.poll() is not None:
            process.start()
    wait_until(lambda: answers(base), START_SECONDS, "the server answering")

    def settled() -> bool:
        with database.transaction() as session:
            undelivered = session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.delivered_at.is_(None))
            )
            queued = session.scalar(sa.select(sa.func.count()).select_from(AuditPending))
        return undelivered == 0 and queued == 0

    try:
        wait_until(settled, DRAIN_SECONDS, "every webhook delivered and every log entry integrated")
    except TimeoutError as error:
        raise AssertionError(f"{error}\n{server.tail()}\n{worker.tail()}") from None

    expected = {f"KILL9-{n}-{s}" for n in range(CLIENTS) for s in range(ORDERS_PER_CLIENT)}
    with database.transaction() as session:
        orders = session.execute(sa.select(Order.file_number, Order.id, Order.state)).all()
        stored = {str(row.id): row.sha256 for row in session.execute(sa.select(Message.id, Message.sha256))}
        leaves = [
            json.loads(leaf)
            for leaf in session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index))
        ]
        outbox = {str(ident) for ident in session.scalars(sa.select(OutboxMessage.id))}

    # No order drafted twice: one order per client reference, and only those.
    assert Counter(row.file_number for row in orders) == Counter(expected)
    assert set(done.orders) == expected
    assert {str(row.id): row.state.value for row in orders} == {
        done.orders[r]: done.states[r] for r in expected
    }
    # No answer lost: each message the clients were told was taken is stored byte for byte and logged.
    assert {ident: stored.get(ident) for ident in done.messages} == done.messages
    logged = {leaf.get("message_sha256") for leaf in leaves}
    assert set(done.messages.values()) <= logged
    drafted = {leaf["object"]["id"] for leaf in leaves if leaf["action"] == "order.drafted"}
    assert set(done.orders.values()) <= drafted
    # Every webhook delivered at least once (a crash between the POST and its commit sends it again).
    assert outbox and set(receiver.seen) >= outbox
    # The log as an oversight body checks it: a checkpoint signed now, every entry verified against it.
    oversight = network["oversight"]
    signed = requests.post(base + "/audit/checkpoints", headers=oversight.headers, timeout=10)
    assert signed.status_code == 201, signed.text
    vkey = LogSigner.from_file(ORIGIN, broker_key_file).vkey
    verified = verify.verify_log(verify.ApiSource(base.removesuffix("/api/v1"), oversight.token), vkey)
    assert verified.checkpoint.size >= len(leaves)
