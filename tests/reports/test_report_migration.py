"""Revision 0009 counts the orders stored before it exactly as the operations count them after it."""

from alembic import command
from conftest import tally_rows

from broker import migrate
from broker.reports import operations
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role


def test_the_migration_counts_stored_orders_as_the_operations_do(steps, year, database):
    # A Council of Europe order, for the transparency tallies: one that reaches the provider directly
    # (CETS 224 Art. 7), since revision 0020 cannot be left while an order was served by an authority.
    steps.network.add(
        "tokyo",
        "Tokyo District Public Prosecutors Office",
        OrganisationKind.ISSUING_AUTHORITY,
        "JP",
        Role.CASEWORKER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )
    steps.network.add(
        "belgrade_mail",
        "Belgrade Mail",
        OrganisationKind.PROVIDER,
        "RS",
        Role.LEGAL_OFFICER,
        addressee_country="RS",
    )
    steps.receive(steps.issue("tokyo", to="belgrade_mail", instrument="cets-224-art7"), "belgrade_mail")
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
