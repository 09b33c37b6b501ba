"""The reports benchmark still runs end to end on SQLite, and the orders it seeds count as the operations count.

bench/ is a folder of scripts, not a package: its modules are imported from that folder, as
`python bench/reports.py` would find them.
"""

import re
from datetime import date
from pathlib import Path
from random import Random

import pytest
import sqlalchemy as sa
from conftest import tally_rows
from report_reference import art28_figures
from report_reference import transparency_figures

from broker.clock import system_clock
from broker.parties.models import Organisation
from broker.reports import art28
from broker.reports import operations
from broker.reports import transparency
from broker.reports.period import make_period

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import reports

    return reports


def test_the_bench_writes_its_section_for_a_few_hundred_orders_on_sqlite(bench, tmp_path):
    output = tmp_path / "performance.md"
    output.write_text("# Evidence delivery performance\n\nKept as it is.\n")
    arguments = ["--orders", "200", "--databases", "sqlite", "--repeat", "1", "--reference-max", "200"]
    assert bench.main([*arguments, "--output", str(output), "--work-dir", str(tmp_path)]) == 0
    page = output.read_text()
    assert page.startswith(
        "# Evidence delivery performance\n\nKept as it is.\n\n## Reports at a million orders\n"
    )
    seconds = r"\d+\.\d{3} s \(\d+\.\d{3}\)"
    assert re.search(
        rf"^\| sqlite \| 200 \|( {seconds} \|){{4}} [\d.]+ MiB \| [\d.]+ MiB \|", page, re.MULTILINE
    )
    assert "### Before the tallies" in page and "USING INDEX" in page
    assert not list(tmp_path.glob("broker-bench-*")), "the temporary folder was left behind"
    # Written again, the section replaces itself and leaves the rest of the page alone.
    bench.write_section(output, "## Reports at a million orders\n\nAgain.\n")
    assert (
        output.read_text()
        == "# Evidence delivery performance\n\nKept as it is.\n\n## Reports at a million orders\n\nAgain.\n"
    )


def test_seeded_orders_count_as_a_rebuild_counts_them_and_report_as_before(bench, database):
    api = bench.report_fates.Api(database)
    api.register()
    templates = bench.load(database, bench.report_fates.make_templates(api))
    bench.seed(database, templates, 300, Random(7))
    with database.transaction() as session:
        seeded = tally_rows(session)
        assert len(seeded["orders"]) == 300 + len(templates)
        assert operations.rebuild(session) == 300 + len(templates)
        assert tally_rows(session) == seeded
        provider = session.scalars(sa.select(Organisation).where(Organisation.name == "Example Mail")).one()
        for period in (make_period(2027), make_period(start=date(2027, 3, 15), end=date(2027, 5, 10))):
            for country in (None, "FR", "DE"):
                assert art28.build(session, system_clock, period, country)["figures"] == art28_figures(
                    session, period, country
                )
            assert transparency.build(session, system_clock, period, provider)[
                "figures"
            ] == transparency_figures(session, period, provider)
