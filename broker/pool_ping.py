"""A pooled connection is checked before use only when it has sat idle in the pool.

A connection can die in the pool: the server restarted, a firewall dropped an idle socket. SQLAlchemy's
`pool_pre_ping` finds out by sending `SELECT 1` on every checkout: on PostgreSQL a round trip more
for every transaction, beside the ten or so short ones of an API request. A connection given back a
moment ago has just answered, so it is taken as alive; one idle IDLE_SECONDS or more is pinged, and
if the ping fails the pool throws it away and connects again (PoolEvents.checkout,
DisconnectionError). A connection that dies in the moment between is found by the statement that
fails, and SQLAlchemy then replaces every pooled connection, as it does with the pre-ping.
"""

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.pool import PoolProxiedConnection

# Seconds in the pool after which a connection is pinged before it is used again.
IDLE_SECONDS = 5.0
RETURNED_AT = "broker.returned_at"


def ping_when_idle(
    engine: sa.Engine, idle_seconds: float = IDLE_SECONDS, now: Callable[[], float] = time.monotonic
) -> None:
    """Ping the engine's pooled connections on checkout when they have been idle `idle_seconds` or more."""
    errors = engine.dialect.loaded_dbapi.Error

    @sa.event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[RETURNED_AT] = now()

    @sa.event.listens_for(engine.pool, "checkout")
    def _taken(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        returned = record.info.pop(RETURNED_AT, None)
        if returned is None or now() - returned < idle_seconds:
            return  # connected for this checkout, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)  # as pool_pre_ping does: outside any transaction
        except errors as error:
            raise sa.exc.DisconnectionError(f"a pooled connection was dead: {error}") from error
