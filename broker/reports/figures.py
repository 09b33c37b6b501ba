"""The shapes every figure takes: a count split three ways, and an average duration split the same way.

Art. 28 asks for most figures "by data category, addressee and emergency"; one function builds
that split so every figure has the same keys, which is also what makes the CSV export flat.

Both work on tally rows (broker.reports.queries.art28_tallies) rather than on orders: every order
counts once under `emergency`, which gives the totals, once under its `addressee` and once under each
of its data categories, so each split is a sum of the rows of one dimension.
"""

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from broker.vocabulary import DataCategory

EMERGENCY, NON_EMERGENCY = "emergency", "non_emergency"


@dataclass(frozen=True)
class Cell:
    """The orders of one label counted under one split value, summed over the period."""

    order_type: str
    status: str
    reason: str
    partial: bool
    notified: bool
    refusal_ground: str
    dimension: str
    value: str
    orders: int
    data_orders: int
    data_us: int
    confirmations: int
    confirmation_us: int


@dataclass(frozen=True)
class Measure:
    """How many orders a figure measures in a cell, and the sum of their durations (microseconds)."""

    count: Callable[[Cell], int]
    microseconds: Callable[[Cell], int]


DATA = Measure(lambda cell: cell.data_orders, lambda cell: cell.data_us)
CONFIRMATION = Measure(lambda cell: cell.confirmations, lambda cell: cell.confirmation_us)
ORDERS = Measure(lambda cell: cell.orders, lambda cell: 0)


def count(cells: Iterable[Cell]) -> int:
    """How many orders: each counts exactly once under `emergency`."""
    return sum(cell.orders for cell in cells if cell.dimension == "emergency")


def tally(cells: Iterable[Cell], dimension: str, measure: Measure = ORDERS) -> dict[str, tuple[int, int]]:
    """(count, microseconds) per value of one dimension."""
    sums: dict[str, tuple[int, int]] = {}
    for cell in cells:
        if cell.dimension == dimension:
            number, total = sums.get(cell.value, (0, 0))
            sums[cell.value] = (number + measure.count(cell), total + measure.microseconds(cell))
    return sums


def split(cells: list[Cell]) -> dict[str, Any]:
    """How many, in total and by data category, addressee and emergency.

    An order asking for several categories counts once under each of them and once in the total,
    so the categories may add up to more than the total.
    """
    emergency = tally(cells, "emergency")
    categories = tally(cells, "category")
    addressees = tally(cells, "addressee")
    urgent, ordinary = emergency.get(EMERGENCY, (0, 0))[0], emergency.get(NON_EMERGENCY, (0, 0))[0]
    return {
        "total": urgent + ordinary,
        "by_data_category": {c.value: categories.get(c.value, (0, 0))[0] for c in DataCategory},
        "by_addressee": {name: n for name, (n, _) in sorted(addressees.items()) if n},
        "by_emergency": {"emergency": urgent, "non_emergency": ordinary},
    }


def averages(cells: list[Cell], measure: Measure) -> dict[str, Any]:
    """The average of `measure` over the orders that have it, split like `split`."""
    emergency = tally(cells, "emergency", measure)
    categories = tally(cells, "category", measure)
    addressees = tally(cells, "addressee", measure)
    urgent, ordinary = emergency.get(EMERGENCY, (0, 0)), emergency.get(NON_EMERGENCY, (0, 0))
    return {
        "total": average(urgent[0] + ordinary[0], urgent[1] + ordinary[1]),
        "by_data_category": {c.value: average(*categories.get(c.value, (0, 0))) for c in DataCategory},
        "by_addressee": {name: average(*sums) for name, sums in sorted(addressees.items()) if sums[0]},
        "by_emergency": {"emergency": average(*urgent), "non_emergency": average(*ordinary)},
    }


def average(number: int, microseconds: int) -> dict[str, Any]:
    """Count, mean in seconds (one decimal) and readable; the mean of nothing is null, not zero.

    Seconds are microseconds / 10**6 divided by the count, the very operations timedelta's
    total_seconds() and a division would do, so the mean is the one the durations themselves give.
    """
    mean = round(microseconds / 1_000_000 / number, 1) if number else None
    return {"count": number, "average_seconds": mean, "average": human(mean)}


def human(seconds: float | None) -> str | None:
    """A duration as people read it: "2 d 3 h 5 min", or seconds when under a minute."""
    if seconds is None:
        return None
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min")]
    return " ".join(f"{value} {unit}" for value, unit in parts if value)


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None
