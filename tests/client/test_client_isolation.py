"""The parties' client must stay usable by an authority or provider that runs no broker.

Importing it, with every module a script would use, must load neither Flask nor SQLAlchemy (nor the
broker's server packages), exactly like `broker.crypto` (tests/crypto/test_isolation.py).
"""

import json
import subprocess
import sys

PROBE = """
import json, sys
import broker.client
from broker.client import age, api, errors, evidence_fetching, evidence_sending, http, messages, verify
from broker.crypto import signers
print(json.dumps(sorted(sys.modules)))
"""
FORBIDDEN = ("flask", "sqlalchemy", "alembic", "werkzeug", "waitress")
SERVER_PACKAGES = ("api", "orders", "audit", "notify", "clocks", "parties", "evidence", "cli", "app", "db")


def test_importing_the_client_loads_no_web_or_database_framework() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    assert "broker.client" in loaded
    assert [m for m in loaded if m.split(".")[0].lower() in FORBIDDEN] == []


def test_importing_the_client_loads_no_server_module_of_the_broker() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    server = [m for m in loaded if m.startswith("broker.") and m.split(".")[1] in SERVER_PACKAGES]
    assert server == []


def test_the_optional_signer_backends_are_not_imported_until_used() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    assert [m for m in loaded if m.split(".")[0] in ("pkcs11", "boto3", "botocore")] == []
