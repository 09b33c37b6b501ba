"""The signing library must stay usable by a provider that installs neither Flask nor SQLAlchemy."""

import json
import subprocess
import sys

PROBE = """
import json, sys
import broker.crypto
print(json.dumps(sorted(sys.modules)))
"""
FORBIDDEN = ("flask", "sqlalchemy")


def test_importing_broker_crypto_loads_no_web_or_database_framework() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    assert "broker.crypto" in loaded
    assert [m for m in loaded if m.split(".")[0].lower() in FORBIDDEN] == []
