"""Each party's inbox page is one walk down an index in the inbox's own order, never a sort.

The figure (p95 at a million orders) is bench/inbox.py's; this checks the shape that makes it
possible, on whichever database the suite runs: the planner may serve every party's first and next
pages from the party's inbox index without sorting.
"""

import uuid
from datetime import UTC
from datetime import datetime

import pytest

from broker.access import Actor
from broker.orders.queries import inbox
from broker.orders.queries import listing
from broker.orders.queries import listing_after
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.plans import plan

INDEX = {
    OrganisationKind.PROVIDER: "ix_orders_provider_inbox",
    OrganisationKind.ISSUING_AUTHORITY: "ix_orders_issuing_authority_inbox",
    OrganisationKind.ENFORCING_AUTHORITY: "ix_orders_enforcing_authority_inbox",
}


@pytest.mark.parametrize("kind", list(INDEX), ids=str)
@pytest.mark.parametrize("page", ["first", "next"])
def test_an_inbox_page_walks_the_partys_index_without_sorting(database, kind, page):
    actor = Actor(uuid.uuid4(), uuid.uuid4(), kind, Role.ADMIN)
    after = (True, datetime(2026, 11, 24, tzinfo=UTC), uuid.uuid4()) if page == "next" else None
    with database.engine.begin() as connection:
        shown = plan(connection, inbox(actor, after=after).limit(25))
    assert INDEX[kind] in shown, shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown


@pytest.mark.parametrize("page", ["first", "next"])
def test_an_oversight_listing_page_walks_the_listing_index_without_sorting(database, page):
    """Oversight sees every order, newest first: a page is a walk down ix_orders_listing, however many."""
    actor = Actor(uuid.uuid4(), uuid.uuid4(), OrganisationKind.OVERSIGHT_BODY, Role.AUDITOR)
    statement = listing(actor, {})
    if page == "next":
        statement = listing_after(statement, (datetime(2026, 11, 24, tzinfo=UTC), uuid.uuid4()))
    with database.engine.begin() as connection:
        shown = plan(connection, statement.limit(25))
    assert "ix_orders_listing" in shown, shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown
