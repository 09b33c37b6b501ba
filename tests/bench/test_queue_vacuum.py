"""The benchmarks leave PostgreSQL's drained queues as small as autovacuum keeps a deployment's.

A plain VACUUM frees a drained queue's dead rows but never shrinks its indexes (after the seeding, the
log's queue kept a 236 MB index and 245 pages, which every integration walked: intake at a million
orders 0.84x of an empty database; docs/performance.md).
"""

from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa

from broker.audit.operations import PENDING
from tests.remembered import autocommit

QUEUED = 5000
EMPTY_INDEX = 8192  # a b-tree with no entries is its metapage


def _sizes(database) -> tuple[int, int, int]:
    """The queue's table and its indexes together, in bytes, and how many indexes it has."""
    with database.engine.connect() as connection:
        table, indexes = connection.execute(
            sa.text("SELECT pg_relation_size('audit_pending'), pg_indexes_size('audit_pending')")
        ).one()
        count = connection.scalar(
            sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_pending'")
        )
    return int(table), int(indexes), int(count)


def test_a_drained_log_queue_is_rewritten_to_empty_pages(database):
    import common

    if database.engine.dialect.name != "postgresql":
        pytest.skip("vacuum_queues acts on PostgreSQL only: SQLite never keeps a drained index's size")
    row = {
        "recorded_at": datetime.now(UTC),
        "action": "order.viewed",
        "object_type": "order",
        "document": "{}",
    }
    with database.engine.begin() as connection:
        connection.execute(sa.insert(PENDING), [{**row, "object_id": str(n)} for n in range(QUEUED)])
        connection.execute(sa.delete(PENDING))
    with autocommit(database) as connection:
        connection.exec_driver_sql("VACUUM audit_pending")
    _, kept, count = _sizes(database)
    assert kept > count * EMPTY_INDEX  # what the plain VACUUM keeps
    common.vacuum_queues(database)
    assert _sizes(database) == (0, count * EMPTY_INDEX, count)
