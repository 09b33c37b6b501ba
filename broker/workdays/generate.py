"""Regenerate data/public-holidays.json from the `holidays` package (vacanza/holidays on PyPI).

    python -m broker.workdays.generate > broker/workdays/data/public-holidays.json

The broker ships the generated file instead of calling `holidays` at run time because a deadline is a
legal fact: the calendar behind it must be versioned, reviewable in a diff and identical on every
machine, not whatever library release happens to be installed. `holidays` is therefore only a test
dependency, pinned, and a test regenerates the file and compares it byte for byte.

To update: bump the pin in pyproject.toml (or add a year to YEARS), set VERSION and UPDATED, rerun the
command above and review the diff. Output is UTF-8 whatever the locale.
"""

import importlib.metadata
import json
import sys
from typing import Any

import holidays

VERSION = "1"
UPDATED = "2026-11-24"
YEARS = (2026, 2027, 2028)

# State -> (IANA time zone of the capital, caveat a reviewer should know about the library's national set).
# The 27 EU Member States (Denmark included: not bound by Regulation 2023/1543, but the data is general),
# then CETS 185 Parties outside the EU that the broker is likely to exchange with.
STATES: dict[str, tuple[str, str | None]] = {
    "AT": ("Europe/Vienna", None),
    "BE": ("Europe/Brussels", None),
    "BG": ("Europe/Sofia", None),
    "CY": ("Asia/Nicosia", None),
    "CZ": ("Europe/Prague", None),
    "DE": ("Europe/Berlin", "Federal holidays only; each Land adds its own (e.g. Berlin: 8 March)."),
    "DK": ("Europe/Copenhagen", None),
    "EE": ("Europe/Tallinn", None),
    "ES": ("Europe/Madrid", "National holidays only; each autonomous community adds or swaps some."),
    "FI": ("Europe/Helsinki", None),
    "FR": ("Europe/Paris", "Metropolitan national holidays; Alsace-Moselle and overseas extras excluded."),
    "GR": ("Europe/Athens", None),
    "HR": ("Europe/Zagreb", None),
    "HU": ("Europe/Budapest", "Bridge days set by yearly decree are listed only if the library has them."),
    "IE": ("Europe/Dublin", None),
    "IT": ("Europe/Rome", "National holidays only; each city's patron saint day is excluded."),
    "LT": ("Europe/Vilnius", None),
    "LU": ("Europe/Luxembourg", None),
    "LV": ("Europe/Riga", None),
    "MT": ("Europe/Malta", None),
    "NL": ("Europe/Amsterdam", None),
    "PL": ("Europe/Warsaw", None),
    "PT": ("Europe/Lisbon", "National holidays only; municipal holidays excluded."),
    "RO": ("Europe/Bucharest", None),
    "SE": ("Europe/Stockholm", None),
    "SI": ("Europe/Ljubljana", None),
    "SK": ("Europe/Bratislava", None),
    "CA": ("America/Toronto", "Holidays common to all of Canada; Ottawa (Ontario) adds provincial ones."),
    "CH": ("Europe/Zurich", "Federal holidays only; cantons (Bern included) add Good Friday and more."),
    "GB": (
        "Europe/London",
        "UK-wide bank holidays only; Easter Monday and August bank holiday are not UK-wide.",
    ),
    "IS": ("Atlantic/Reykjavik", None),
    "JP": ("Asia/Tokyo", "Statutory holidays; government offices also close 29 December to 3 January."),
    "LI": ("Europe/Vaduz", None),
    "NO": ("Europe/Oslo", None),
    "US": ("America/New_York", "Federal holidays (with observed days) only; States add their own."),
}

NOTE = (
    "National public holidays only (the library's 'public' category without a subdivision): regional, "
    "cantonal, provincial, municipal and bank holidays, half days and customary office closures are not "
    "included, so a deadline computed here can be earlier than a local one, never later for that reason. "
    "Saturdays and Sundays are never working days; weekend holidays are listed but change nothing; "
    "substitute (observed) days are listed where the law moves a holiday. Working Saturdays decreed to "
    "make up for bridge days are not modelled. Time zones are the capital's. Check each State against its "
    "official gazette before relying on a deadline in production."
)


def library_source() -> str:
    """The citation every entry carries: the library and its exact release."""
    version = importlib.metadata.version("holidays")
    return f"holidays {version} (PyPI, github.com/vacanza/holidays)"


def state_holidays(state: str) -> dict[str, str]:
    """ISO date -> English name of each national public holiday of `state` in YEARS, in date order."""
    extra: dict[str, Any] = {"include_sundays": False} if state in {"NO", "SE"} else {}
    found = holidays.country_holidays(
        state, years=YEARS, language="en_US", categories=(holidays.PUBLIC,), **extra
    )
    return {day.isoformat(): name for day, name in sorted(found.items())}


def build() -> dict[str, Any]:
    """The whole document, deterministic for a given library release."""
    source = library_source()
    states: dict[str, Any] = {}
    for state in sorted(STATES):
        time_zone, caveat = STATES[state]
        entry: dict[str, Any] = {
            "time_zone": time_zone,
            "source": f"{source}: country {state}, category 'public', no subdivision",
        }
        if caveat:
            entry["note"] = caveat
        entry["holidays"] = state_holidays(state)
        states[state] = entry
    return {
        "title": "National public holidays used for working-day deadlines",
        "version": VERSION,
        "updated": UPDATED,
        "source": source,
        "confidence": "secondary",
        "note": NOTE,
        "years": list(YEARS),
        "states": states,
    }


def render() -> str:
    """The file's exact text: two-space JSON, non-ASCII kept, one trailing newline."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.buffer.write(render().encode("utf-8"))


if __name__ == "__main__":
    main()
