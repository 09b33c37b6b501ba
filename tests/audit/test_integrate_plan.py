"""Integration finds each queued object's previous entry by one index probe, whatever the statistics.

The figure (entries integrated per second at a million orders) is bench/seed.py's; this pins the
shape that makes it hold on both databases: the `previous` look-up probes (object_type, object_id)
of ix_audit_entries_object for each queued object, instead of reading every entry of a type.
"""

from broker.audit.operations import latest_about
from tests.plans import plan


def test_the_previous_entry_is_one_probe_of_the_object_index_per_queued_object(database):
    with database.engine.begin() as connection:
        shown = plan(connection, latest_about(1000))
    assert "ix_audit_entries_object" in shown, shown
    if database.engine.dialect.name == "sqlite":
        assert "ix_audit_entries_object (object_type=? AND object_id=?)" in shown, shown
    else:
        assert "object_id = (audit_pending.object_id)::text" in shown, shown
