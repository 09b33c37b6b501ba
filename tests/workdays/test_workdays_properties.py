"""Properties of add_working_days over every State in the data, checked against the calendar directly."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from broker.workdays import OutsideCalendar
from broker.workdays import UnknownState
from broker.workdays import add_working_days
from broker.workdays import load_calendar
from broker.workdays import working_days_between
from tests.budget import examples

CALENDAR = load_calendar()
STATES = sorted(CALENDAR.states)

# From 1 January 2026 UTC (never before 31 December 2025 locally, so every counted day is in the data) to
# the end of October 2028: up to 30 working days later still falls inside 2028 in every State.
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 10, 31, 23, 59, 59), timezones=st.just(UTC)
)
day_counts = st.integers(min_value=1, max_value=30)
states = st.sampled_from(STATES)


def working_days_after(state: str, first: date, last: date) -> int:
    """Working days in (first, last], counted one by one with the calendar's own predicate."""
    return sum(
        CALENDAR.is_working_day(state, first + timedelta(days=n)) for n in range(1, (last - first).days + 1)
    )


@settings(max_examples=examples(500), deadline=None)
@given(start=starts, days=day_counts, state=states)
def test_the_deadline_ends_the_nth_working_day_after_the_local_receipt_day(
    start: datetime, days: int, state: str
) -> None:
    deadline = add_working_days(start, days, state)
    zone = CALENDAR.time_zone(state)
    local = deadline.astimezone(zone)
    assert deadline > start
    assert deadline.tzinfo is UTC
    assert local.time() == time(23, 59, 59, 999999)
    assert CALENDAR.is_working_day(state, local.date())
    assert working_days_after(state, start.astimezone(zone).date(), local.date()) == days
    assert working_days_between(start, deadline, state) == days


@settings(max_examples=examples(300), deadline=None)
@given(start=starts, days=day_counts, state=states)
def test_one_more_day_is_a_strictly_later_deadline(start: datetime, days: int, state: str) -> None:
    assert add_working_days(start, days + 1, state) > add_working_days(start, days, state)


@settings(max_examples=examples(300), deadline=None)
@given(start=starts, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)), state=states)
def test_a_later_receipt_never_gives_an_earlier_deadline(
    start: datetime, later: timedelta, state: str
) -> None:
    assert add_working_days(start + later, 5, state) >= add_working_days(start, 5, state)


@settings(max_examples=examples(100), deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2029, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    days=day_counts,
    state=states,
)
def test_years_after_the_data_are_refused(start: datetime, days: int, state: str) -> None:
    with pytest.raises(OutsideCalendar):
        add_working_days(start, days, state)


@settings(max_examples=examples(100), deadline=None)
@given(start=starts, state=st.text(max_size=4).filter(lambda code: code not in CALENDAR.states))
def test_states_without_data_are_refused(start: datetime, state: str) -> None:
    with pytest.raises(UnknownState):
        add_working_days(start, 5, state)


@settings(max_examples=examples(100), deadline=None)
@given(start=starts, days=st.integers(max_value=0), state=states)
def test_fewer_than_one_day_is_refused(start: datetime, days: int, state: str) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(start, days, state)
