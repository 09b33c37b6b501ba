"""bench/inbox.py still measures the inbox in process and over HTTP, with the query's plan."""

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_inbox_reports_each_filter_and_the_plan(seeded, tmp_path):
    import inbox

    docs = tmp_path / "performance.md"
    assert (
        inbox.main(
            ["--url", seeded, "--requests", "3", "--servers", "1x2", "--write-docs", "--docs", str(docs)]
        )
        == 0
    )
    text = docs.read_text()
    for way in ("query in process", "endpoint in process", "HTTP"):
        for variant in ("inbox", "unread", "overdue"):
            assert f"| {variant} | {way} | 3 |" in text, text
    assert "SEARCH orders" in text or "SCAN orders" in text
