"""The period a report covers: a calendar year, or any [start, end) of whole days, in UTC.

The end day is excluded so that consecutive periods never count an order twice: 2026-01-01 to
2027-01-01 is the calendar year 2026. The API and the CLI share these checks, so both name the
same field in the same words when a period is wrong.
"""

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from broker import problems
from broker.clock import to_rfc3339
from broker.countries import ISO_3166_ALPHA2

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC; `year` when the period is a calendar year asked for as such."""

    start: datetime
    end: datetime
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start": to_rfc3339(self.start), "end": to_rfc3339(self.end), "year": self.year}


def spans(period: Period) -> list[tuple[str, date, date]]:
    """The period as the fewest runs of whole years, months and days: (span, first day, day after).

    Statistics are tallied per day, month and year (broker.reports.models), so a calendar year reads
    one year's tallies, and any other period of whole days at most 62 days' and 22 months' besides.
    """
    runs: list[tuple[str, date, date]] = []
    day, end = period.start.date(), period.end.date()
    while day < end:
        span, following = _largest_span(day, end)
        if runs and runs[-1][0] == span and runs[-1][2] == day:
            runs[-1] = (span, runs[-1][1], following)
        else:
            runs.append((span, day, following))
        day = following
    return runs


def _largest_span(day: date, end: date) -> tuple[str, date]:
    """The longest span that starts on `day` and ends by `end`, and the day after it."""
    if day.day == 1:
        year = date(day.year + 1, 1, 1)
        if day.month == 1 and year <= end:
            return "year", year
        month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if month <= end:
            return "month", month
    return "day", day + timedelta(days=1)


def period_errors(year: int | None, start: date | None, end: date | None) -> dict[str, list[str]]:
    """What is wrong with the choice of period, by field; empty when it is right."""
    if year is not None and (start is not None or end is not None):
        return {"year": ["give either year, or start and end, not both"]}
    if year is None and start is None and end is None:
        return {"year": ["give a year, or start and end"]}
    if year is not None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return {"year": [f"must be between {FIRST_YEAR} and {LAST_YEAR}"]}
        return {}
    if start is None:
        return {"start": ["required with end"]}
    if end is None:
        return {"end": ["required with start"]}
    if end <= start:
        return {"end": ["must be after start (the end day is excluded)"]}
    return {}


def make_period(year: int | None = None, start: date | None = None, end: date | None = None) -> Period:
    """The period asked for, or ValidationFailed naming the field at fault."""
    errors = period_errors(year, start, end)
    if errors:
        raise problems.ValidationFailed("the report period is invalid", errors=errors)
    if year is not None:
        return Period(_midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1)), year)
    assert start is not None and end is not None
    return Period(_midnight(start), _midnight(end))


def parse_period(year: str | None, start: str | None, end: str | None) -> Period:
    """The same from text (the CLI), with the same errors for what does not parse."""
    try:
        number = int(year) if year is not None else None
    except ValueError:
        raise problems.ValidationFailed(
            "the report period is invalid", errors={"year": ["not a year"]}
        ) from None
    return make_period(number, _day(start, "start"), _day(end, "end"))


def check_country(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in capitals, or ValidationFailed naming `country`."""
    if code is None:
        return None
    if code.upper() not in ISO_3166_ALPHA2:
        raise problems.ValidationFailed(
            "the country is invalid", errors={"country": ["not an ISO 3166-1 alpha-2 code"]}
        )
    return code.upper()


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise problems.ValidationFailed(
            "the report period is invalid", errors={field: ["not a day (YYYY-MM-DD)"]}
        ) from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
