"""bench/portal_dashboard.py still signs in through the portal and times each list's first page, with its plan."""

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_the_portal_bench_reports_every_page_and_the_plans(seeded, tmp_path):
    import portal_dashboard

    docs = tmp_path / "performance.md"
    assert (
        portal_dashboard.main(["--url", seeded, "--requests", "3", "--write-docs", "--docs", str(docs)]) == 0
    )
    text = docs.read_text()
    for name, _, _ in portal_dashboard.PAGES:
        assert f"| sqlite | 30 | {name} |" in text, text
    assert "**sqlite, oversight search**" in text and "orders" in text
