"""`broker report art28|transparency`: the API's figures on the command line, as JSON or CSV."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from broker.cli import main
from broker.reports.csv_export import rows
from broker.reports.csv_export import to_csv


@pytest.fixture
def broker(database, monkeypatch):
    """Run `broker report …` against the test database; returns the click Result."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    return lambda *args: CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


def parse(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_art28_report_on_the_command_line_is_the_apis(broker, steps, year):
    result = broker("art28", "--year", "2026", "--country", "fr")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    served = steps.report("art28?year=2026&country=FR")
    assert printed["figures"] == served["figures"]
    assert printed["definitions"] == served["definitions"]
    assert printed["country"] == "FR"
    days = json.loads(broker("art28", "--from", "2026-11-24", "--to", "2026-11-25").stdout)
    assert days["period"] == {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z", "year": None}
    assert days["figures"]["a"]["epoc"]["total"] == 4


def test_the_csv_has_one_row_per_figure_and_round_trips(broker, steps, year):
    result = broker("art28", "--year", "2026", "--country", "FR", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = parse(result.stdout)
    assert list(table[0]) == ["figure", "split", "value", "definition"]
    cells = {(r["figure"], r["split"]): r for r in table}
    assert len(cells) == len(table), "each (figure, split) once"
    assert cells[("a.epoc", "total")]["value"] == "9"
    assert cells[("a.epoc", "data_category=subscriber")]["value"] == "7"
    assert cells[("a.epoc", "addressee=Example Mail (IE)")]["value"] == "8"
    assert cells[("c.epoc.not_complied", "reason=deadline_missed")]["value"] == "1"
    assert cells[("d.refused", "ground=ne_bis_in_idem")]["value"] == "1"
    assert cells[("e.epoc.average_seconds", "emergency=non_emergency")]["value"] == "46800.0"
    assert cells[("h", "total")]["value"] == ""
    assert "Art. 28, point (h)" in cells[("h", "total")]["definition"]
    assert "not recorded" in cells[("h", "total")]["definition"]
    assert cells[("country", "")]["value"] == "FR"
    # Every figure of the JSON is a row of the CSV, and nothing else is.
    report = steps.report("art28?year=2026&country=FR")
    expected = [
        {"figure": f, "split": s, "value": "" if v is None else str(v), "definition": d}
        for f, s, v, d in rows(report)
        if f != "generated_at"
    ]
    assert [r for r in table if r["figure"] != "generated_at"] == expected
    assert [r for r in parse(to_csv(report)) if r["figure"] != "generated_at"] == expected


def test_the_transparency_report_by_provider_name(broker, steps, year):
    result = broker("transparency", "--provider", "Example Mail", "--year", "2026", "--format", "csv")
    assert result.exit_code == 0, result.output
    cells = {(r["figure"], r["split"]): r["value"] for r in parse(result.stdout)}
    assert cells[("requests", "total")] == "8"
    assert cells[("requests", "country=FR")] == "7"
    assert cells[("percentage_some_data_disclosed", "country=FR; instrument=reg-2023-1543")] == "42.9"
    assert cells[("provider.name", "")] == "Example Mail"
    printed = json.loads(broker("transparency", "--provider", "Example Mail", "--year", "2026").stdout)
    assert printed["figures"] == steps.report("transparency?year=2026", who="provider")["figures"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(("art28",), "year: give a year, or start and end", id="no period"),
        pytest.param(("art28", "--year", "2026", "--from", "2026-01-01"), "not both", id="both"),
        pytest.param(
            ("art28", "--from", "2026-02-01", "--to", "2026-01-01"), "end: must be after", id="reversed"
        ),
        pytest.param(("art28", "--year", "1999"), "year: must be between 2000 and 2100", id="year range"),
        pytest.param(("art28", "--year", "soon"), "year: not a year", id="year text"),
        pytest.param(("art28", "--from", "1 May", "--to", "2026-06-01"), "start: not a day", id="bad day"),
        pytest.param(("art28", "--year", "2026", "--country", "Gaul"), "country: not an ISO", id="country"),
        pytest.param(
            ("transparency", "--provider", "Nobody", "--year", "2026"), "no organisation", id="unknown"
        ),
        pytest.param(
            ("transparency", "--provider", "Parquet de Paris", "--year", "2026"),
            "not a provider",
            id="not one",
        ),
    ],
)
def test_errors_are_one_line_and_exit_1(broker, network, args, words):
    result = broker(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
