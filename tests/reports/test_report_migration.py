"""Revision 0009 counts the orders stored before it exactly as the operations count them after it."""

from alembic import command
from conftest import tally_rows

from broker import migrate
from broker.reports import operations


def test_the_migration_counts_stored_orders_as_the_operations_do(steps, year, database):
    steps.receive(steps.budapest_preservation())  # a Council of Europe order, for the transparency tallies
    with database.transaction() as session:
        kept = tally_rows(session)
    assert len(kept["orders"]) == 14 and kept["art28"] and kept["transparency"]
    config = migrate.alembic_config(database)
    command.downgrade(config, "0008")  # drops the statistics
    command.upgrade(config, "head")  # counts the stored orders again, from their messages and clocks
    with database.transaction() as session:
        assert tally_rows(session) == kept
        assert operations.rebuild(session) == 14
        assert tally_rows(session) == kept
