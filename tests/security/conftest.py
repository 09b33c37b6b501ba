"""Fixtures for the security tests: the log read as an oversight body reads it, over the API or exported.

The API is reached through `requests` (as `broker audit verify` reaches it), answered in process by
the Flask test client, so every answer is also checked against the OpenAPI document.
"""

import json
import re
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
from click.testing import CliRunner

from broker.audit import verify
from broker.audit.signer import LogSigner

ORIGIN = "broker.test/log"  # the `app` fixture's LOG_ORIGIN
BASE_URL = "http://broker.test"


@pytest.fixture
def vkey(broker_key_file: Path) -> str:
    """The broker's verifier key: all an oversight body holds."""
    return LogSigner.from_file(ORIGIN, broker_key_file).vkey


@pytest.fixture
def broker_http(client: Any) -> Iterator[responses.RequestsMock]:
    """HTTP to http://broker.test/api/v1/… answered by the Flask test client (no network)."""

    def forward(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.url)
        headers = {name: value for name, value in request.headers.items() if name.lower() != "host"}
        answer = client.open(
            url.path, method=request.method, query_string=url.query, headers=headers, data=request.body
        )
        passed = {name: value for name, value in answer.headers.items() if name.lower() != "content-length"}
        return answer.status_code, passed, answer.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST):
            mock.add_callback(
                method, re.compile(re.escape(BASE_URL) + r"/api/v1/.*"), forward, content_type=None
            )
        yield mock


@pytest.fixture
def api_source(broker_http: responses.RequestsMock, network: Any) -> verify.ApiSource:
    """The log as an oversight body reads it over the API."""
    return verify.ApiSource(BASE_URL, network["oversight"].token, requests.Session())


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
