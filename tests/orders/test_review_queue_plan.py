"""The enforcing authority's review queue and its reviews: each page one walk down an index, never a sort.

As tests/orders/test_inbox_plan.py checks for the inboxes: whichever database the suite runs on, the
planner may serve the first and the next pages from the list's own index in the list's own order.
"""

import uuid
from datetime import UTC
from datetime import datetime

import pytest
from test_inbox_plan import plan

from broker.access import Actor
from broker.orders.reviews import awaiting_review
from broker.orders.reviews import reviewed
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

LISTS = {"queue": (awaiting_review, "ix_order_clocks_review"), "reviewed": (reviewed, "ix_messages_sent")}


@pytest.mark.parametrize("name", list(LISTS))
@pytest.mark.parametrize("page", ["first", "next"])
def test_a_review_list_page_walks_its_index_without_sorting(database, name, page):
    query, index = LISTS[name]
    actor = Actor(uuid.uuid4(), uuid.uuid4(), OrganisationKind.ENFORCING_AUTHORITY, Role.REVIEWER)
    after = (datetime(2026, 11, 24, tzinfo=UTC), uuid.uuid4()) if page == "next" else None
    with database.engine.begin() as connection:
        shown = plan(connection, query(actor, after).limit(25))
    assert index in shown, shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown
