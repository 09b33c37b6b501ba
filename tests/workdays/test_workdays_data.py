"""The shipped holiday file: complete for the Member States, sourced, and exactly what the generator makes."""

import json
import subprocess
import sys
from datetime import date
from importlib import resources
from importlib.metadata import version
from zoneinfo import ZoneInfo

import pytest

from broker.workdays import load_calendar

DATA = resources.files("broker.workdays").joinpath("data", "public-holidays.json")
YEARS = (2026, 2027, 2028)

# The 27 EU Member States and their capitals' zones, written out here independently of the generator.
MEMBER_STATES = {
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris", "GR": "Europe/Athens",
    "HR": "Europe/Zagreb", "HU": "Europe/Budapest", "IE": "Europe/Dublin", "IT": "Europe/Rome",
    "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava",
}  # fmt: skip
OTHER_PARTIES = {"NO", "CH", "GB", "US", "JP"}


def document() -> dict:
    return json.loads(DATA.read_text("utf-8"))


def test_the_file_says_what_it_is_and_where_it_comes_from() -> None:
    data = document()
    assert data["version"] and date.fromisoformat(data["updated"])
    assert data["source"].startswith("holidays ")
    assert data["confidence"] in {"confirmed", "secondary", "unconfirmed"}
    assert "regional" in data["note"]
    assert tuple(data["years"]) == YEARS


def test_all_27_member_states_and_the_main_other_parties_are_covered() -> None:
    data = document()
    assert len(MEMBER_STATES) == 27
    assert set(MEMBER_STATES) | OTHER_PARTIES <= set(data["states"])
    for state, entry in data["states"].items():
        ZoneInfo(entry["time_zone"])
        assert entry["source"].startswith(data["source"]), state
        if state in MEMBER_STATES:
            assert entry["time_zone"] == MEMBER_STATES[state], state
        listed = [date.fromisoformat(day) for day in entry["holidays"]]
        assert listed == sorted(listed), state
        assert {day.year for day in listed} == set(YEARS), state
        for year in YEARS:
            # Every State marks New Year's Day and Christmas Day (JP only the former).
            assert date(year, 1, 1) in listed, (state, year)
            assert state == "JP" or date(year, 12, 25) in listed, (state, year)


def test_the_calendar_covers_every_day_of_the_years_for_every_member_state() -> None:
    calendar = load_calendar()
    for state in MEMBER_STATES:
        assert calendar.covers(state, date(2026, 1, 1)) and calendar.covers(state, date(2028, 12, 31))
        assert not calendar.covers(state, date(2029, 1, 1))


def test_regenerating_reproduces_the_committed_file_byte_for_byte() -> None:
    pytest.importorskip(
        "holidays", reason="the `holidays` package (test extra) is needed to regenerate the holiday data"
    )
    recorded = document()["source"].split()[1]
    assert version("holidays") == recorded, (
        f"holidays {version('holidays')} is installed but the data was made with {recorded}: install the "
        "pinned version, or bump the pin and regenerate with python -m broker.workdays.generate"
    )
    generated = subprocess.run(
        [sys.executable, "-m", "broker.workdays.generate"], check=True, capture_output=True
    ).stdout
    assert generated == DATA.read_bytes(), "regenerate with python -m broker.workdays.generate and review"


def test_the_package_is_pure_and_needs_no_library_at_run_time() -> None:
    probe = "import sys, broker.workdays; print(sorted(m for m in sys.modules if m in {'flask', 'sqlalchemy', 'holidays'}))"
    imported = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert imported.strip() == "[]"
