"""A whole delivery with the broker configured for S3: the same commands, the bytes in an object store.

moto's in-process S3 stands in for the store; chunks are S3's 5 MiB minimum, so an 11 MiB file goes
up as three parts.
"""

import hashlib
import os
import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import moto
import pyrage
import pytest

from broker import crypto
from broker.app import create_app
from broker.client import BrokerClient
from broker.client import KeySigner
from broker.client import evidence_fetching as fetching
from broker.client import evidence_sending as sending
from broker.clock import FrozenClock
from broker.demo.server import serving
from broker.parties import operations
from broker.parties.models import Organisation

BUCKET = "evidence-test"
MIB = 1024 * 1024


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    with moto.mock_aws():
        store = boto3.client("s3", region_name="us-east-1")
        store.create_bucket(Bucket=BUCKET)
        yield store


@pytest.fixture
def app(database: Any, clock: FrozenClock, broker_key_file: Any, s3: Any) -> Any:
    settings = {
        "TESTING": True,
        "KEY_FILE": str(broker_key_file),
        "LOG_ORIGIN": "broker.test/log",
        "EVIDENCE_STORAGE": "s3",
        "EVIDENCE_S3_BUCKET": BUCKET,
        "EVIDENCE_S3_REGION": "us-east-1",
        "EVIDENCE_CHUNK_SIZE": 5 * MIB,
    }
    return create_app(settings, clock=clock, database=database)


def test_a_package_delivered_through_s3_decrypts_with_every_hash_checked(
    app, s3, network, exchange, database, clock, tmp_path
):
    order = exchange.receive(exchange.issue(exchange.draft()))
    identity = pyrage.x25519.Identity.generate()
    with database.transaction() as session:
        authority = session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
        operations.register_recipient(
            session, clock, organisation=authority, recipient=str(identity.to_public())
        )
    produced = tmp_path / "drive.tar"
    with produced.open("wb") as sink:
        for _ in range(11):
            sink.write(os.urandom(MIB))
    key = tmp_path / "provider.pem"
    key.write_bytes(crypto.private_key_pem(network["provider"].private_key))

    with serving(app) as url:
        provider = BrokerClient(url, network["provider"].token)
        sending.send(provider, order["id"], [produced], KeySigner.from_pem_file(key), tmp_path / "work")
        (stored,) = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert stored["Key"].startswith(f"{order['id']}/")
        assert stored["Size"] > 11 * MIB, "the store holds the age package, never the plaintext"
        fetched = fetching.fetch(
            BrokerClient(url, network["prosecutor"].token), order["id"], [str(identity)], tmp_path / "out"
        )

    assert fetched[0]["sha256"] == hashlib.sha256(produced.read_bytes()).hexdigest()
    assert (tmp_path / "out" / "drive.tar").read_bytes() == produced.read_bytes()
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
