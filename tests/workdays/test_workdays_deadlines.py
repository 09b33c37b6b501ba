"""Named deadline cases, each worked out by hand from a wall calendar and the State's holidays."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from broker.workdays import HolidayCalendar
from broker.workdays import OutsideCalendar
from broker.workdays import StateCalendar
from broker.workdays import UnknownState
from broker.workdays import add_working_days
from broker.workdays import load_calendar
from broker.workdays import parse_calendar
from broker.workdays import working_days_between


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Case(NamedTuple):
    name: str
    state: str
    received: str  # UTC
    days: int
    deadline: str  # UTC


CASES = [
    # Dublin is on GMT: Mon 30 Nov .. Fri 4 Dec are the five days.
    Case(
        "receipt on a Friday in Ireland: deadline end of the next Friday",
        "IE",
        "2026-11-27T10:00",
        5,
        "2026-12-04T23:59:59.999999",
    ),
    Case(
        "receipt on a Saturday: the count starts on Monday",
        "IE",
        "2026-11-28T10:00",
        1,
        "2026-11-30T23:59:59.999999",
    ),
    # Tue 17 Mar is St Patrick's Day: Wed 18, Thu 19, Fri 20, Mon 23, Tue 24 (still GMT until 29 March).
    Case("St Patrick's Day skipped in Ireland", "IE", "2026-03-16T12:00", 5, "2026-03-24T23:59:59.999999"),
    # Christmas Eve is not a German public holiday, 25 Dec and 1 Jan are: Mon 28 .. Thu 31, Mon 4 Jan (CET).
    Case("Christmas week and New Year in Germany", "DE", "2026-12-24T09:00", 5, "2027-01-04T22:59:59.999999"),
    Case(
        "Christmas Eve counts in Germany, Christmas Day does not",
        "DE",
        "2026-12-21T09:00",
        5,
        "2026-12-29T22:59:59.999999",
    ),
    # 22:30 UTC on Thu 26 Nov is 00:30 on Fri 27 in Nicosia (UTC+2): counted from Friday, not Thursday.
    Case(
        "receipt late in the evening UTC that is already the next day in Cyprus",
        "CY",
        "2026-11-26T22:30",
        5,
        "2026-12-04T21:59:59.999999",
    ),
    Case(
        "the same instant one hour earlier is still Thursday in Cyprus",
        "CY",
        "2026-11-26T21:30",
        5,
        "2026-12-03T21:59:59.999999",
    ),
    # Received in CET, deadline Wed 1 Apr in CEST (UTC+2) after the change on Sun 29 March.
    Case("across a DST change in Germany", "DE", "2026-03-25T10:00", 5, "2026-04-01T21:59:59.999999"),
    # Received in IST (UTC+1); Mon 26 Oct is the October bank holiday; deadline Fri 30 Oct in GMT.
    Case(
        "back to winter time across the October bank holiday in Ireland",
        "IE",
        "2026-10-22T12:00",
        5,
        "2026-10-30T23:59:59.999999",
    ),
    # Easter 2027 is 28 March: Good Friday 26 and Easter Monday 29 skipped; Tue 30 .. Mon 5 April (CEST).
    Case(
        "Good Friday and Easter Monday in 2027 in Germany",
        "DE",
        "2027-03-25T10:00",
        5,
        "2027-04-05T21:59:59.999999",
    ),
    # Ireland keeps Easter Monday but not Good Friday: Fri 26, Tue 30, Wed 31, Thu 1, Fri 2 April (IST).
    Case(
        "Good Friday is a working day in Ireland in 2027",
        "IE",
        "2027-03-25T10:00",
        5,
        "2027-04-02T22:59:59.999999",
    ),
    # Thanksgiving Thu 26 Nov; the Friday after is not federal: Fri 27, Mon 30 .. Thu 3 Dec, end EST = 04:59 UTC.
    Case(
        "Thanksgiving in the United States (federal)",
        "US",
        "2026-11-25T15:00",
        5,
        "2026-12-04T04:59:59.999999",
    ),
    # Golden Week 3-5 May 2027: Thu 6, Fri 7, Mon 10, Tue 11, Wed 12 (JST, UTC+9).
    Case("Golden Week in Japan", "JP", "2027-04-30T03:00", 5, "2027-05-12T14:59:59.999999"),
    # The receipt day may precede the data; only the counted days must be covered. 1 Jan 2026 is a holiday.
    Case(
        "receipt on the last day before the data begins",
        "IE",
        "2025-12-31T12:00",
        1,
        "2026-01-02T23:59:59.999999",
    ),
    Case(
        "Denmark has data although it is not bound by the Regulation",
        "DK",
        "2027-03-24T10:00",
        1,
        "2027-03-30T21:59:59.999999",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_deadline(case: Case) -> None:
    deadline = add_working_days(utc(case.received), case.days, case.state)
    assert deadline == utc(case.deadline)
    assert deadline.tzinfo is UTC
    assert working_days_between(utc(case.received), deadline, case.state) == case.days


def test_an_aware_non_utc_start_is_the_same_instant() -> None:
    in_new_york = datetime(2026, 11, 26, 17, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert add_working_days(in_new_york, 5, "CY") == utc("2026-12-04T21:59:59.999999")


def test_holiday_names_explain_a_deadline() -> None:
    calendar = load_calendar()
    assert calendar.holiday("IE", date(2026, 3, 17)) == "Saint Patrick's Day"
    assert calendar.holiday("IE", date(2026, 3, 18)) is None
    assert not calendar.is_working_day("DE", date(2027, 3, 26))
    assert calendar.time_zone("CY") == ZoneInfo("Asia/Nicosia")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-27T10:00", "2026-11-27T23:00", 0),  # same local day
        ("2026-11-27T10:00", "2026-11-29T10:00", 0),  # only the weekend
        ("2026-11-27T10:00", "2026-11-30T00:00", 1),
        ("2026-03-16T12:00", "2026-03-18T12:00", 1),  # St Patrick's Day is not counted
    ],
)
def test_working_days_between(start: str, end: str, expected: int) -> None:
    assert working_days_between(utc(start), utc(end), "IE") == expected


def test_working_days_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before start"):
        working_days_between(utc("2026-11-27T10:00"), utc("2026-11-26T10:00"), "IE")


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_positive(days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(utc("2026-11-27T10:00"), days, "IE")


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 11, 27, 10, 0), 5, "IE")


@pytest.mark.parametrize("state", ["XX", "ie", "RU", ""])
def test_unknown_state(state: str) -> None:
    with pytest.raises(UnknownState, match="no public-holiday data"):
        add_working_days(utc("2026-11-27T10:00"), 5, state)
    assert not load_calendar().covers(state, date(2026, 11, 27))


@pytest.mark.parametrize(
    ("received", "days"),
    [
        ("2028-12-27T10:00", 5),  # Thu 28, Fri 29, then 1 Jan 2029 is not in the data
        ("2028-12-29T10:00", 1),  # even a Monday after the data ends is not assumed to be a working day
        ("2029-06-01T10:00", 1),
        ("2028-06-01T10:00", 300),  # runs past 2028 without ever guessing about 2029
    ],
)
def test_outside_the_years_covered(received: str, days: int) -> None:
    with pytest.raises(OutsideCalendar, match="2029 are not in the data"):
        add_working_days(utc(received), days, "DE")


def test_a_weekend_outside_the_data_is_not_assumed_either() -> None:
    calendar = load_calendar()
    assert not calendar.covers("DE", date(2029, 1, 6))
    with pytest.raises(OutsideCalendar):
        calendar.is_working_day("DE", date(2029, 1, 6))


def test_a_day_before_the_data_is_refused_when_counted() -> None:
    with pytest.raises(OutsideCalendar, match="2025 are not in the data"):
        working_days_between(utc("2025-12-01T10:00"), utc("2026-01-05T10:00"), "IE")


def test_a_caller_may_pass_its_own_calendar() -> None:
    dublin = ZoneInfo("Europe/Dublin")
    calendar = HolidayCalendar(
        version="test",
        years=frozenset({2026}),
        states=MappingProxyType(
            {"IE": StateCalendar(dublin, MappingProxyType({date(2026, 11, 30): "Test Day"}), "test")}
        ),
    )
    assert add_working_days(utc("2026-11-27T10:00"), 1, "IE", calendar) == utc("2026-12-01T23:59:59.999999")


def test_the_loader_rejects_data_without_a_source_or_outside_its_years() -> None:
    entry = {"time_zone": "Europe/Dublin", "source": "test", "holidays": {"2026-01-01": "New Year's Day"}}
    document = {"version": "1", "updated": "2026-11-24", "source": "s", "confidence": "secondary"}
    assert parse_calendar({**document, "years": [2026], "states": {"IE": entry}}).years == {2026}
    with pytest.raises(ValueError, match="outside the covered years"):
        parse_calendar({**document, "years": [2027], "states": {"IE": entry}})
    with pytest.raises(ValueError, match="no source"):
        parse_calendar({**document, "years": [2026], "states": {"IE": {**entry, "source": ""}}})
    with pytest.raises(ValueError, match="'years'"):
        parse_calendar({**document, "states": {}})
