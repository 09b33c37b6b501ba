"""Keyset pages for the portal's lists: "Next page" carries where the page stopped, never an offset.

The cursor is the same opaque form the API gives (broker/api/pagination.py `encode_cursor`): the
last row's sort values. Reading a page is then one walk from that point in the list's order,
however deep the person has paged, and nothing is counted. A cursor that does not decode (edited
by hand, or from another list) starts the list again rather than failing: it is only a link.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import Generic
from typing import TypeVar

from broker.api.pagination import encode_cursor

Row = TypeVar("Row")
# How to read each value of a position back from JSON: bool, int, datetime, uuid.
Reader = Callable[[Any], Any]


def _instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a position's instant has an offset")
    return moment


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    return value


READERS: dict[type, Reader] = {bool: _boolean, int: _whole, datetime: _instant, uuid.UUID: uuid.UUID}


def decode(cursor: str | None, shape: Sequence[type]) -> tuple[Any, ...] | None:
    """The position a cursor holds, read as `shape` (e.g. (int, datetime, uuid.UUID)); None if unusable."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(shape):
            return None
        return tuple(READERS[kind](value) for kind, value in zip(shape, values, strict=True))
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
        return None


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of rows and the cursor of the next, if there is one."""

    rows: list[Row]
    next_cursor: str | None


def cut(rows: Sequence[Row], size: int, position: Callable[[Row], tuple[Any, ...]]) -> Page[Row]:
    """A page from `size + 1` rows read: the extra row only tells that another page follows."""
    shown = list(rows[:size])
    following = encode_cursor(position(shown[-1])) if len(rows) > size and shown else None
    return Page(shown, following)
