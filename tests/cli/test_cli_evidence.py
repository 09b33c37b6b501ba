"""`broker evidence send` and `fetch` against a broker on a real socket, as the parties run them.

The broker is the test app served by waitress in a thread; its clock is the real time, because the
commands sign with the system clock. Chunks are 1 KiB (tests/conftest.py), so small files go up in
several chunks.
"""

import hashlib
import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pyrage
import pytest
import requests
import sqlalchemy as sa
from click.testing import CliRunner

from broker import crypto
from broker.audit.models import AuditEntry
from broker.cli import main
from broker.client import BrokerClient
from broker.client import ClientError
from broker.client import KeySigner
from broker.client import evidence_sending as sending
from broker.client import http
from broker.clock import FrozenClock
from broker.demo.server import serving
from broker.evidence.models import EvidencePackage
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EvidenceState


@pytest.fixture
def clock() -> FrozenClock:
    """Now: the commands sign their messages with the system clock, which the broker checks."""
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def url(app: Any) -> Any:
    with serving(app) as base:
        yield base


@pytest.fixture
def identity(network: Any, database: Any, clock: FrozenClock, tmp_path: Path) -> Path:
    """The prosecutor's age identity file, its recipient published with the broker."""
    generated = pyrage.x25519.Identity.generate()
    path = tmp_path / "prosecutor.key"
    path.write_text(f"# created: now\n# public key: {generated.to_public()}\n{generated}\n")
    with database.transaction() as session:
        organisation = session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id))
        operations.register_recipient(
            session, clock, organisation=organisation, recipient=str(generated.to_public())
        )
    return path


@pytest.fixture
def provider_key(network: Any, tmp_path: Path) -> Path:
    path = tmp_path / "provider.pem"
    path.write_bytes(crypto.private_key_pem(network["provider"].private_key))
    return path


@pytest.fixture
def order(exchange: Any) -> dict[str, Any]:
    return exchange.receive(exchange.issue(exchange.draft()))


@pytest.fixture
def produced(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "produced"
    folder.mkdir()
    files = []
    for name, size in (("mailbox.mbox", 5000), ("empty.txt", 0), ("contacts.vcf", 1024)):
        path = folder / name
        path.write_bytes(os.urandom(size))
        files.append(path)
    return files


def run(*arguments: Any) -> Any:
    return CliRunner().invoke(main, [str(argument) for argument in arguments], catch_exceptions=False)


def send(url: str, network: Any, order: dict[str, Any], files: list[Path], key: Path, work: Path) -> Any:
    return run(
        "evidence", "send", order["id"], *files, "--url", url, "--token", network["provider"].token,
        "--key", key, "--work", work,
    )  # fmt: skip


def fetch(url: str, network: Any, order: dict[str, Any], identity: Path, out: Path, *extra: Any) -> Any:
    return run(
        "evidence", "fetch", order["id"], "--url", url, "--token", network["prosecutor"].token,
        "--identity", identity, "--out", out, *extra,
    )  # fmt: skip


def packages(database: Any) -> list[EvidencePackage]:
    with database.transaction() as session:
        # The frozen clock gives every package one created_at: the id makes the order the same each time.
        statement = sa.select(EvidencePackage).order_by(EvidencePackage.created_at, EvidencePackage.id)
        found = list(session.scalars(statement))
        session.expunge_all()
    return found


def test_send_then_fetch_delivers_every_file_byte_for_byte(
    url, network, order, produced, provider_key, identity, tmp_path, database
):
    sent = send(url, network, order, produced, provider_key, tmp_path / "work")
    assert sent.exit_code == 0, sent.output
    assert {p.state for p in packages(database)} == {EvidenceState.SEALED}
    assert not (tmp_path / "work" / sending.STATE_FILE).exists(), "a finished delivery leaves no state behind"

    fetched = fetch(url, network, order, identity, tmp_path / "out")

    assert fetched.exit_code == 0, fetched.output
    for path in produced:
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes()
    assert {p.decryption_outcome for p in packages(database)} == {DecryptionOutcome.VERIFIED}
    assert not (tmp_path / "out" / ".partial").exists()


def test_the_reference_age_tool_decrypts_what_the_provider_uploaded(
    url, network, order, produced, provider_key, identity, tmp_path, database
):
    assert send(url, network, order, produced, provider_key, tmp_path / "work").exit_code == 0
    mailbox = next(p for p in packages(database) if p.file_name == "mailbox.mbox.age")
    content = requests.get(
        f"{url}/api/v1/orders/{order['id']}/evidence/{mailbox.id}/content",
        headers=network["prosecutor"].headers,
        timeout=30,
    )
    assert content.status_code == 200
    package = tmp_path / "mailbox.mbox.age"
    package.write_bytes(content.content)
    age_tool = shutil.which("age")
    assert age_tool, (
        "the interop test needs Debian's reference age (apt-get install age; .ci/run installs it)"
    )
    decrypted = subprocess.run(
        [age_tool, "-d", "-i", str(identity), str(package)], capture_output=True, check=True
    )
    assert decrypted.stdout == produced[0].read_bytes()


class BreaksAfter(requests.Session):
    """A connection that drops for good after `chunks` chunk uploads: the provider's line goes down."""

    def __init__(self, chunks: int) -> None:
        super().__init__()
        self.left = chunks
        self.chunk_requests = 0

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if "/chunks/" in url:
            if self.left == 0:
                raise requests.ConnectionError("connection reset by peer")
            self.left -= 1
            self.chunk_requests += 1
        return super().request(method, url, *args, **kwargs)


def test_a_broken_upload_resumes_with_the_same_package_and_only_the_missing_chunks(
    url, network, order, produced, provider_key, tmp_path, database, monkeypatch, identity
):
    monkeypatch.setattr(http, "RETRY_WAIT", 0)
    signer = KeySigner.from_pem_file(provider_key)
    work = tmp_path / "work"
    broken = BreaksAfter(chunks=3)
    with pytest.raises(ClientError, match="run the same command again to resume"):
        sending.send(
            BrokerClient(url, network["provider"].token, broken), order["id"], produced, signer, work
        )
    first = packages(database)
    assert [p.state for p in first] == [EvidenceState.UPLOADING]
    encrypted = sorted(work.glob("*.age"))

    steady = BreaksAfter(chunks=1000)
    sending.send(BrokerClient(url, network["provider"].token, steady), order["id"], produced, signer, work)

    after = packages(database)
    # Not after[0]: with one created_at for all, the packages come in the order of their ids.
    assert first[0].id in {p.id for p in after}, "the interrupted package is resumed, not started again"
    assert {p.state for p in after} == {EvidenceState.SEALED}
    total_chunks = sum(-(-p.declared_size // p.chunk_size) for p in after)
    assert steady.chunk_requests == total_chunks - 3, "chunks that arrived are not sent twice"
    assert encrypted and all(not path.exists() for path in encrypted), (
        "the same packages were used, then removed"
    )
    assert fetch(url, network, order, identity, tmp_path / "out").exit_code == 0


def test_an_interrupted_download_resumes_from_the_partial_file(
    url, network, order, produced, provider_key, identity, tmp_path, database
):
    assert send(url, network, order, [produced[0]], provider_key, tmp_path / "work").exit_code == 0
    (package,) = packages(database)
    partial = tmp_path / "out" / ".partial"
    partial.mkdir(parents=True)
    whole = requests.get(
        f"{url}/api/v1/orders/{order['id']}/evidence/{package.id}/content",
        headers=network["prosecutor"].headers,
        timeout=30,
    ).content
    (partial / f"{package.id}.age").write_bytes(whole[:1500])

    fetched = fetch(url, network, order, identity, tmp_path / "out")

    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / "out" / produced[0].name).read_bytes() == produced[0].read_bytes()
    ranges = [r for r in _downloads(database) if r.get("bytes")]
    assert ranges == [{"package": str(package.id), "bytes": f"1500-{len(whole) - 1}"}]


def _downloads(database: Any) -> list[dict[str, Any]]:
    with database.transaction() as session:
        leaves = session.scalars(sa.select(AuditEntry.leaf).where(AuditEntry.action == "evidence.downloaded"))
        return [json.loads(leaf).get("details", {}) for leaf in leaves]


def test_fetching_with_the_wrong_identity_writes_nothing_and_reports_the_failure(
    url, network, order, produced, provider_key, identity, tmp_path, database
):
    assert send(url, network, order, produced[:1], provider_key, tmp_path / "work").exit_code == 0
    stranger = tmp_path / "stranger.key"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")

    fetched = fetch(url, network, order, stranger, tmp_path / "out")

    assert fetched.exit_code == 1
    assert "not encrypted to any of the given identities" in fetched.output
    assert not (tmp_path / "out" / produced[0].name).exists()
    assert [p.decryption_outcome for p in packages(database)] == [DecryptionOutcome.FAILED]


def test_a_package_altered_in_storage_is_caught_before_decryption(
    url, network, order, produced, provider_key, identity, tmp_path, database, app
):
    assert send(url, network, order, produced[:1], provider_key, tmp_path / "work").exit_code == 0
    (package,) = packages(database)
    stored = Path(app.config["EVIDENCE_FOLDER"]) / "objects" / package.storage_key
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0x01
    stored.write_bytes(bytes(data))

    fetched = fetch(url, network, order, identity, tmp_path / "out")

    assert fetched.exit_code == 1
    assert "the manifest says" in fetched.output
    assert not (tmp_path / "out" / produced[0].name).exists()
    assert [p.decryption_outcome for p in packages(database)] == [DecryptionOutcome.FAILED]


def test_a_manifest_checked_against_a_trust_list_without_the_providers_key_is_refused(
    url, network, order, produced, provider_key, identity, tmp_path
):
    assert send(url, network, order, produced[:1], provider_key, tmp_path / "work").exit_code == 0
    trust_list = tmp_path / "trust.jwks.json"
    other = crypto.public_jwk(network["other_provider"].private_key)
    trust_list.write_text(json.dumps({"keys": [{**other, "kid": crypto.jwk_thumbprint(other)}]}))

    fetched = fetch(url, network, order, identity, tmp_path / "out", "--trust-list", trust_list)

    assert fetched.exit_code == 1
    assert "not a key of the provider" in fetched.output


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param("no_recipient", "has published no encryption recipient", id="no recipient published"),
        pytest.param("foreign_order", "404", id="another provider's order"),
    ],
)
def test_send_refuses_with_one_clear_line(
    url, network, exchange, produced, provider_key, tmp_path, setup, message
):
    order = exchange.receive(exchange.issue(exchange.draft()))
    token = network["provider"].token if setup == "no_recipient" else network["other_provider"].token
    result = run(
        "evidence", "send", order["id"], produced[0], "--url", url, "--token", token,
        "--key", provider_key, "--work", tmp_path / "work",
    )  # fmt: skip
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("Error: ")


def test_fetch_before_any_delivery_says_so(url, network, order, identity, tmp_path):
    fetched = fetch(url, network, order, identity, tmp_path / "out")
    assert fetched.exit_code == 1
    assert "has no evidence manifest yet" in fetched.output


def test_the_plaintext_hashes_in_the_manifest_are_the_files_hashes(
    url, network, order, produced, provider_key, identity, tmp_path
):
    sent = send(url, network, order, produced, provider_key, tmp_path / "work")
    listed = json.loads(sent.stdout)["files"]
    for path, entry in zip(produced, listed, strict=True):
        assert entry["name"] == path.name
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("listed", "exit_code"),
    [
        pytest.param({}, 0, id="the provider's key, valid"),
        pytest.param({"revoked_at": "2020-01-01T00:00:00Z"}, 1, id="revoked before the manifest was signed"),
        pytest.param(
            {"organisation": "00000000-0000-4000-8000-000000000000"}, 1, id="listed for another party"
        ),
    ],
)
def test_fetch_verifies_the_manifest_against_a_trust_list(
    url, network, order, produced, provider_key, identity, tmp_path, listed, exit_code
):
    assert send(url, network, order, produced[:1], provider_key, tmp_path / "work").exit_code == 0
    provider = network["provider"]
    jwk = crypto.public_jwk(provider.private_key)
    entry = {
        **jwk,
        "kid": provider.kid,
        "organisation": provider.organisation_id,
        "revoked_at": None,
        **listed,
    }
    trust_list = tmp_path / "trust.jwks.json"
    trust_list.write_text(json.dumps({"keys": [entry]}))

    fetched = fetch(url, network, order, identity, tmp_path / "out", "--trust-list", trust_list)

    assert fetched.exit_code == exit_code, fetched.output


class LosesManifestAnswers(requests.Session):
    """The manifest reaches the broker, but every answer to it is lost on the way back."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        answer = super().request(method, url, *args, **kwargs)
        if url.endswith("/messages"):
            raise requests.ConnectionError("connection reset by peer")
        return answer


def test_a_manifest_whose_answers_were_lost_is_not_sent_again(
    url, network, order, produced, provider_key, identity, tmp_path, database, monkeypatch
):
    monkeypatch.setattr(http, "RETRY_WAIT", 0)
    signer = KeySigner.from_pem_file(provider_key)
    work = tmp_path / "work"
    lossy = BrokerClient(url, network["provider"].token, LosesManifestAnswers())
    with pytest.raises(ClientError, match="run the same command again"):
        sending.send(lossy, order["id"], produced, signer, work)
    sealed = packages(database)

    again = sending.send(BrokerClient(url, network["provider"].token), order["id"], produced, signer, work)

    assert again["type"] == "evidence-manifest"
    assert [(p.id, p.state) for p in packages(database)] == [(p.id, p.state) for p in sealed]
    assert {p.state for p in sealed} == {EvidenceState.SEALED}
    assert not (work / sending.STATE_FILE).exists()


@pytest.mark.parametrize(
    "content", ["not json", "[1, 2]", '{"keys": {}}'], ids=["not JSON", "a list", "no key list"]
)
def test_a_trust_list_that_is_not_a_jwks_is_one_clear_error(url, network, order, identity, tmp_path, content):
    trust_list = tmp_path / "trust.jwks.json"
    trust_list.write_text(content)

    fetched = fetch(url, network, order, identity, tmp_path / "out", "--trust-list", trust_list)

    assert fetched.exit_code == 1
    assert "is not a JWKS trust list" in fetched.output
