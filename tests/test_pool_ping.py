"""A pooled PostgreSQL connection that died while idle is replaced before use; a busy one is not pinged.

The server ends the pooled connection's backend (pg_terminate_backend, as a restart would); the pool's
clock is the test's own, so "idle" is a number here, not a wait.
"""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from broker.pool_ping import ping_when_idle

IDLE = 5.0


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def engine(database_url: str, ticks: Ticks) -> Iterator[sa.Engine]:
    if sa.make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no server connection to lose: its engine pings nothing")
    engine = sa.create_engine(database_url, pool_size=1)
    ping_when_idle(engine, IDLE, ticks)
    yield engine
    engine.dispose()


def backend(engine: sa.Engine, **options: str) -> int:
    """The server process behind the pool's connection (AUTOCOMMIT, for instance, needs it idle)."""
    with engine.connect().execution_options(**options) as connection:
        return int(connection.scalar(sa.text("SELECT pg_backend_pid()")))


def end_backend(database_url: str, pid: int) -> None:
    other = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with other.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, database_url, ticks):
    first = backend(engine)
    end_backend(database_url, first)
    ticks.now += IDLE
    assert backend(engine) != first  # pinged, found dead, connected again: the caller saw nothing


def test_a_live_connection_pinged_after_idling_is_handed_over_as_it_was(engine, ticks):
    first = backend(engine)
    ticks.now += IDLE
    assert backend(engine, isolation_level="AUTOCOMMIT") == first  # handed over outside a transaction


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, database_url, ticks):
    first = backend(engine)
    end_backend(database_url, first)
    ticks.now += IDLE / 2
    with pytest.raises(sa.exc.OperationalError):  # no ping: the statement itself finds it dead
        backend(engine)
    assert backend(engine) != first  # and the pool has replaced it for the next caller
