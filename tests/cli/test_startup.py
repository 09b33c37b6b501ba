"""`broker serve` says at start-up what it lacks, and refuses an unready production set-up (issue 12, defect 7).

It used to start without BROKER_KEY_FILE and fail only later, at the first checkpoint or webhook
delivery. The checks are broker/cli/startup.py, called by `broker serve` before it listens.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest

from broker import config
from broker import crypto
from broker import migrate
from broker.cli import startup
from broker.db import Database

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def ready(tmp_path: Path) -> dict[str, Any]:
    """Settings of a production deployment that has everything it needs."""
    key = tmp_path / "broker-key.pem"
    key.write_bytes(crypto.private_key_pem(crypto.generate_private_key("EdDSA")))
    return {
        **config.DEFAULTS,
        "ENV": "production",
        "KEY_FILE": str(key),
        "SEAL_KEY_FILE": str(tmp_path / "seal-key.pem"),  # only named here: `broker serve` does not read them
        "SEAL_CERT_FILE": str(tmp_path / "seal-cert.pem"),
        "LOG_ORIGIN": "broker.example.eu/eevidence",
        "SMTP_URL": "smtps://broker:secret@mail.example.eu",
        "MAIL_FROM": "broker@example.eu",
        "PUBLIC_URL": "https://broker.example.eu",
    }


@pytest.mark.parametrize(
    ("changes", "debug", "named"),
    [
        pytest.param({"KEY_FILE": None}, False, ["BROKER_KEY_FILE"], id="no broker key"),
        pytest.param(
            {"LOG_ORIGIN": config.DEFAULTS["LOG_ORIGIN"]}, False, ["BROKER_LOG_ORIGIN"], id="default origin"
        ),
        pytest.param({"SEAL_CERT_FILE": None}, False, ["BROKER_SEAL_KEY_FILE"], id="half a seal"),
        pytest.param({}, True, ["--debug"], id="the debugger"),
        pytest.param(
            {"WEBHOOK_ALLOW_LOOPBACK": True}, False, ["BROKER_WEBHOOK_ALLOW_LOOPBACK"], id="loopback hooks"
        ),
        pytest.param(
            {"SMTP_URL": "smtp+plain://mail.example.eu"}, False, ["smtp+plain://"], id="mail in clear text"
        ),
        pytest.param({"PUBLIC_URL": "http://broker.example.eu"}, False, ["https"], id="links over http"),
        pytest.param({"MAIL_FROM": None}, False, ["BROKER_MAIL_FROM"], id="mail from nobody"),
        pytest.param({"SMTP_URL": "imap://mail.example.eu"}, False, ["BROKER_SMTP_URL"], id="not SMTP"),
        pytest.param(
            {"KEY_FILE": "", "LOG_ORIGIN": config.DEFAULTS["LOG_ORIGIN"]},
            True,
            ["BROKER_KEY_FILE", "BROKER_LOG_ORIGIN", "--debug"],
            id="everything at once",
        ),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(ready, changes, debug, named):
    with pytest.raises(click.ClickException) as refused:
        startup.check_serving(processes=1, debug=debug, settings={**ready, **changes}, echo=print)
    message = refused.value.message
    assert message.startswith("BROKER_ENV=production, and this deployment is not ready:")
    assert message.count("\n  - ") == len(named)
    for name in named:
        assert name in message


def test_a_ready_production_deployment_starts_quietly(ready):
    said: list[str] = []
    startup.check_serving(processes=1, debug=False, settings=ready, echo=said.append)
    assert said == []


@pytest.mark.parametrize(
    ("changes", "processes", "expected"),
    [
        pytest.param(
            {"ENV": "development", "KEY_FILE": None}, 1, ["no BROKER_KEY_FILE"], id="development, no key"
        ),
        pytest.param({}, 4, ["each of the 4 processes on its own"], id="memory counts, several processes"),
        pytest.param({}, 1, [], id="memory counts, one process"),
        pytest.param({"SMTP_URL": None}, 1, ["no BROKER_SMTP_URL"], id="no mail"),
        pytest.param(
            {
                "ENV": "development",
                "SMTP_URL": "smtp+plain://127.0.0.1:2525",
                "PUBLIC_URL": "http://127.0.0.1:8000",
            },
            1,
            [],
            id="development mails through a relay on this machine",
        ),
        pytest.param({"RATE_LIMIT_STORAGE": REDIS_URL}, 4, [], id="a Redis that answers"),
        pytest.param(
            {"RATE_LIMIT_STORAGE": "redis://127.0.0.1:1/0"},
            4,
            ["does not answer"],
            id="a Redis that does not",
        ),
        pytest.param(
            {"ENV": "development", "KEY_FILE": None, "LOG_ORIGIN": config.DEFAULTS["LOG_ORIGIN"]},
            1,
            ["no BROKER_KEY_FILE"],
            id="development tolerates what production refuses",
        ),
        pytest.param(
            {"ENV": "development", "SEAL_KEY_FILE": None, "SEAL_CERT_FILE": None},
            1,
            ["certificate PDFs are sealed with a development seal"],
            id="development, no seal",
        ),
    ],
)
def test_what_works_but_may_not_be_meant_is_a_warning(ready, changes, processes, expected):
    said: list[str] = []
    startup.check_serving(processes=processes, debug=False, settings={**ready, **changes}, echo=said.append)
    assert len(said) == len(expected)
    for line, words in zip(said, expected, strict=True):
        assert line.startswith("warning: ")
        assert words in line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def migrated_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    return url


def _environment(url: str, **variables: str) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BROKER_")}
    return {**inherited, "BROKER_DATABASE_URL": url, **variables}


def test_serve_in_production_without_a_key_refuses_to_start(migrated_file):
    result = subprocess.run(
        [sys.executable, "-m", "broker.cli", "serve", "--port", str(_free_port()), "--processes", "1"],
        env=_environment(migrated_file, BROKER_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "BROKER_ENV=production, and this deployment is not ready" in result.stderr
    assert "BROKER_KEY_FILE" in result.stderr
    assert "broker API on" not in result.stderr


def test_serve_without_a_key_says_so_when_it_starts(migrated_file, tmp_path):
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "broker.cli", "serve", "--port", str(_free_port()), "--processes", "1"],
            env=_environment(migrated_file),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            if "broker API on" in log.read_text() or server.poll() is not None:
                break
            time.sleep(0.1)
        text = log.read_text()
        assert "broker API on" in text, text
        warning = text.index("warning: no BROKER_KEY_FILE")
        assert warning < text.index("broker API on")  # before it starts answering
    finally:
        server.terminate()
        server.wait(timeout=10)
