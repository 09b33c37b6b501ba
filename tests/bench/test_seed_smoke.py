"""bench/seed.py still seeds through the operations, and its fast mode's copies still verify."""

import base64
import hashlib
import json

import pytest
import sqlalchemy as sa

from broker import crypto

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def _rows(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(query)))
    finally:
        engine.dispose()


def test_the_operations_seed_a_mix_of_states_and_the_log(tmp_path):
    import seed

    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    network, stats = seed.seed(url, 15, days=30, batch=20, progress=False)
    assert stats.orders == 15 and stats.steps > 15
    states = dict(_rows(url, "SELECT state, count(*) FROM orders GROUP BY state"))
    assert sum(states.values()) == 15 and len(states) >= 3, states
    assert not stats.refused, stats.refused
    [(pending,)] = _rows(url, "SELECT count(*) FROM audit_pending")
    [(size, signed)] = _rows(
        url, "SELECT (SELECT size FROM audit_log_head), (SELECT max(size) FROM audit_checkpoints)"
    )
    assert pending == 0 and size == signed > 15
    assert seed.broker_key_file(url).exists() and len(network.parties) == 15


def test_the_fast_mode_copies_orders_whose_messages_verify(seeded):
    from network import BenchNetwork
    from network import network_file

    network = BenchNetwork.load(network_file(seeded))
    keys = {p.kid: crypto.public_jwk(p.private_key) for p in network.parties.values()}
    [(orders,)] = _rows(seeded, "SELECT count(*) FROM orders")
    assert orders == 30
    messages = _rows(seeded, "SELECT jws, sender_kid, sha256, id FROM messages")
    assert len({jws for jws, *_ in messages}) == len(messages) > 30
    for jws, kid, sha256, message_id in messages:
        envelope = json.loads(crypto.verify_jws(jws, keys[kid]))
        assert envelope["id"].replace("-", "") == str(message_id).replace("-", "")
        assert hashlib.sha256(jws.encode()).hexdigest() == sha256
    for certificate, jws in _rows(
        seeded,
        "SELECT o.certificate, m.jws FROM orders o JOIN messages m ON m.order_id = o.id "
        "WHERE m.message_type IN ('epoc', 'epoc-pr')",
    ):
        body = json.loads(base64.urlsafe_b64decode(jws.split(".")[1] + "==="))["body"]
        assert crypto.canonicalize(body) == crypto.canonicalize(json.loads(certificate))
    [(pending, numbers)] = _rows(
        seeded,
        "SELECT (SELECT count(*) FROM audit_pending), (SELECT count(DISTINCT file_number) FROM orders)",
    )
    assert pending == 0 and numbers == 30


def test_the_fast_mode_logs_the_copies_entries_in_time_order(tmp_path):
    """Copies overlap in time: their entries wait in a table of their own until no later copy can hold
    an older one. The log holds the template's entries, then the copies' in the order they happened;
    the table is gone once all are queued."""
    import seed

    url = f"sqlite:///{tmp_path / 'copies.sqlite3'}"
    seed.seed(url, 30, days=200, batch=50, fast=True, template=10, processes=1, progress=False)  # two copies
    times = [at for (at,) in _rows(url, 'SELECT recorded_at FROM audit_entries ORDER BY "index"')]
    steps_back = [i for i in range(1, len(times)) if times[i] < times[i - 1]]
    assert len(steps_back) == 1, steps_back  # where the copies' entries begin
    assert len(times) - steps_back[0] > 2 * 30, "both copies' entries follow the template's"
    tables = {name for (name,) in _rows(url, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "audit_entries" in tables and "bench_staged_log_entries" not in tables
