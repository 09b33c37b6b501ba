"""Fixtures for the audit trail: the broker's vkey, the API reached over HTTP, the `broker audit` CLI."""

from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from broker import translog
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditSubtree
from broker.audit.signer import LogSigner

ORIGIN = "broker.test/log"


@pytest.fixture
def signer(broker_key_file: Any) -> LogSigner:
    """The broker's own log signer, as the `app` fixture configures it."""
    return LogSigner.from_file(ORIGIN, broker_key_file)


@pytest.fixture
def vkey(signer: LogSigner) -> str:
    return signer.vkey


@pytest.fixture
def checkpoint(client: Any, network: Any) -> Any:
    """checkpoint() -> the JSON of a checkpoint signed now at the oversight body's request."""

    def sign() -> dict[str, Any]:
        response = client.post("/api/v1/audit/checkpoints", headers=network["oversight"].headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return sign


@pytest.fixture
def broker_cli(database: Any, broker_key_file: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """broker_cli("audit", "key", …) -> the click Result, on the test database with the broker's key."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    monkeypatch.setenv("BROKER_KEY_FILE", str(broker_key_file))
    monkeypatch.setenv("BROKER_LOG_ORIGIN", ORIGIN)
    monkeypatch.delenv("BROKER_TOKEN", raising=False)
    from broker.cli import main  # imported late: the CLI pulls in every command's dependencies

    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def rewrite_log(database: Any) -> Any:
    """rewrite_log(leaves): what a careful operator does to change history with SQL access alone.

    The log becomes exactly `leaves`: later entries deleted, every leaf hash recomputed, the subtree
    hashes rebuilt with translog's own functions and the head set, so the result is self-consistent.
    """

    def rewrite(leaves: list[str]) -> None:
        with database.transaction() as session:
            session.execute(sa.delete(AuditEntry).where(AuditEntry.index >= len(leaves)))
            session.execute(sa.delete(AuditSubtree))
            store = translog.MemoryStore()
            for index, leaf in enumerate(leaves):
                leaf_hash = translog.leaf_hash(leaf.encode())
                session.execute(
                    sa.update(AuditEntry)
                    .where(AuditEntry.index == index)
                    .values(leaf=leaf, leaf_hash=leaf_hash)
                )
                completed = translog.subtrees_to_store(index, leaf_hash, store)
                store.put(completed)
                session.add_all(AuditSubtree(level=lv, index=at, hash=h) for lv, at, h in completed)
            session.execute(sa.update(AuditLogHead).values(size=len(leaves)))

    return rewrite
