"""The evidence benchmark still runs end to end: a tiny package on SQLite, a report with its numbers."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "evidence.py"


def _bench_module():
    """bench/ is not a package: load the script by its path, as `python bench/evidence.py` would."""
    spec = importlib.util.spec_from_file_location("bench_evidence", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_bench_reports_a_tiny_package_on_sqlite(tmp_path):
    """Does a 1 MiB delivery in 256 KiB chunks, against a real server process, yield a row of numbers?"""
    bench = _bench_module()
    output = tmp_path / "performance.md"
    arguments = ["--sizes", "1MB", "--databases", "sqlite", "--chunk-size", "256KB"]
    status = bench.main([*arguments, "--output", str(output), "--work-dir", str(tmp_path)])
    assert status == 0
    report = output.read_text()
    number, mebibytes = r"\d+(?:\.\d+)?", r"\d+(?:\.\d+)? MiB"
    row = rf"^\| 1 MiB( \| {number}){{4}}( \| {mebibytes}){{2}} \|$"
    assert re.search(row, report, re.MULTILINE), report
    assert "#### SQLite" in report and "#### PostgreSQL" not in report
    assert "chunks of 256 KiB" in report
    assert not list(tmp_path.glob("broker-bench-*")), "the temporary folder was left behind"
