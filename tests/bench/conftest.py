"""The benchmarks' smoke tests: bench/ on the import path, and one tiny seeded database for several tests.

bench/ is not a package: its scripts import each other by name (`import common`), as they do when run
as `python bench/intake.py`, so the tests put the folder on sys.path the same way.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLite database of 30 orders: 15 through the operations, the rest copies (the fast mode)."""
    import seed

    path = tmp_path_factory.mktemp("seeded") / "seed.sqlite3"
    url = f"sqlite:///{path}"
    seed.seed(url, 30, days=200, batch=50, fast=True, template=15, processes=1, progress=False)
    yield url
