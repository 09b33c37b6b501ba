"""The reports' removal-order figures find their orders by type and issue time, never by reading all orders.

The figure (the Art. 28 report under 1 s at a million orders) is bench/reports.py's; this pins the shape
that keeps it flat on both databases: the scope query is a range of ix_orders_type_issued.
"""

import uuid
from datetime import date

import pytest

from broker.reports.period import make_period
from broker.reports.removal import orders_in_scope
from tests.plans import plan

SCOPES = {"every State": {}, "one State": {"country": "FR"}, "one provider": {"provider": uuid.uuid4()}}


@pytest.mark.parametrize("scope", list(SCOPES))
def test_removal_orders_of_a_period_are_a_range_of_the_type_and_issue_index(database, scope):
    period = make_period(start=date(2027, 1, 1), end=date(2027, 12, 31))
    with database.engine.begin() as connection:
        shown = plan(connection, orders_in_scope(period, **SCOPES[scope]))
    assert "ix_orders_type_issued" in shown, shown
