"""Working-day deadlines per State, from versioned public-holiday data (data/public-holidays.json).

Regulation (EU) 2023/1543 Art. 16(2) gives the enforcing authority 5 working days to decide. Following
Regulation (EEC, Euratom) No 1182/71 Art. 3(1), the day of receipt does not count; a period in working
days skips Saturdays, Sundays and the public holidays of the State where the act is done (Art. 2,
3(3)), and ends with the last hour of its last day (Art. 3(2)(b)). Holidays are data with a named source, not
code; a day outside the years in the file is an error, never silently a working day.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "HolidayCalendar",
    "OutsideCalendar",
    "StateCalendar",
    "UnknownState",
    "add_working_days",
    "load_calendar",
    "parse_calendar",
    "working_days_between",
]

DATA_FILE = "public-holidays.json"
END_OF_DAY = time(23, 59, 59, 999999)


class UnknownState(ValueError):
    """No holiday data for this State: a deadline there cannot be computed."""


class OutsideCalendar(ValueError):
    """The computation needs a day in a year the data does not cover."""


@dataclass(frozen=True)
class StateCalendar:
    """One State's capital time zone and national public holidays, with where they come from."""

    time_zone: ZoneInfo
    holidays: Mapping[date, str]
    source: str


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays of several States over a fixed set of years."""

    version: str
    years: frozenset[int]
    states: Mapping[str, StateCalendar]

    def _state(self, state: str) -> StateCalendar:
        try:
            return self.states[state]
        except KeyError:
            raise UnknownState(f"no public-holiday data for State {state!r}") from None

    def time_zone(self, state: str) -> ZoneInfo:
        """The zone in which the State's days begin and end (its capital's)."""
        return self._state(state).time_zone

    def covers(self, state: str, day: date) -> bool:
        """Whether the data can say if `day` is a working day in `state` (False for an unknown State)."""
        return state in self.states and day.year in self.years

    def holiday(self, state: str, day: date) -> str | None:
        """The public holiday's name on `day`, for explanations; None on an ordinary day."""
        calendar = self._state(state)
        self._check_covered(state, day)
        return calendar.holidays.get(day)

    def is_working_day(self, state: str, day: date) -> bool:
        """Monday to Friday and not a public holiday; raises rather than guess outside the data."""
        return self.holiday(state, day) is None and day.weekday() < 5

    def _check_covered(self, state: str, day: date) -> None:
        if day.year not in self.years:
            covered = ", ".join(str(year) for year in sorted(self.years))
            raise OutsideCalendar(
                f"public holidays of {state} for {day.year} are not in the data (covers {covered})"
            )


def parse_calendar(document: Mapping[str, Any]) -> HolidayCalendar:
    """A calendar from the JSON document, checked so that bad data fails at load, not mid-deadline."""
    for key in ("version", "updated", "source", "confidence", "years", "states"):
        if key not in document:
            raise ValueError(f"{DATA_FILE}: no {key!r}")
    years = frozenset(int(year) for year in document["years"])
    states: dict[str, StateCalendar] = {}
    for code, entry in document["states"].items():
        if not entry.get("source"):
            raise ValueError(f"{DATA_FILE}: {code} names no source")
        holidays = {date.fromisoformat(day): name for day, name in entry["holidays"].items()}
        stray = sorted(day.isoformat() for day in holidays if day.year not in years)
        if stray:
            raise ValueError(f"{DATA_FILE}: {code} lists holidays outside the covered years: {stray}")
        states[code] = StateCalendar(
            time_zone=ZoneInfo(entry["time_zone"]),
            holidays=MappingProxyType(holidays),
            source=entry["source"],
        )
    return HolidayCalendar(
        version=f"{document['version']} ({document['updated']})",
        years=years,
        states=MappingProxyType(states),
    )


@cache
def load_calendar() -> HolidayCalendar:
    """The shipped calendar, read once per process."""
    text = resources.files(__name__).joinpath("data", DATA_FILE).read_text("utf-8")
    return parse_calendar(json.loads(text))


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required: a naive one has no State-local day")
    return moment.astimezone(zone).date()


def add_working_days(
    start: datetime, days: int, state: str, calendar: HolidayCalendar | None = None
) -> datetime:
    """The end (23:59:59.999999 local) of the `days`-th working day in `state` after `start`'s day, in UTC.

    `start` is an aware instant, usually the receipt; its local day does not count.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if calendar is None:
        calendar = load_calendar()
    zone = calendar.time_zone(state)
    day = _local_day(start, zone)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(state, day):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(UTC)


def working_days_between(
    start: datetime, end: datetime, state: str, calendar: HolidayCalendar | None = None
) -> int:
    """Working days in `state` after `start`'s local day up to and including `end`'s, for reports.

    The inverse of add_working_days: working_days_between(t, add_working_days(t, n, s), s) == n.
    """
    if calendar is None:
        calendar = load_calendar()
    zone = calendar.time_zone(state)
    first, last = _local_day(start, zone), _local_day(end, zone)
    if last < first:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    return sum(
        calendar.is_working_day(state, first + timedelta(days=offset))
        for offset in range(1, (last - first).days + 1)
    )
