"""The certificate benchmark still runs end to end, and writes only its own section of performance.md.

bench/ is a folder of scripts, not a package: its modules are imported from that folder, as
`python bench/certificates.py` would find them.
"""

from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import certificates

    return certificates


def test_the_bench_measures_every_form_and_replaces_only_its_section(bench, tmp_path):
    output = tmp_path / "performance.md"
    output.write_text("# Performance\n\n## Earlier\n\nKept as it is.\n")

    assert bench.main(["--repeat", "2", "--output", str(output)]) == 0
    assert bench.main(["--repeat", "2", "--output", str(output)]) == 0

    text = output.read_text()
    assert text.startswith("# Performance\n\n## Earlier\n\nKept as it is.\n")
    assert text.count(bench.SECTION) == 1
    for form in ("Annex I (EPOC)", "Annex II (EPOC-PR)", "Annex III", "Annex V", "Annex VI"):
        assert f"| {form}" in text
