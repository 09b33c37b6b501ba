"""The certificate benchmark still runs end to end, and writes only between its own markers.

bench/ is a folder of scripts, not a package: its modules are imported from that folder, as
`python bench/certificates.py` would find them. The benchmark writes only the file given with
--output, here a copy in the test's folder: a test run never rewrites docs/.
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

BENCH = Path(__file__).resolve().parents[2] / "bench"
BEFORE = "# Performance\n\n## Earlier\n\nKept as it is.\n\n## Certificates as PDF\n\n"
AFTER = "\n\n## Later\n\nKept as well, with a table:\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import certificates

    return certificates


def test_the_bench_measures_every_form_and_replaces_only_its_section(bench, tmp_path):
    output = tmp_path / "certificates.md"
    output.write_text(
        BEFORE + "<!-- bench:certificates -->\nold figures\n<!-- /bench:certificates -->" + AFTER
    )

    assert bench.main(["--repeat", "2", "--output", str(output)]) == 0

    text = output.read_text()
    assert text.startswith(BEFORE + "<!-- bench:certificates -->\n")
    assert text.endswith("<!-- /bench:certificates -->" + AFTER)
    assert text.count("<!-- bench:certificates -->") == 1 and "old figures" not in text
    for form in ("Annex I (EPOC)", "Annex II (EPOC-PR)", "Annex III", "Annex V", "Annex VI"):
        row = re.search(
            rf"^\| {re.escape(form)}[^|]*\| \w\w \| \d+ KiB( \| \d+ ms \(\d+ ms\)){{4}} \|$", text, re.M
        )
        assert row, form


def test_without_its_markers_the_bench_appends_its_section(bench, tmp_path):
    output = tmp_path / "performance.md"
    output.write_text(BEFORE + "Figures of someone else." + AFTER)

    assert bench.main(["--repeat", "1", "--output", str(output)]) == 0

    text = output.read_text()
    assert text.startswith(BEFORE + "Figures of someone else." + AFTER.rstrip())
    assert text.rstrip().endswith("<!-- /bench:certificates -->")
