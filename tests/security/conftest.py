"""Fixtures for the security tests: the log read as an oversight body reads it, over the API or exported.

The API is reached through `requests` (as `broker audit verify` reaches it), answered in process by
the Flask test client, so every answer is also checked against the OpenAPI document.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broker.audit import verify
from broker.audit.signer import LogSigner

ORIGIN = "broker.test/log"  # the `app` fixture's LOG_ORIGIN


@pytest.fixture
def vkey(broker_key_file: Path) -> str:
    """The broker's verifier key: all an oversight body holds."""
    return LogSigner.from_file(ORIGIN, broker_key_file).vkey


@pytest.fixture
def export(database: Any, broker_key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """export() -> a fresh `broker audit export` of the test database, as an ExportSource."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    monkeypatch.setenv("BROKER_KEY_FILE", str(broker_key_file))
    monkeypatch.setenv("BROKER_LOG_ORIGIN", ORIGIN)
    from broker.cli import main  # late: the CLI pulls in every command's dependencies

    def run() -> verify.ExportSource:
        result = CliRunner().invoke(main, ["audit", "export"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return verify.ExportSource(json.loads(result.output))

    return run
