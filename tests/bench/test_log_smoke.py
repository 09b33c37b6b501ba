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
