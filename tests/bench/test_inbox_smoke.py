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


def test_a_section_of_its_own_names_its_size_and_database_in_its_title():
    import common
    import inbox

    rows = [inbox.Row("sqlite", 1_000_000, 200_000, "inbox", "HTTP", 3, 0.01, 0.02, 15.0)]
    host = common.machine()
    assert inbox.render(rows, [], host, "cmd", "1x2").startswith(
        "## Inbox: the first page of a provider's inbox\n"
    )
    titled = inbox.render(rows, [], host, "cmd", "1x2", "inbox-1m")
    assert titled.startswith("## Inbox: the first page of a provider's inbox, at 1,000,000 orders (SQLite)\n")
