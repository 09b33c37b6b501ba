"""Each party's list of notices of procedures (GET /removal-notices) is a walk down an index of its own.

Newest first for an authority's own notices, a provider's and oversight's all: the planner serves a
page from the party's index on (party, recorded_at, id), or (recorded_at, id) for oversight, without
reading other parties' notices or sorting, on whichever database the suite runs.
"""

import uuid

import pytest

from broker.access import Actor
from broker.orders.queries import procedures_notices
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.plans import plan

INDEX = {
    OrganisationKind.ISSUING_AUTHORITY: "ix_removal_procedures_notices_authority",
    OrganisationKind.PROVIDER: "ix_removal_procedures_notices_provider",
    OrganisationKind.OVERSIGHT_BODY: "ix_removal_procedures_notices_recorded",
}


@pytest.mark.parametrize("kind", list(INDEX), ids=str)
def test_a_page_of_notices_walks_the_partys_index_without_sorting(database, kind):
    actor = Actor(uuid.uuid4(), uuid.uuid4(), kind, Role.ADMIN)
    with database.engine.begin() as connection:
        shown = plan(connection, procedures_notices(actor).limit(25))
    assert INDEX[kind] in shown, shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown, shown
