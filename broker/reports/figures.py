"""The shapes every figure takes: a count split three ways, and an average duration split the same way.

Art. 28 asks for most figures "by data category, addressee and emergency"; one function builds
that split so every figure has the same keys, which is also what makes the CSV export flat.
"""

from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from broker.reports.facts import OrderFacts
from broker.vocabulary import DataCategory


def split(items: Sequence[OrderFacts]) -> dict[str, Any]:
    """How many, in total and by data category, addressee and emergency.

    An order asking for several categories counts once under each of them and once in the total,
    so the categories may add up to more than the total.
    """
    categories = Counter({category.value: 0 for category in DataCategory})
    categories.update(category for item in items for category in item.categories)
    return {
        "total": len(items),
        "by_data_category": dict(categories),
        "by_addressee": dict(sorted(Counter(item.addressee for item in items).items())),
        "by_emergency": {
            "emergency": sum(item.emergency for item in items),
            "non_emergency": sum(not item.emergency for item in items),
        },
    }


def averages(
    items: Sequence[OrderFacts], measure: Callable[[OrderFacts], timedelta | None]
) -> dict[str, Any]:
    """The average of `measure` over the items that have it, split like `split`."""
    measured = [item for item in items if measure(item) is not None]

    def average(group: Sequence[OrderFacts]) -> dict[str, Any]:
        durations = [measure(item) for item in group]
        total = sum((d for d in durations if d is not None), timedelta())
        mean = round(total.total_seconds() / len(group), 1) if group else None
        return {"count": len(group), "average_seconds": mean, "average": human(mean)}

    addressees = sorted({item.addressee for item in measured})
    return {
        "total": average(measured),
        "by_data_category": {
            category.value: average([i for i in measured if category.value in i.categories])
            for category in DataCategory
        },
        "by_addressee": {name: average([i for i in measured if i.addressee == name]) for name in addressees},
        "by_emergency": {
            "emergency": average([i for i in measured if i.emergency]),
            "non_emergency": average([i for i in measured if not i.emergency]),
        },
    }


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
