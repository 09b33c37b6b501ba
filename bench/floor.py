"""The intake benchmark's floor: what one core does per order when intake is only the unavoidable work.

Verify the JWS, parse the JSON, canonicalise the body, and insert the order and message rows with
plain SQL (no ORM, no checks, no log): one transaction per order, as each request commits, and 100
orders per transaction, which shows what the commits cost. Measured in the benchmark's own process,
single-threaded, in the same run as the intake it is compared with.
"""

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from network import BenchNetwork
from network import epoc

from broker import crypto
from broker.db import Database
from broker.orders.models import Message
from broker.orders.models import Order

ORDERS: sa.Table = Order.__table__  # type: ignore[assignment]
MESSAGES: sa.Table = Message.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Floor:
    """One core's floor: `checks` alone, then the whole floor a transaction per order, and batched."""

    database: str
    existing: int
    orders: int
    checks: float
    seconds: float
    batched: float

    @property
    def rate(self) -> float:
        return self.orders / self.seconds

    @property
    def batched_rate(self) -> float:
        return self.orders / self.batched


@contextlib.contextmanager
def _unchecked(database: Database) -> Iterator[sa.Connection]:
    """A transaction that deletes the floor's own rows without foreign-key checks.

    Nothing refers to them, but checking each deleted order walks every order on SQLite (and on
    PostgreSQL): `orders.removal_order_id` has no index, since the broker never deletes an order.
    At a million orders that took longer than the rest of the benchmark.
    """
    sqlite = database.engine.dialect.name == "sqlite"
    off, on = (
        ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")  # outside a transaction only
        if sqlite
        else ("SET session_replication_role = replica", "RESET session_replication_role")
    )
    with database.engine.connect() as connection:
        connection.exec_driver_sql(off)
        connection.commit()
        try:
            with connection.begin():
                yield connection
        finally:
            connection.exec_driver_sql(on)
            connection.commit()


def measure_floor(url: str, network: BenchNetwork, count: int) -> tuple[float, float, float]:
    """The floor of `count` orders: seconds of (verify + parse + canonicalise alone, the whole floor with
    one transaction per order, the whole floor with 100 orders per transaction).

    The whole floor adds two plain inserts (order, message) to the checks. The rows go into the
    real tables (so the same indexes and constraints apply) and are deleted afterwards.
    """
    issuer, provider = network["fr-prosecutor"], network["mail"]
    assert provider.addressee_id is not None
    jwk = crypto.public_jwk(issuer.private_key)
    now = datetime.now(UTC)
    tokens = [
        issuer.sign(
            "epoc",
            epoc(provider.addressee_id, f"FLOOR-{index:07d}", f"floor{index}@example.test"),
            provider.organisation_id,
            now,
        )
        for index in range(2 * count)
    ]
    database = Database(url)
    ids: list[uuid.UUID] = []

    def check(token: str) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(crypto.verify_jws(token, jwk))
        crypto.canonicalize(document["body"])
        return document

    def insert(connection: sa.Connection, token: str, document: dict[str, Any]) -> None:
        order_id, moment = uuid.uuid4(), datetime.now(UTC)
        body = document["body"]
        connection.execute(
            ORDERS.insert(),
            {
                **dict(id=order_id, order_type="epoc", state="issued", certificate=body, emergency=False),
                **dict(
                    issuing_authority_id=uuid.UUID(issuer.organisation_id),
                    created_by_id=uuid.UUID(issuer.user_id),
                ),
                **dict(
                    addressee_id=uuid.UUID(provider.addressee_id),
                    provider_id=uuid.UUID(provider.organisation_id),
                ),
                **dict(
                    instrument=body["instrument"],
                    checks={},
                    file_number=body["issuing_authority"]["file_number"],
                ),
                **dict(ex_post_validation_required=False, deletion_required=False),
                **dict(created_at=moment, updated_at=moment, issued_at=moment),
            },
        )
        connection.execute(
            MESSAGES.insert(),
            {
                **dict(id=uuid.UUID(document["id"]), order_id=order_id, message_type="epoc"),
                **dict(version=document["version"], sender_id=uuid.UUID(issuer.organisation_id)),
                **dict(
                    sender_kid=issuer.kid, recipient_id=uuid.UUID(provider.organisation_id), in_reply_to=None
                ),
                **dict(issued_at=moment, received_at=moment, jws=token, sha256="0" * 64),
            },
        )
        ids.append(order_id)

    try:
        started = time.perf_counter()
        for token in tokens[:count]:
            check(token)
        checks = time.perf_counter() - started
        started = time.perf_counter()
        for token in tokens[:count]:
            document = check(token)
            with database.engine.begin() as connection:
                insert(connection, token, document)
        each = time.perf_counter() - started
        started = time.perf_counter()
        for first in range(count, 2 * count, 100):
            with database.engine.begin() as connection:
                for token in tokens[first : min(first + 100, 2 * count)]:
                    insert(connection, token, check(token))
        batched = time.perf_counter() - started
        with _unchecked(database) as connection:
            for first in range(0, len(ids), 500):
                chunk = ids[first : first + 500]
                connection.execute(MESSAGES.delete().where(MESSAGES.c.order_id.in_(chunk)))
                connection.execute(ORDERS.delete().where(ORDERS.c.id.in_(chunk)))
        return checks, each, batched
    finally:
        database.dispose()
