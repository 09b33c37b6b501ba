"""`broker serve` answers HTTP on the embedded default, behind waitress."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from broker import migrate
from broker.db import Database


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
