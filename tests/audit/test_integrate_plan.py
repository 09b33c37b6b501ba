"""Integration finds each queued object's previous entry by one index probe, whatever the statistics.

The figure (entries integrated per second at a million orders) is bench/seed.py's; this pins the
shape that makes it hold on both databases: the `previous` look-up probes (object_type, object_id)
of ix_audit_entries_object for each queued entry, in the statement that reads the queue, instead
of reading every entry of a type.
"""

import sqlalchemy as sa

from broker.audit.operations import queue_with_latest
from tests.plans import plan

# A log in use, as PostgreSQL's statistics see it. Without it the plan followed whatever an earlier
# test and the suite's periodic VACUUM had left in pg_class: once, a log that looked a few rows long,
# for which a backward walk of the primary key with a filter was priced the same as the probe.
GROWN_LOG = """
INSERT INTO audit_entries (index, recorded_at, action, object_type, object_id, leaf, leaf_hash)
SELECT n, now(), 'order.viewed', 'order', md5((n % 2000)::text), repeat('x', 300), sha256(n::text::bytea)
FROM generate_series(0, 19999) AS n;
INSERT INTO audit_pending (recorded_at, action, object_type, object_id, document)
SELECT now(), 'order.viewed', 'order', md5((n * 7 % 2000)::text), repeat('x', 300)
FROM generate_series(0, 499) AS n;
ANALYZE audit_entries, audit_pending;
"""


def test_the_previous_entry_is_one_probe_of_the_object_index_per_queued_object(database):
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            for statement in filter(str.strip, GROWN_LOG.split(";")):
                connection.execute(sa.text(statement))
        shown = plan(connection, queue_with_latest(1000))
        connection.rollback()
    assert "ix_audit_entries_object" in shown, shown
    if database.engine.dialect.name == "sqlite":
        assert "ix_audit_entries_object (object_type=? AND object_id=?)" in shown, shown
    else:
        assert "object_id = (audit_pending.object_id)::text" in shown, shown
