"""bench/intake.py still runs end to end: floor, a served broker, a closed loop of one client then two.

The smallest run that shows every part: one server process of two threads, a second a cell.
"""

import re

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_intake_reports_orders_per_second_against_the_floor(tmp_path):
    import common
    import intake

    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\nkept\n")
    arguments = ["--databases", "sqlite", "--clients", "1,2", "--servers", "1x2", "--duration", "1.0"]
    arguments += [
        "--warmup",
        "0.3",
        "--floor-orders",
        "20",
        "--profile-orders",
        "3",
        "--statement-times",
        "2",
        "--work-dir",
        str(tmp_path),
    ]
    assert intake.main([*arguments, "--write-docs", "--docs", str(docs)]) == 0
    text = docs.read_text()
    assert text.startswith("# Performance\n\nkept\n") and "<!-- bench:intake -->" in text
    rows = re.findall(
        r"^\| sqlite \| 0 \| 1x2 \| (\d) \| ([\d.]+) \| .* \| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$",
        text,
        re.M,
    )
    assert [clients for clients, _, _ in rows] == ["1", "2"], text
    assert all(float(rate) > 0 and errors == "0" for _, rate, errors in rows), text
    assert "SQL statements" in text
    common.write_section("intake", "again", docs)
    assert (
        docs.read_text() == "# Performance\n\nkept\n\n<!-- bench:intake -->\nagain\n<!-- /bench:intake -->\n"
    )
    assert not list(tmp_path.glob("broker-intake-*")), "the temporary folder was left behind"
