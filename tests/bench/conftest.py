"""The benchmarks' smoke tests: bench/ on the import path, and one tiny seeded database for several tests.

bench/ is not a package: its scripts import each other by name (`import common`), as they do when run
as `python bench/intake.py`, so the tests put the folder on sys.path the same way.
"""

import fcntl
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLite database of 30 orders: 15 through the operations, the rest copies (the fast mode).

    Seeded once per run: under xdist the first worker to need it seeds it in the run's folder, which
    the workers share, and every worker uses a copy of its own (the database with its network and
    broker key beside it), so that no benchmark sees another's writes.
    """
    import seed

    own = tmp_path_factory.mktemp("seeded")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # xdist gives each worker a folder of its own (…/popen-gw0) in the run's.
        run = tmp_path_factory.getbasetemp().parent
        with (run / "seeded.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shared = run / "seeded"
            if not shared.exists():
                seeding = run / "seeding"
                shutil.rmtree(seeding, ignore_errors=True)  # what a worker that failed left
                _seed(seed, seeding)
                seeding.rename(shared)
        shutil.copytree(shared, own, dirs_exist_ok=True)
    else:
        _seed(seed, own)
    yield f"sqlite:///{own / 'seed.sqlite3'}"


def _seed(seed: Any, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    url = f"sqlite:///{folder / 'seed.sqlite3'}"
    seed.seed(url, 30, days=200, batch=50, fast=True, template=15, processes=1, progress=False)
