"""The worker deletes the ciphertext the broker must no longer hold, logs each deletion, and nothing else.

Packages are made through the API as a provider would; time then moves with the injected clock and
the worker's round (`run_once` with a Keeper, or `delete_due` itself) decides what goes.
"""

import base64
import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pyrage
import pytest
import requests
import sqlalchemy as sa

from broker.audit.models import AuditEntry
from broker.cli.worker import run_once
from broker.evidence.models import EvidencePackage
from broker.evidence.retention import Keeper
from broker.evidence.retention import delete_due
from broker.evidence.storage import LocalStorage
from broker.evidence.storage import StorageError
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import User

PACKAGE = b"age-encryption.org/v1\n" + bytes(range(256)) * 8  # the broker never decrypts: bytes are bytes


class Provider:
    """Example Mail uploading to the prosecutor's received orders, through the API."""

    def __init__(self, client: Any, network: Any, exchange: Any, database: Any, clock: Any) -> None:
        self.client, self.network, self.exchange = client, network, exchange
        self.database, self.clock = database, clock
        self.recipient = str(pyrage.x25519.Identity.generate().to_public())
        with database.transaction() as session:
            office = session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
            operations.register_recipient(session, clock, organisation=office, recipient=self.recipient)

    def renew(self) -> None:
        """New API tokens for the provider and the prosecutor, after the clock travelled weeks ahead."""
        for handle in ("provider", "prosecutor"):
            party = self.network[handle]
            with self.database.transaction() as session:
                user = session.scalars(
                    sa.select(User).where(User.organisation_id == uuid.UUID(party.organisation_id))
                ).first()
                _, party.token = operations.issue_token(
                    session, self.clock, user=user, label="renewed", lifetime=timedelta(days=30)
                )

    def order(self) -> dict[str, Any]:
        return self.exchange.receive(self.exchange.issue(self.exchange.draft()))

    def uploading(self, order: dict[str, Any], chunks: int = 1) -> dict[str, Any]:
        """An announced package with its first `chunks` chunks received."""
        headers = self.network["provider"].headers
        body = {
            "file_name": "mailbox.mbox.age",
            "size": len(PACKAGE),
            "sha256": hashlib.sha256(PACKAGE).hexdigest(),
        }
        package = self.client.post(
            f"/api/v1/orders/{order['id']}/evidence", json=body, headers=headers
        ).get_json()
        size = package["chunk_size"]
        for index in range(chunks):
            chunk = PACKAGE[index * size : (index + 1) * size]
            digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
            sent = self.client.put(
                f"/api/v1/orders/{order['id']}/evidence/{package['id']}/chunks/{index}",
                data=chunk,
                headers={**headers, "Content-Digest": f"sha-256=:{digest}:"},
            )
            assert sent.status_code == 200, sent.get_json()
        return package

    def uploaded(self, order: dict[str, Any]) -> dict[str, Any]:
        package = self.uploading(order, chunks=-(-len(PACKAGE) // 1024))
        completed = self.client.post(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}/complete",
            headers=self.network["provider"].headers,
        )
        assert completed.status_code == 200, completed.get_json()
        return completed.get_json()

    def sealed(self, order: dict[str, Any]) -> dict[str, Any]:
        package = self.uploaded(order)
        manifest = {
            "data_categories": order["certificate"]["data_categories"],
            "time_range": order["certificate"]["time_range"],
            "recipient": self.recipient,
            "files": [
                {
                    "name": "mailbox.mbox",
                    "size": 3,
                    "sha256": hashlib.sha256(b"abc").hexdigest(),
                    "package": {"id": package["id"], "size": package["size"], "sha256": package["sha256"]},
                }
            ],
        }
        assert self.message("provider", order, "evidence-manifest", manifest).status_code == 201
        return package

    def message(self, handle: str, order: dict[str, Any], message_type: str, body: dict[str, Any]) -> Any:
        party = self.network[handle]
        to = order["provider"]["id"] if handle == "prosecutor" else order["issuing_authority"]["id"]
        jws = party.sign(message_type, body, to, in_reply_to=order["messages"][0]["id"])
        return self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )


@pytest.fixture
def provider(client, network, exchange, database, clock) -> Provider:
    return Provider(client, network, exchange, database, clock)


@pytest.fixture
def keeper(app) -> Keeper:
    services = app.extensions["broker"]
    return Keeper(services.storage, services.evidence)


class Shelf:
    """What the database and the storage hold about packages, read without the API (which would log)."""

    def __init__(self, database: Any, storage: LocalStorage) -> None:
        self.database, self.storage = database, storage

    def row(self, package: dict[str, Any]) -> EvidencePackage:
        with self.database.transaction() as session:
            stored = session.get_one(EvidencePackage, uuid.UUID(package["id"]))
            session.expunge(stored)
            return stored

    def state(self, package: dict[str, Any]) -> tuple[str, str | None]:
        row = self.row(package)
        return row.state.value, row.deletion_reason

    def has_bytes(self, package: dict[str, Any]) -> bool:
        """The assembled object, or the upload's chunk folder while chunks arrive."""
        row = self.row(package)
        if row.upload_id is not None:
            return (self.storage.root / "uploads" / row.upload_id).is_dir()
        try:
            self.storage.size(row.storage_key)
        except KeyError:
            return False
        return True

    def deletions(self) -> list[dict[str, Any]]:
        with self.database.transaction() as session:
            leaves = session.scalars(
                sa.select(AuditEntry.leaf)
                .where(AuditEntry.action == "evidence.deleted")
                .order_by(AuditEntry.index)
            )
            return [json.loads(leaf) for leaf in leaves]


@pytest.fixture
def shelf(database, app) -> Shelf:
    return Shelf(database, app.extensions["broker"].storage)


def round_(database: Any, clock: Any, keeper: Keeper) -> list[str]:
    """One round of the worker, without deliveries: what it said about evidence (clocks fire too)."""
    said: list[str] = []
    with requests.Session() as http:
        run_once(database, clock, None, http, said.append, keeper=keeper)
    return [line for line in said if line.startswith("evidence ")]


@pytest.mark.parametrize(
    ("make", "wait", "reason"),
    [
        pytest.param("sealed", {"days": 90}, "retention_ended", id="sealed, retention over"),
        pytest.param("uploading", {"hours": 72}, "abandoned", id="upload idle"),
        pytest.param("uploaded", {"hours": 72}, "abandoned", id="uploaded, never sealed"),
    ],
)
def test_a_package_whose_time_is_up_is_deleted_and_nothing_else(
    provider, shelf, keeper, database, clock, make, wait, reason
):
    order = provider.order()
    package = getattr(provider, make)(order)
    clock.advance(**wait, minutes=-1)
    provider.renew()
    # A minute before the package's time is up, more arrive on the same order and on another one.
    kept = [provider.sealed(order), provider.uploaded(order), provider.uploading(order)]
    kept.append(provider.sealed(provider.order()))
    clock.advance(minutes=1, seconds=-1)
    assert round_(database, clock, keeper) == []
    assert shelf.state(package) == (package["state"] if make != "sealed" else "sealed", None)

    clock.advance(seconds=1)
    assert round_(database, clock, keeper) == [f"evidence package {package['id']} deleted: {reason}"]
    row = shelf.row(package)
    assert (row.state.value, row.deletion_reason, row.deleted_at) == ("deleted", reason, clock())
    assert not shelf.has_bytes(package)
    (entry,) = shelf.deletions()
    assert entry["object"] == {"type": "order", "id": order["id"]}
    assert entry["details"] == {"package": package["id"], "reason": reason}
    assert entry["actor"] == {"system": "worker"}
    for other in kept:
        assert shelf.state(other)[1] is None
        assert shelf.has_bytes(other)


def test_an_order_that_must_delete_its_data_loses_every_package_at_once(
    provider, shelf, keeper, database, clock
):
    order, other = provider.order(), provider.order()
    packages = [provider.sealed(order), provider.uploaded(order), provider.uploading(order)]
    untouched = provider.sealed(other)
    body = {"reason": "The order was unlawful.", "delete_received_data": True}
    assert provider.message("prosecutor", order, "withdrawal", body).status_code == 201

    said = round_(database, clock, keeper)
    assert sorted(said) == sorted(f"evidence package {p['id']} deleted: deletion_required" for p in packages)
    for package in packages:
        assert shelf.state(package) == ("deleted", "deletion_required")
        assert not shelf.has_bytes(package)
    assert shelf.state(untouched) == ("sealed", None)
    assert shelf.has_bytes(untouched)
    assert {entry["details"]["package"] for entry in shelf.deletions()} == {p["id"] for p in packages}


def test_two_rounds_do_not_delete_twice(provider, shelf, keeper, database, clock):
    package = provider.sealed(provider.order())
    clock.advance(days=91)
    assert delete_due(database, clock, keeper, lambda line: None) == 1
    clock.advance(days=1)
    assert delete_due(database, clock, keeper, lambda line: None) == 0
    assert round_(database, clock, keeper) == []
    assert len(shelf.deletions()) == 1
    assert shelf.row(package).deleted_at == clock() - timedelta(days=1)


class FailingStorage(LocalStorage):
    """The real local storage, except that deleting fails until `fixed`."""

    fixed = False

    def delete(self, key: str) -> None:
        if not self.fixed:
            raise StorageError(f"local storage could not delete {key}: disk on fire")
        super().delete(key)


def test_a_storage_failure_leaves_the_package_for_the_next_round(
    provider, shelf, keeper, database, clock, caplog
):
    first, second = provider.order(), provider.order()
    packages = [provider.sealed(first), provider.sealed(second)]
    clock.advance(days=90)
    broken = FailingStorage(keeper.storage.root)
    failing = Keeper(broken, keeper.policy)

    assert round_(database, clock, failing) == []
    for package in packages:
        assert shelf.state(package) == ("sealed", None)  # the rows did not move: no bytes were lost
        assert shelf.has_bytes(package)
    assert shelf.deletions() == []
    assert "stays for the next round" in caplog.text

    broken.fixed = True
    assert len(round_(database, clock, failing)) == 2
    for package in packages:
        assert shelf.state(package) == ("deleted", "retention_ended")
        assert not shelf.has_bytes(package)
    assert len(shelf.deletions()) == 2
