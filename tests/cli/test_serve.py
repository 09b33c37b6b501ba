"""`broker serve` answers HTTP: one process per CPU under gunicorn by default, waitress for one."""

import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker import migrate
from broker.cli import main as cli
from broker.db import Database

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

# The module, not the click command the package exports under the same name.
serve = importlib.import_module("broker.cli.serve")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_on_the_embedded_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    port = _free_port()
    env = {**os.environ, "BROKER_DATABASE_URL": url}
    log = tmp_path / "serve.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "broker.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        document = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2
                ) as answer:
                    document = json.load(answer)
                    server_header = answer.headers["Server"]
                break
            except OSError:
                time.sleep(0.1)
        assert document is not None, log.read_text()
        assert document["openapi"].startswith("3.")
        assert server_header == "eevidence-broker"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {**os.environ, "BROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "broker.cli", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "run `broker db upgrade`" in result.stderr


def _start(tmp_path, *options: str, env: dict[str, str] | None = None):
    """`broker serve` on a migrated SQLite file with `options`; (process, port, log path)."""
    url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "broker.cli", "serve", "--port", str(port), *options],
            env={**os.environ, "BROKER_DATABASE_URL": url, **(env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return server, port, log


def _answer(port: int, log) -> str:
    """The Server header of the first answer to the OpenAPI document, waiting for the server to start."""
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2) as answer:
                return answer.headers["Server"]
        except OSError:
            time.sleep(0.1)
    raise AssertionError(log.read_text())


def _children(pid: int) -> int:
    """How many running processes have `pid` as their parent (Linux /proc)."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or not hasattr(os, "fork"), reason="needs fork and /proc"
)
def test_serve_runs_the_processes_and_threads_it_is_given(tmp_path):
    """Does `--processes 3 --threads 2` start three worker processes under one master, answering as the broker?"""
    server, port, log = _start(tmp_path, "--processes", "3", "--threads", "2")
    try:
        assert _answer(port, log) == "eevidence-broker"
        deadline = time.monotonic() + 20
        while _children(server.pid) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _children(server.pid) == 3, log.read_text()
        assert "3 processes x 2 threads (gunicorn)" in log.read_text()
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0, log.read_text()


def test_serve_reads_its_set_up_from_the_environment(tmp_path):
    """Do BROKER_SERVE_PROCESSES and BROKER_SERVE_THREADS choose the set-up, one process meaning waitress?"""
    env = {"BROKER_SERVE_PROCESSES": "1", "BROKER_SERVE_THREADS": "3"}
    server, port, log = _start(tmp_path, env=env)
    try:
        assert _answer(port, log) == "eevidence-broker"
        assert "1 process x 3 threads (waitress)" in log.read_text()
        assert _children(server.pid) == 0
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_defaults_to_a_process_per_cpu(monkeypatch):
    """One process per CPU where processes can be forked; one where they cannot."""
    monkeypatch.setattr(serve, "can_fork", lambda: True)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert serve.default_processes() == 3
    monkeypatch.setattr(serve, "can_fork", lambda: False)
    assert serve.default_processes() == 1


def test_serve_refuses_several_processes_without_fork(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    monkeypatch.setenv("BROKER_DATABASE_URL", url)
    monkeypatch.setattr(serve, "can_fork", lambda: False)
    result = CliRunner().invoke(cli, ["serve", "--processes", "2"])
    assert result.exit_code == 2
    assert "use --processes 1" in result.output


def test_gunicorn_builds_the_app_in_each_worker_not_in_the_master(monkeypatch):
    """The factory is gunicorn's `load`, called after the fork; the master only configures."""
    from gunicorn.app.base import BaseApplication

    seen: dict[str, object] = {}

    def run(self):
        seen.update(
            {name: self.cfg.settings[name].get() for name in ("bind", "workers", "threads", "preload_app")}
        )
        seen["worker_class"] = self.cfg.worker_class_str
        seen["app"] = self.load()

    monkeypatch.setattr(BaseApplication, "run", run)
    built = []
    serve.run_gunicorn(lambda: built.append("app") or "the app", "::1", 8123, 3, 2)
    assert seen == {
        "bind": ["[::1]:8123"],
        "workers": 3,
        "threads": 2,
        "preload_app": False,
        "worker_class": "gthread",
        "app": "the app",
    }
    assert built == ["app"]
