"""bench/log.py still proves and verifies the seeded log, in process and over HTTP."""

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_log_reports_proofs_and_verification(seeded, tmp_path):
    import log

    docs = tmp_path / "performance.md"
    assert (
        log.main(["--url", seeded, "--proofs", "3", "--servers", "1x2", "--write-docs", "--docs", str(docs)])
        == 0
    )
    text = docs.read_text()
    for proof in ("inclusion", "consistency"):
        assert f"| {proof} | in process | 3 |" in text and f"| {proof} | HTTP | 3 |" in text, text
    assert "verify_log over the export, in process" in text and "verify_log through the API (HTTP)" in text


def test_a_section_of_its_own_names_its_size_and_database_in_its_title():
    import common
    import log

    proofs = [log.Proofs("sqlite", 1_000_000, "inclusion", "in process", 3, 0.001, 0.002, 1.0)]
    checks = [log.Verification("sqlite", 1_000_000, "verify_log over the export, in process", 2.0)]
    host = common.machine()
    assert log.render(proofs, checks, [], host, "cmd", "1x2").startswith(
        "## Log: proofs and full verification\n"
    )
    titled = log.render(proofs, checks, [], host, "cmd", "1x2", "log-1m")
    assert titled.startswith("## Log: proofs and full verification, at 1,000,000 log entries (SQLite)\n")
