"""Fixtures for notifications: endpoints registered as a party would, the outbox, a mocked receiver."""

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
import responses
import sqlalchemy as sa

from broker.access import Actor
from broker.audit.signer import LogSigner
from broker.notify import delivery
from broker.notify import operations
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint
from broker.orders.models import Order
from broker.orders.operations import summary
from broker.parties.operations import authenticate

HOOK = "https://hooks.examplemail.test/broker"


@pytest.fixture
def start(clock: Any) -> datetime:
    """When the test begins, by the frozen clock."""
    return clock()


@pytest.fixture
def signer(app: Any) -> LogSigner:
    """The broker's own key, as the app is configured with it."""
    return app.extensions["broker"].log_signer


@pytest.fixture
def actor(database: Any, clock: Any, network: Any) -> Callable[[str], Actor]:
    """actor("provider") -> the Actor behind that party's token."""

    def of(handle: str) -> Actor:
        with database.transaction() as session:
            return authenticate(session, clock, network[handle].token)

    return of


@pytest.fixture
def hook(database: Any, clock: Any, actor: Any) -> Callable[..., WebhookEndpoint]:
    """hook("provider", url) -> an endpoint registered for that party."""

    def register(handle: str, url: str = HOOK) -> WebhookEndpoint:
        with database.transaction() as session:
            return operations.register_endpoint(session, clock, actor(handle), url)

    return register


@pytest.fixture
def notify(database: Any, clock: Any, network: Any) -> Callable[..., list[OutboxMessage]]:
    """notify("provider", ...) -> the outbox rows written, each call in its own transaction."""

    def enqueue(
        *handles: str,
        event: str = "order.issued",
        order: Order | None = None,
        emergency: bool = False,
        details: dict[str, Any] | None = None,
    ) -> list[OutboxMessage]:
        with database.transaction() as session:
            return operations.enqueue(
                session,
                clock,
                event=event,
                organisation_ids=[uuid.UUID(network[handle].organisation_id) for handle in handles],
                order=None if order is None else summary(order),
                emergency=emergency,
                details=details or {},
            )

    return enqueue


@pytest.fixture
def receiver() -> Iterator[responses.RequestsMock]:
    """The receiving side of every webhook: register answers with receiver.post(url, status=...)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def deliver(database: Any, clock: Any, signer: LogSigner) -> Callable[..., int]:
    """deliver() -> runs one round of the delivery worker, as `broker worker` would."""

    def run(limit: int = 50) -> int:
        with requests.Session() as http:
            return delivery.deliver_due(database, clock, signer, http, limit=limit)

    return run


@pytest.fixture
def outbox(database: Any) -> Callable[[], list[OutboxMessage]]:
    """outbox() -> every outbox row now, oldest first, with its attempts loaded."""

    def rows() -> list[OutboxMessage]:
        with database.transaction() as session:
            statement = sa.select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
            messages = session.scalars(statement).all()
            for message in messages:
                _ = message.history, message.endpoint
            return list(messages)

    return rows


@pytest.fixture
def order(exchange: Any, database: Any) -> Order:
    """An order the prosecutor has issued to Example Mail."""
    issued = exchange.issue(exchange.draft())
    with database.transaction() as session:
        return session.get_one(Order, uuid.UUID(issued["id"]))
