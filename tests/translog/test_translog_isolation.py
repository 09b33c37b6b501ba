"""The log core must stay usable by auditors who install neither Flask nor SQLAlchemy."""

import json
import subprocess
import sys

PROBE = """
import json, sys
import broker.translog
print(json.dumps(sorted(sys.modules)))
"""
FORBIDDEN = ("flask", "sqlalchemy")


def test_importing_broker_translog_loads_no_web_or_database_framework() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    assert "broker.translog" in loaded
    assert [m for m in loaded if m.split(".")[0].lower() in FORBIDDEN] == []
