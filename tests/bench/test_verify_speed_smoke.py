"""bench/verify_speed.py stays runnable: a tiny synthetic log verifies and both rates are measured."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "verify_speed.py"


def test_the_verification_benchmark_runs_on_a_tiny_log():
    spec = importlib.util.spec_from_file_location("verify_speed", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fast, slow = module.measure(300, 100, repeat=1)
    assert fast > 0 and slow > 0
