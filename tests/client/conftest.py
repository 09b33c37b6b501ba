"""Fixtures for the parties' client: the broker on a real socket, and the parties' key files.

The client signs with the system clock and the broker checks how old a message is, so the broker's
clock starts at the real time here (as in tests/cli/test_cli_evidence.py).
"""

from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result

from broker import crypto
from broker.cli import main
from broker.client import http
from broker.clock import FrozenClock
from broker.demo.server import serving


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries of broken connections happen at once, not after seconds."""
    monkeypatch.setattr(http, "RETRY_WAIT", 0)


@pytest.fixture
def clock() -> FrozenClock:
    """Now: messages are signed with the system clock, which the broker checks."""
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def url(app: Any) -> Iterator[str]:
    """The test app served by waitress on a loopback port."""
    with serving(app) as base:
        yield base


@pytest.fixture
def key_files(network: Any, tmp_path: Path) -> dict[str, Path]:
    """Each party's registered private key as the PEM file its own systems would hold."""
    folder = tmp_path / "keys"
    folder.mkdir()
    files = {}
    for handle, party in network.parties.items():
        path = folder / f"{handle}.pem"
        path.write_bytes(crypto.private_key_pem(party.private_key))
        files[handle] = path
    return files


@pytest.fixture
def cli() -> Callable[..., Result]:
    """cli("order", "show", …, input=…, env=…): `broker …` in-process, as a user would type it."""

    def run(*arguments: Any, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in arguments], input=input, env=env)

    return run
