"""Injected time: nothing in the broker reads the wall clock except through a Clock."""

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

Clock = Callable[[], datetime]
"""A callable returning the current time as an aware UTC datetime."""


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; tests travel in time with it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta given as keyword arguments (hours=8, days=10, ...)."""
        self.now += timedelta(**delta)
        return self.now


def to_rfc3339(moment: datetime) -> str:
    """The wire form of a UTC instant: YYYY-MM-DDTHH:MM:SSZ (fraction kept when present)."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")
