"""Only `broker` is installed: schemas/, keys/, migrations/ and tests/ never become top-level modules."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_contains_only_the_broker_package(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("eevidence_broker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.startswith("eevidence_broker-")}
    assert top_level == {"broker"}
    assert "broker/crypto/__init__.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "broker = broker.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
