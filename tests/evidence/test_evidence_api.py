"""Encrypted evidence through the API: upload in chunks, seal with a signed manifest, download.

The provider encrypts with age to the issuing authority's published recipient, announces each
package, uploads its chunks (any order, any number of retries), and completes it; the broker
measures the bytes. The provider's signed evidence manifest seals the packages; only then, and only
while the order allows it, the issuing authority downloads them.
"""

import base64
import hashlib
import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pyrage
import pytest
import requests
import sqlalchemy as sa

from broker.app import create_app
from broker.audit.models import AuditEntry
from broker.client import age
from broker.demo.server import serving
from broker.evidence.models import EvidencePackage
from broker.evidence.retention import Keeper
from broker.evidence.retention import delete_due
from broker.evidence.storage import StoredChunk
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import User
from broker.problems import PROBLEM_BASE
from broker.vocabulary import Role
from tests.remembered import remember

CHUNK = 1024  # tests/conftest.py: EVIDENCE_CHUNK_SIZE
MAX_PACKAGE = 64 * CHUNK  # tests/conftest.py: EVIDENCE_MAX_PACKAGE_SIZE
NOTIFIED = {  # tests/lifecycle/conftest.py: traffic data, the person living elsewhere (Art. 8)
    "data_categories": ["traffic"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}
EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life: the victim is held now."}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_digest(data: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"


class Evidence:
    """A provider and an issuing authority exchanging evidence through the API."""

    def __init__(self, client: Any, network: Any, exchange: Any, database: Any, clock: Any) -> None:
        self.client, self.network, self.exchange = client, network, exchange
        self.database, self.clock = database, clock
        self.identities: dict[str, str] = {}

    # Parties and orders --------------------------------------------------------------------------

    def recipient(self, handle: str = "prosecutor") -> str:
        """The age recipient `handle` publishes (once), whose identity decrypts the packages."""
        if handle not in self.identities:
            identity = pyrage.x25519.Identity.generate()
            self.identities[handle] = str(identity)
            with self.database.transaction() as session:
                owner = session.get_one(Organisation, uuid.UUID(self.network[handle].organisation_id))
                operations.register_recipient(
                    session, self.clock, organisation=owner, recipient=str(identity.to_public())
                )
        return age.recipient_of(self.identities[handle])

    def order(self, author: str = "prosecutor", **changes: Any) -> dict[str, Any]:
        """An EPOC the provider has received.

        Drafted, issued and received through the API once per process and starting point, then copied as
        rows (tests/remembered.py): most tests here start from one.
        """

        def received() -> dict[str, Any]:
            return self.exchange.receive(
                self.exchange.issue(self.exchange.draft(author=author, **changes), author)
            )

        key = ("evidence order", author, repr(sorted(changes.items())))
        return remember(self.database, self.clock, key, received)

    def issuer(self, order: dict[str, Any]) -> str:
        return next(
            handle
            for handle, party in self.network.parties.items()
            if party.organisation_id == order["issuing_authority"]["id"]
        )

    def message(
        self,
        handle: str,
        order: dict[str, Any],
        message_type: str,
        body: dict[str, Any],
        to: str | None = None,
    ) -> Any:
        """A signed lifecycle message from `handle`, in reply to the certificate."""
        party = self.network[handle]
        if to is None:
            issuer = order["issuing_authority"]["id"]
            to = order["provider"]["id"] if party.organisation_id == issuer else issuer
        certificate = order["messages"][0]["id"]
        jws = party.sign(message_type, body, to, in_reply_to=certificate)
        return self.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )

    # Upload --------------------------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, handle: str = "prosecutor") -> bytes:
        out = io.BytesIO()
        age.encrypt_stream(io.BytesIO(plaintext), out, [self.recipient(handle)])
        return out.getvalue()

    def announce(self, order: dict[str, Any], data: bytes, who: str = "provider", **overrides: Any) -> Any:
        body = {"file_name": "mailbox.mbox.age", "size": len(data), "sha256": sha256(data), **overrides}
        return self.client.post(
            f"/api/v1/orders/{order['id']}/evidence", json=body, headers=self.network[who].headers
        )

    def chunk(
        self,
        order: dict[str, Any],
        package: dict[str, Any],
        index: int,
        chunk: bytes,
        *,
        who: str = "provider",
        headers: dict[str, Any] | None = None,
    ) -> Any:
        """Send `chunk` as chunk `index` with its own digest; `headers` change or (None) drop headers.

        The test client measures the body itself: a Content-Length in `headers` overrides what it sends.
        """
        sent = {
            "Content-Digest": content_digest(chunk),
            **(self.network[who].headers if who != "anonymous" else {}),
            **(headers or {}),
        }
        length = sent.pop("Content-Length", len(chunk))
        return self.client.put(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}/chunks/{index}",
            input_stream=io.BytesIO(chunk),
            headers={name: value for name, value in sent.items() if value is not None},
            environ_overrides={"CONTENT_LENGTH": str(length)} if length is not None else {},
        )

    def complete(self, order: dict[str, Any], package: dict[str, Any], who: str = "provider") -> Any:
        return self.client.post(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}/complete",
            headers=self.network[who].headers,
        )

    def upload(
        self, order: dict[str, Any], data: bytes, file_name: str = "mailbox.mbox.age"
    ) -> dict[str, Any]:
        """Announce, send every chunk and complete: an uploaded package."""
        announced = self.announce(order, data, file_name=file_name)
        assert announced.status_code == 201, announced.get_json()
        package = announced.get_json()
        for index in range(package["chunk_count"]):
            sent = self.chunk(order, package, index, data[index * CHUNK : (index + 1) * CHUNK])
            assert sent.status_code == 200, sent.get_json()
        completed = self.complete(order, package)
        assert completed.status_code == 200, completed.get_json()
        return completed.get_json()

    # Manifest ------------------------------------------------------------------------------------

    def manifest(
        self,
        order: dict[str, Any],
        files: list[tuple[str, bytes, dict[str, Any]]],
        handle: str = "prosecutor",
        **members: Any,
    ) -> dict[str, Any]:
        """The manifest body naming each (file name, plaintext, uploaded package)."""
        return {
            "data_categories": order["certificate"]["data_categories"],
            "time_range": order["certificate"]["time_range"],
            "recipient": self.recipient(handle),
            "files": [
                {
                    "name": name,
                    "size": len(plaintext),
                    "sha256": sha256(plaintext),
                    "package": {"id": package["id"], "size": package["size"], "sha256": package["sha256"]},
                }
                for name, plaintext, package in files
            ],
            **members,
        }

    def seal(self, order: dict[str, Any], body: dict[str, Any]) -> Any:
        return self.message("provider", order, "evidence-manifest", body)

    def delivered(
        self, order: dict[str, Any], plaintext: bytes = b"", handle: str = "prosecutor"
    ) -> tuple[dict[str, Any], bytes]:
        """A sealed package on `order` and its ciphertext."""
        plaintext = plaintext or b"From suspect@examplemail.test\n" * 100
        ciphertext = self.encrypt(plaintext, handle)
        package = self.upload(order, ciphertext)
        sealed = self.seal(order, self.manifest(order, [("mailbox.mbox", plaintext, package)], handle))
        assert sealed.status_code == 201, sealed.get_json()
        return self.package(order, package, handle), ciphertext

    # Reading -------------------------------------------------------------------------------------

    def package(
        self, order: dict[str, Any], package: dict[str, Any], who: str = "provider"
    ) -> dict[str, Any]:
        answer = self.client.get(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}", headers=self.network[who].headers
        )
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def download(
        self, order: dict[str, Any], package: dict[str, Any], who: str = "prosecutor", **headers: str
    ) -> Any:
        return self.client.get(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}/content",
            headers={**self.network[who].headers, **headers},
        )

    def row(self, package: dict[str, Any]) -> EvidencePackage:
        with self.database.transaction() as session:
            stored = session.get_one(EvidencePackage, uuid.UUID(package["id"]))
            session.expunge(stored)
            return stored

    def log(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        """The order's audit leaves, in log order."""
        with self.database.transaction() as session:
            leaves = session.scalars(
                sa.select(AuditEntry.leaf)
                .where(AuditEntry.object_type == "order", AuditEntry.object_id == order["id"])
                .order_by(AuditEntry.index)
            )
            return [json.loads(leaf) for leaf in leaves]

    def custody(self, order: dict[str, Any]) -> list[str]:
        return [leaf["action"] for leaf in self.log(order) if leaf["action"].startswith("evidence.")]


@pytest.fixture
def evidence(client, network, exchange, database, clock) -> Evidence:
    return Evidence(client, network, exchange, database, clock)


def fresh_token(database: Any, clock: Any, party: Any) -> str:
    """A new API token for the party's user, for tests that travel beyond the first one's 30 days."""
    with database.transaction() as session:
        user = session.scalars(
            sa.select(User).where(User.organisation_id == uuid.UUID(party.organisation_id))
        ).first()
        _, token = operations.issue_token(
            session, clock, user=user, label="later", lifetime=timedelta(days=30)
        )
    return token


def problem(response: Any, slug: str, status: int) -> dict[str, Any]:
    document = response.get_json()
    assert response.status_code == status, document
    assert response.mimetype == "application/problem+json"
    assert document["type"] == PROBLEM_BASE + slug, document
    return document


# Happy path ----------------------------------------------------------------------------------------


def test_a_package_travels_from_the_provider_to_the_issuing_authority(evidence, app, tmp_path):
    order = evidence.order()
    plaintext = b"From suspect@examplemail.test Mon Sep 14 2026\nSubject: wire the money\n" * 50
    ciphertext = evidence.encrypt(plaintext)
    assert 3 * CHUNK < len(ciphertext) < 4 * CHUNK

    announced = evidence.announce(order, ciphertext, file_name="secret-mailbox.mbox.age")
    assert announced.status_code == 201, announced.get_json()
    package = announced.get_json()
    assert package["state"] == "uploading"
    assert (package["chunk_size"], package["chunk_count"], package["chunks_received"]) == (CHUNK, 4, [])

    chunks = [ciphertext[i : i + CHUNK] for i in range(0, len(ciphertext), CHUNK)]
    for index in (3, 1, 0, 1):  # out of order, chunk 1 sent twice
        sent = evidence.chunk(order, package, index, chunks[index])
        assert sent.status_code == 200, sent.get_json()
        assert sent.get_json()["index"] == index
        assert sent.get_json()["size"] == len(chunks[index])
        assert sent.get_json()["sha256"] == sha256(chunks[index])
    assert (sent.get_json()["chunks_received_count"], sent.get_json()["chunk_count"]) == (3, 4)
    assert evidence.package(order, package)["chunks_received"] == [0, 1, 3]
    assert evidence.chunk(order, package, 2, chunks[2]).status_code == 200

    completed = evidence.complete(order, package)
    assert completed.status_code == 200, completed.get_json()
    package = completed.get_json()
    assert package["state"] == "uploaded"
    assert (package["size"], package["sha256"]) == (len(ciphertext), sha256(ciphertext))
    assert package["uploaded_at"] is not None

    # Not evidence yet: the issuing authority knows nothing of it.
    listed = evidence.client.get(
        f"/api/v1/orders/{order['id']}/evidence", headers=evidence.network["prosecutor"].headers
    )
    assert listed.get_json()["items"] == []
    problem(evidence.download(order, package), "not-found", 404)

    sealed = evidence.seal(order, evidence.manifest(order, [("mailbox.mbox", plaintext, package)]))
    assert sealed.status_code == 201, sealed.get_json()
    package = evidence.package(order, package, "prosecutor")
    assert package["state"] == "sealed"
    assert package["manifest_message_id"] is not None
    assert package["retained_until"] == "2027-02-22T09:00:00+00:00"  # 90 days

    whole = evidence.download(order, package)
    assert whole.status_code == 200
    assert whole.data == ciphertext
    assert whole.headers["ETag"] == f'"{sha256(ciphertext)}"'
    assert whole.headers["Repr-Digest"] == content_digest(ciphertext)
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Length"] == str(len(ciphertext))
    decrypted = io.BytesIO()
    age.decrypt_stream(io.BytesIO(whole.data), decrypted, [evidence.identities["prosecutor"]])
    assert decrypted.getvalue() == plaintext

    report = evidence.client.post(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}/decryption-report",
        json={"outcome": "verified"},
        headers=evidence.network["prosecutor"].headers,
    )
    assert report.status_code == 200, report.get_json()
    assert report.get_json()["decryption_outcome"] == "verified"

    assert evidence.custody(order) == [
        "evidence.upload_started",
        "evidence.uploaded",
        "evidence.downloaded",
        "evidence.decryption_reported",
    ]
    leaves = json.dumps(evidence.log(order))
    assert "secret-mailbox" not in leaves
    assert "mailbox.mbox" not in leaves


@pytest.fixture
def sealed(evidence) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """A received order with one sealed package: (order, package, ciphertext)."""
    order = evidence.order()
    package, ciphertext = evidence.delivered(order)
    return order, package, ciphertext


@pytest.mark.parametrize(
    ("headers", "status", "part"),
    [
        pytest.param({"Range": "bytes=0-99"}, 206, slice(0, 100), id="first 100 bytes"),
        pytest.param({"Range": "bytes=1000-"}, 206, slice(1000, None), id="from 1000 to the end"),
        pytest.param({"Range": "bytes=-50"}, 206, slice(-50, None), id="suffix: the last 50"),
        pytest.param({"Range": "bytes=-999999"}, 206, slice(0, None), id="suffix longer than the package"),
        pytest.param({"Range": "bytes=10-999999"}, 206, slice(10, None), id="end beyond the package"),
        pytest.param({"Range": "bytes=0-99", "If-Range": '"0000"'}, 200, slice(0, None), id="stale If-Range"),
        pytest.param(
            {"Range": "bytes=0-99", "If-Range": "Tue, 24 Nov 2026 09:00:00 GMT"},
            200,
            slice(0, None),
            id="If-Range with a date",
        ),
        pytest.param({"Range": "items=0-5"}, 200, slice(0, None), id="another unit: ignored"),
        pytest.param({"Range": "bytes=zero-five"}, 200, slice(0, None), id="malformed: ignored"),
    ],
)
def test_the_issuing_authority_downloads_byte_ranges(evidence, sealed, headers, status, part):
    order, package, ciphertext = sealed
    answer = evidence.download(order, package, **headers)
    assert answer.status_code == status
    assert answer.data == ciphertext[part]
    assert answer.headers["Content-Length"] == str(len(ciphertext[part]))
    assert answer.headers["ETag"] == f'"{sha256(ciphertext)}"'
    assert answer.headers["Repr-Digest"] == content_digest(ciphertext)  # of the whole package, always
    start = part.start + len(ciphertext) if (part.start or 0) < 0 else part.start or 0
    if status == 206:
        assert (
            answer.headers["Content-Range"]
            == f"bytes {start}-{len(ciphertext) - 1 if part.stop is None else part.stop - 1}/{len(ciphertext)}"
        )
        (entry,) = [leaf for leaf in evidence.log(order) if leaf["action"] == "evidence.downloaded"]
        assert entry["details"]["bytes"] == answer.headers["Content-Range"].split()[1].split("/")[0]
    else:
        assert "Content-Range" not in answer.headers


def test_a_matching_if_range_resumes_with_the_rest(evidence, sealed):
    order, package, ciphertext = sealed
    answer = evidence.download(order, package, Range="bytes=2000-", **{"If-Range": f'"{sha256(ciphertext)}"'})
    assert answer.status_code == 206
    assert answer.data == ciphertext[2000:]


@pytest.mark.parametrize(
    "asked",
    [
        pytest.param("bytes=0-1,5-6", id="two ranges"),
        pytest.param("bytes=999999-", id="starts beyond the end"),
        pytest.param("bytes=999999-1000000", id="lies beyond the end"),
    ],
)
def test_an_unsatisfiable_range_is_refused_and_hands_over_nothing(evidence, sealed, asked):
    order, package, ciphertext = sealed
    refused = problem(evidence.download(order, package, Range=asked), "invalid-byte-range", 416)
    assert refused["size"] == len(ciphertext)
    assert (
        evidence.download(order, package, Range=asked).headers["Content-Range"]
        == f"bytes */{len(ciphertext)}"
    )
    assert "evidence.downloaded" not in evidence.custody(order)


def test_a_head_request_describes_the_download_without_logging_one(evidence, sealed):
    order, package, ciphertext = sealed
    answer = evidence.client.head(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}/content",
        headers=evidence.network["prosecutor"].headers,
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Length"] == str(len(ciphertext))
    assert answer.data == b""
    assert "evidence.downloaded" not in evidence.custody(order)


def test_every_download_and_report_is_a_custody_entry_in_order(evidence, sealed):
    order, package, _ = sealed
    evidence.download(order, package)
    evidence.download(order, package, Range="bytes=0-9")
    for outcome in ("failed", "verified"):
        report = evidence.client.post(
            f"/api/v1/orders/{order['id']}/evidence/{package['id']}/decryption-report",
            json={"outcome": outcome, "detail": "re-downloaded after a disk error"},
            headers=evidence.network["prosecutor"].headers,
        )
        assert report.status_code == 200, report.get_json()
    actions = [leaf["action"] for leaf in evidence.log(order)]
    manifest = actions.index("order.evidence-manifest")
    assert actions[manifest - 2 : manifest] == ["evidence.upload_started", "evidence.uploaded"]
    assert actions[manifest + 1 :] == [
        "evidence.downloaded",
        "evidence.downloaded",
        "evidence.decryption_reported",
        "evidence.decryption_reported",
    ]
    entries = [leaf for leaf in evidence.log(order) if leaf["action"].startswith("evidence.")]
    assert {entry["details"]["package"] for entry in entries} == {package["id"]}
    assert entries[-1]["details"] == {
        "package": package["id"],
        "outcome": "verified",
        "detail": "re-downloaded after a disk error",
    }
    assert entries[0]["actor"] != entries[-1]["actor"]  # the provider's user, then the authority's
    assert evidence.package(order, package, "prosecutor")["decryption_outcome"] == "verified"


def test_a_package_can_be_uploaded_and_downloaded_over_real_http(evidence, app, sealed):
    """The same through waitress: each chunk streamed from the socket, the download in blocks."""
    order, package, ciphertext = sealed
    provider = {**evidence.network["provider"].headers, "Connection": "close"}
    with serving(app, threads=1) as url:
        base = f"{url}/api/v1/orders/{order['id']}/evidence"
        other = evidence.encrypt(b"second file" * 300)
        announced = requests.post(
            base,
            json={"file_name": "second.age", "size": len(other), "sha256": sha256(other)},
            headers=provider,
            timeout=10,
        ).json()
        for index in reversed(range(announced["chunk_count"])):
            chunk = other[index * CHUNK : (index + 1) * CHUNK]
            sent = requests.put(
                f"{base}/{announced['id']}/chunks/{index}",
                data=io.BytesIO(chunk),
                headers={"Content-Digest": content_digest(chunk), **provider},
                timeout=10,
            )
            assert sent.status_code == 200, sent.text
        done = requests.post(f"{base}/{announced['id']}/complete", headers=provider, timeout=10)
        assert done.json()["sha256"] == sha256(other)
        prosecutor = {**evidence.network["prosecutor"].headers, "Connection": "close"}
        with requests.get(
            f"{base}/{package['id']}/content", headers=prosecutor, stream=True, timeout=10
        ) as answer:
            assert answer.status_code == 200
            assert b"".join(answer.iter_content(300)) == ciphertext


# Bad input -----------------------------------------------------------------------------------------

PACKAGE = bytes(range(256)) * 10  # 2560 bytes: chunks of 1024, 1024 and 512
CHUNKS = [PACKAGE[:1024], PACKAGE[1024:2048], PACKAGE[2048:]]
OTHER = b"\x00" * 1024


@pytest.fixture
def uploading(evidence) -> tuple[dict[str, Any], dict[str, Any]]:
    """A received order and a package announced on it, with chunk 0 already received."""
    order = evidence.order()
    package = evidence.announce(order, PACKAGE).get_json()
    assert evidence.chunk(order, package, 0, CHUNKS[0]).status_code == 200
    return order, package


@pytest.mark.parametrize(
    ("index", "body", "headers", "slug", "status"),
    [
        pytest.param(
            1,
            CHUNKS[1],
            {"Content-Digest": content_digest(OTHER)},
            "chunk-digest-mismatch",
            422,
            id="digest of other bytes",
        ),
        pytest.param(1, CHUNKS[1], {"Content-Digest": None}, "validation-error", 422, id="no Content-Digest"),
        pytest.param(
            1,
            CHUNKS[1],
            {"Content-Digest": "sha-256=:not base64:"},
            "validation-error",
            422,
            id="digest not base64",
        ),
        pytest.param(
            1,
            CHUNKS[1],
            {"Content-Digest": "sha-256=" + sha256(CHUNKS[1])},
            "validation-error",
            422,
            id="digest in hex",
        ),
        pytest.param(
            1,
            CHUNKS[1],
            {
                "Content-Digest": "sha-512=:"
                + base64.b64encode(hashlib.sha512(CHUNKS[1]).digest()).decode()
                + ":"
            },
            "validation-error",
            422,
            id="only sha-512",
        ),
        pytest.param(1, CHUNKS[1][:1000], {}, "validation-error", 422, id="shorter than a chunk"),
        pytest.param(2, CHUNKS[2] + b"x", {}, "package-too-large", 413, id="last chunk too long"),
        pytest.param(1, CHUNKS[1] + b"x", {}, "package-too-large", 413, id="chunk too long"),
        pytest.param(3, CHUNKS[2], {}, "package-too-large", 413, id="index beyond the end"),
        pytest.param(
            1,
            CHUNKS[1],
            {"Content-Length": None, "Transfer-Encoding": "chunked"},
            "length-required",
            411,
            id="chunked, no Content-Length",
        ),
        pytest.param(
            1,
            CHUNKS[1][:500],
            {"Content-Length": "1024", "Content-Digest": content_digest(CHUNKS[1])},
            "incomplete-chunk",
            400,
            id="body ends early",
        ),
    ],
)
def test_a_bad_chunk_is_refused_and_not_recorded(
    evidence, uploading, rows, index, body, headers, slug, status
):
    order, package = uploading
    before = (rows("evidence_chunks"), rows("audit_entries"))
    problem(evidence.chunk(order, package, index, body, headers=headers), slug, status)
    assert (rows("evidence_chunks"), rows("audit_entries")) == before
    assert evidence.package(order, package)["chunks_received"] == [0]
    # The chunk can be sent again, right this time.
    assert evidence.chunk(order, package, 1, CHUNKS[1]).status_code == 200
    assert evidence.package(order, package)["chunks_received"] == [0, 1]


def test_a_resent_chunk_that_fails_its_digest_leaves_the_first_one(evidence, uploading, app):
    order, package = uploading
    problem(
        evidence.chunk(order, package, 0, OTHER, headers={"Content-Digest": content_digest(CHUNKS[0])}),
        "chunk-digest-mismatch",
        422,
    )
    for index in (1, 2):
        assert evidence.chunk(order, package, index, CHUNKS[index]).status_code == 200
    completed = evidence.complete(order, package)
    assert completed.status_code == 200, completed.get_json()
    assert completed.get_json()["sha256"] == sha256(PACKAGE)


@pytest.mark.parametrize(
    ("changes", "slug", "status", "field"),
    [
        pytest.param({"size": MAX_PACKAGE + 1}, "package-too-large", 413, None, id="above the maximum"),
        pytest.param({"size": 0}, "validation-error", 422, "size", id="empty"),
        pytest.param({"size": 1.5}, "validation-error", 422, "size", id="size not whole"),
        pytest.param({"sha256": "ABC"}, "validation-error", 422, "sha256", id="sha256 not hex"),
        pytest.param(
            {"sha256": sha256(b"").upper()}, "validation-error", 422, "sha256", id="sha256 in capitals"
        ),
        pytest.param({"file_name": "../../etc/passwd"}, "validation-error", 422, "file_name", id="a path"),
        pytest.param({"file_name": ""}, "validation-error", 422, "file_name", id="no file name"),
        pytest.param({"extra": 1}, "validation-error", 422, "extra", id="unknown member"),
    ],
)
def test_a_bad_announcement_creates_nothing(evidence, rows, changes, slug, status, field):
    order = evidence.order()
    before = (rows("evidence_packages"), rows("audit_entries"))
    refused = problem(evidence.announce(order, PACKAGE, **changes), slug, status)
    if field:
        assert field in refused["errors"]
    else:
        assert refused["max_package_size"] == MAX_PACKAGE
    assert (rows("evidence_packages"), rows("audit_entries")) == before


def test_the_largest_package_allowed_can_be_announced(evidence):
    order = evidence.order()
    announced = evidence.announce(order, PACKAGE, size=MAX_PACKAGE)
    assert announced.status_code == 201, announced.get_json()
    assert announced.get_json()["chunk_count"] == 64


def test_completing_with_chunks_missing_names_them(evidence, uploading, rows):
    order, package = uploading
    before = rows("audit_entries")
    refused = problem(evidence.complete(order, package), "package-incomplete", 409)
    assert refused["missing"] == [1, 2]
    assert "1, 2" in refused["detail"]
    assert rows("audit_entries") == before
    assert evidence.package(order, package)["state"] == "uploading"


def test_a_package_that_is_not_what_was_declared_is_deleted(evidence, app):
    order = evidence.order()
    package = evidence.announce(order, PACKAGE, sha256=sha256(b"something else")).get_json()
    for index, chunk in enumerate(CHUNKS):
        assert evidence.chunk(order, package, index, chunk).status_code == 200
    refused = problem(evidence.complete(order, package), "package-digest-mismatch", 422)
    assert (refused["size"], refused["sha256"]) == (len(PACKAGE), sha256(PACKAGE))
    row = evidence.row(package)
    assert (row.state.value, row.deletion_reason) == ("deleted", "digest_mismatch")
    with pytest.raises(KeyError):
        app.extensions["broker"].storage.size(row.storage_key)
    assert evidence.custody(order) == ["evidence.upload_started", "evidence.upload_rejected"]
    problem(evidence.chunk(order, package, 0, CHUNKS[0]), "conflict", 409)
    problem(evidence.complete(order, package), "conflict", 409)


def test_completing_again_with_the_same_idempotency_key_replays_the_first_answer(evidence, uploading):
    order, package = uploading
    for index in (1, 2):
        evidence.chunk(order, package, index, CHUNKS[index])
    path = f"/api/v1/orders/{order['id']}/evidence/{package['id']}/complete"
    headers = {**evidence.network["provider"].headers, "Idempotency-Key": "complete-1"}
    first = evidence.client.post(path, headers=headers)
    again = evidence.client.post(path, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert evidence.custody(order).count("evidence.uploaded") == 1
    problem(evidence.complete(order, package), "conflict", 409)  # without the key: already complete


def test_an_aborted_upload_takes_no_more_chunks(evidence, uploading, app):
    order, package = uploading
    aborted = evidence.client.delete(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}", headers=evidence.network["provider"].headers
    )
    assert aborted.status_code == 200, aborted.get_json()
    assert (aborted.get_json()["state"], aborted.get_json()["deletion_reason"]) == ("deleted", "aborted")
    problem(evidence.chunk(order, package, 1, CHUNKS[1]), "conflict", 409)
    problem(evidence.complete(order, package), "conflict", 409)
    again = evidence.client.delete(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}", headers=evidence.network["provider"].headers
    )
    problem(again, "conflict", 409)
    assert not list((app.extensions["broker"].storage.root / "uploads").iterdir())
    assert evidence.custody(order) == ["evidence.upload_started", "evidence.upload_aborted"]


def test_a_sealed_package_cannot_be_aborted(evidence, sealed):
    order, package, _ = sealed
    refused = evidence.client.delete(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}", headers=evidence.network["provider"].headers
    )
    problem(refused, "conflict", 409)
    assert evidence.row(package).state.value == "sealed"


# Manifest ------------------------------------------------------------------------------------------


def revoked_recipient(evidence: Evidence) -> str:
    """A recipient the prosecutor published and then revoked."""
    value = str(pyrage.x25519.Identity.generate().to_public())
    with evidence.database.transaction() as session:
        owner = session.get_one(Organisation, uuid.UUID(evidence.network["prosecutor"].organisation_id))
        published = operations.register_recipient(
            session, evidence.clock, organisation=owner, recipient=value
        )
        operations.revoke_recipient(session, evidence.clock, recipient_id=published.id, reason="rotated")
    return value


def other_order_package(evidence: Evidence) -> dict[str, Any]:
    return evidence.upload(evidence.order(), PACKAGE)


def uploading_package(evidence: Evidence, order: dict[str, Any]) -> dict[str, Any]:
    package = evidence.announce(order, PACKAGE).get_json()
    return {**package, "size": len(PACKAGE), "sha256": sha256(PACKAGE)}


def sealed_package(evidence: Evidence, order: dict[str, Any]) -> dict[str, Any]:
    return evidence.delivered(order)[0]


def named(package: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"id": package["id"], "size": package["size"], "sha256": package["sha256"], **changes}


# (what to change, given the Evidence, the order and its uploaded package) -> the fields listed
BAD_MANIFESTS = [
    pytest.param(
        lambda e, o, p: {"files.0.package": named(p, id=str(uuid.uuid4()))}, {"files"}, id="unknown package"
    ),
    pytest.param(
        lambda e, o, p: {"files.0.package": named(other_order_package(e))},
        {"files"},
        id="another order's package",
    ),
    pytest.param(
        lambda e, o, p: {"files.0.package": named(uploading_package(e, o))},
        {"files"},
        id="upload not completed",
    ),
    pytest.param(
        lambda e, o, p: {"files.0.package": named(sealed_package(e, o))}, {"files"}, id="already sealed"
    ),
    pytest.param(lambda e, o, p: {"files.1": "files.0"}, {"files"}, id="package named twice"),
    pytest.param(
        lambda e, o, p: {"files.0.package": named(p, size=p["size"] + 1)}, {"files"}, id="wrong size"
    ),
    pytest.param(
        lambda e, o, p: {"files.0.package": named(p, sha256=sha256(b"x"))}, {"files"}, id="wrong sha256"
    ),
    pytest.param(
        lambda e, o, p: {"recipient": e.recipient("other_authority")},
        {"recipient"},
        id="another authority's recipient",
    ),
    pytest.param(lambda e, o, p: {"recipient": revoked_recipient(e)}, {"recipient"}, id="revoked recipient"),
    pytest.param(
        lambda e, o, p: {"recipient": str(pyrage.x25519.Identity.generate().to_public())},
        {"recipient"},
        id="unpublished recipient",
    ),
    pytest.param(
        lambda e, o, p: {"data_categories": ["subscriber", "content"]},
        {"data_categories"},
        id="category not requested",
    ),
    pytest.param(
        lambda e, o, p: {
            "time_range": {"start": "2026-08-01T00:00:00+02:00", "end": "2026-10-01T00:00:00+02:00"}
        },
        {"time_range"},
        id="period before the requested one",
    ),
    pytest.param(
        lambda e, o, p: {
            "time_range": {"start": "2026-09-01T00:00:00+02:00", "end": "2026-11-02T00:00:00+01:00"}
        },
        {"time_range"},
        id="period after the requested one",
    ),
    pytest.param(
        lambda e, o, p: {
            "recipient": e.recipient("other_authority"),
            "data_categories": ["traffic"],
            "files.0.package": named(p, size=1),
        },
        {"recipient", "data_categories", "files"},
        id="everything wrong at once",
    ),
]


@pytest.mark.parametrize(("change", "fields"), BAD_MANIFESTS)
def test_a_manifest_that_does_not_match_seals_nothing(evidence, rows, change, fields):
    order = evidence.order()
    package = evidence.upload(order, PACKAGE)
    body = evidence.manifest(
        order, [("a.mbox", b"a", package), ("b.mbox", b"b", evidence.upload(order, PACKAGE))]
    )
    for path, value in change(evidence, order, package).items():
        *parents, last = path.split(".")
        node: Any = body
        for step in parents:
            node = node[int(step)] if step.isdigit() else node[step]
        if isinstance(value, str) and value.startswith("files."):
            value = body["files"][int(value.split(".")[1])]
        node[int(last) if last.isdigit() else last] = value
    before = {
        "messages": rows("messages"),
        "sealed": [
            p["state"]
            for p in evidence.client.get(
                f"/api/v1/orders/{order['id']}/evidence", headers=evidence.network["provider"].headers
            ).get_json()["items"]
        ],
    }
    refused = problem(evidence.seal(order, body), "validation-error", 422)
    assert set(refused["errors"]["body"]) == fields
    after = {
        "messages": rows("messages"),
        "sealed": [
            p["state"]
            for p in evidence.client.get(
                f"/api/v1/orders/{order['id']}/evidence", headers=evidence.network["provider"].headers
            ).get_json()["items"]
        ],
    }
    assert after == before
    assert evidence.row(package).state.value == "uploaded"


def test_one_manifest_seals_several_packages_and_a_later_one_more(evidence, clock):
    order = evidence.order()
    first = evidence.upload(order, PACKAGE)
    clock.advance(minutes=1)
    second = evidence.upload(order, PACKAGE[::-1])
    body = evidence.manifest(order, [("a.mbox", b"a", first), ("b.mbox", b"b", second)])
    assert evidence.seal(order, body).status_code == 201
    clock.advance(minutes=1)
    third = evidence.upload(order, PACKAGE[:100])
    assert evidence.seal(order, evidence.manifest(order, [("c.mbox", b"c", third)])).status_code == 201
    items = evidence.client.get(
        f"/api/v1/orders/{order['id']}/evidence", headers=evidence.network["prosecutor"].headers
    ).get_json()["items"]
    assert [item["id"] for item in items] == [first["id"], second["id"], third["id"]]
    assert {item["state"] for item in items} == {"sealed"}
    assert (
        items[0]["manifest_message_id"] == items[1]["manifest_message_id"] != items[2]["manifest_message_id"]
    )


def test_a_manifest_from_the_issuing_authority_is_refused(evidence):
    order = evidence.order()
    package = evidence.upload(order, PACKAGE)
    answer = evidence.message(
        "prosecutor", order, "evidence-manifest", evidence.manifest(order, [("a", b"a", package)])
    )
    problem(answer, "forbidden", 403)
    assert evidence.row(package).state.value == "uploaded"


# Where uploads are refused ---------------------------------------------------------------------------


def closed(evidence: Evidence) -> dict[str, Any]:
    order = evidence.order()
    evidence.exchange.respond(order, {"outcome": "produced", "data_preserved": True})
    assert evidence.message("prosecutor", order, "closure", {"reason": "Completed."}).status_code == 201
    return order


def withdrawn(evidence: Evidence, delete: bool = False) -> dict[str, Any]:
    order = evidence.order()
    body = {"reason": "The suspect was identified otherwise.", "delete_received_data": delete}
    assert evidence.message("prosecutor", order, "withdrawal", body).status_code == 201
    return order


@pytest.fixture
def provider_auditor(network, database, clock) -> dict[str, str]:
    """A user with role auditor at Example Mail."""
    with database.transaction() as session:
        office = session.get_one(Organisation, uuid.UUID(network["provider"].organisation_id))
        user = operations.create_user(
            session,
            clock,
            organisation=office,
            email="audit@examplemail.test",
            name="Auditor",
            role=Role.AUDITOR,
        )
        _, token = operations.issue_token(
            session, clock, user=user, label="audit", lifetime=timedelta(days=1)
        )
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("make", "who", "slug", "status"),
    [
        pytest.param(closed, "provider", "transition-not-allowed", 409, id="closed"),
        pytest.param(withdrawn, "provider", "transition-not-allowed", 409, id="withdrawn"),
        pytest.param(
            lambda e: e.exchange.issue(e.exchange.draft()),
            "provider",
            "transition-not-allowed",
            409,
            id="not yet received",
        ),
        pytest.param(
            lambda e: e.exchange.receive(e.exchange.issue(e.exchange.draft(order_type="epoc-pr"))),
            "provider",
            "transition-not-allowed",
            409,
            id="an EPOC-PR",
        ),
        pytest.param(lambda e: e.exchange.draft(), "provider", "not-found", 404, id="a draft"),
        pytest.param(
            lambda e: e.order(), "other_provider", "not-found", 404, id="not addressed to the uploader"
        ),
        pytest.param(lambda e: e.order(), "prosecutor", "forbidden", 403, id="by the issuing authority"),
        pytest.param(lambda e: e.order(), "oversight", "forbidden", 403, id="by oversight"),
    ],
)
def test_no_upload_where_none_belongs(evidence, rows, make, who, slug, status):
    order = make(evidence)
    before = (rows("evidence_packages"), rows("audit_entries"))
    problem(evidence.announce(order, PACKAGE, who=who), slug, status)
    assert (rows("evidence_packages"), rows("audit_entries")) == before


def test_an_auditor_of_the_provider_cannot_upload(evidence, provider_auditor, rows):
    order = evidence.order()
    refused = evidence.client.post(
        f"/api/v1/orders/{order['id']}/evidence",
        json={"file_name": "a.age", "size": len(PACKAGE), "sha256": sha256(PACKAGE)},
        headers=provider_auditor,
    )
    problem(refused, "forbidden", 403)
    assert rows("evidence_packages") == 0


def test_chunks_stop_once_the_order_is_withdrawn(evidence, uploading):
    order, package = uploading
    body = {"reason": "The suspect was identified otherwise.", "delete_received_data": False}
    assert evidence.message("prosecutor", order, "withdrawal", body).status_code == 201
    problem(evidence.chunk(order, package, 1, CHUNKS[1]), "transition-not-allowed", 409)
    problem(evidence.complete(order, package), "transition-not-allowed", 409)


# Who may download, and when --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "slug", "status"),
    [
        pytest.param("provider", "forbidden", 403, id="the provider that uploaded it"),
        pytest.param("other_provider", "forbidden", 403, id="another provider"),
        pytest.param("other_authority", "not-found", 404, id="another issuing authority"),
        pytest.param("oversight", "forbidden", 403, id="oversight"),
        pytest.param("anonymous", "unauthenticated", 401, id="anonymous"),
    ],
)
def test_only_the_issuing_authority_gets_the_bytes(evidence, sealed, who, slug, status):
    order, package, ciphertext = sealed
    headers = {} if who == "anonymous" else evidence.network[who].headers
    path = f"/api/v1/orders/{order['id']}/evidence/{package['id']}/content"
    for asked in ({}, {"Range": "bytes=0-9"}, {"Range": "bytes=0-1,4-5"}):
        refused = evidence.client.get(path, headers={**headers, **asked})
        problem(refused, slug, status)
        assert ciphertext[:10] not in refused.data
    assert "evidence.downloaded" not in evidence.custody(order)


def test_the_enforcing_authority_of_a_notified_order_sees_the_package_but_gets_no_bytes(evidence):
    order = evidence.order(author="judge", **NOTIFIED)
    package, _ = evidence.delivered(order, handle="judge")
    evidence.clock.advance(days=11)  # the review window is over: the judge may download, nobody else
    assert evidence.package(order, package, "enforcing")["state"] == "sealed"
    problem(evidence.download(order, package, "enforcing"), "forbidden", 403)
    assert evidence.download(order, package, "judge").status_code == 200


def test_a_notified_order_holds_the_evidence_until_the_review_window_ends(evidence):
    order = evidence.order(author="judge", **NOTIFIED)
    package, ciphertext = evidence.delivered(order, handle="judge")
    held = problem(evidence.download(order, package, "judge"), "transfer-held", 409)
    assert held["held_until"] == "2026-12-04T09:00:00Z"  # 10 days after the notification (Art. 12(1))
    evidence.clock.advance(days=10, seconds=-1)
    problem(evidence.download(order, package, "judge"), "transfer-held", 409)
    evidence.clock.advance(seconds=1)
    assert evidence.download(order, package, "judge").data == ciphertext
    assert evidence.custody(order).count("evidence.downloaded") == 1


def test_no_objection_releases_the_evidence_at_once(evidence):
    order = evidence.order(author="judge", **NOTIFIED)
    package, ciphertext = evidence.delivered(order, handle="judge")
    assert (
        evidence.message("enforcing", order, "enforcing-review", {"decision": "no_objection"}).status_code
        == 201
    )
    assert evidence.download(order, package, "judge").data == ciphertext


def test_an_emergency_order_hands_over_the_evidence_at_once(evidence):
    order = evidence.order(author="judge", **NOTIFIED, **EMERGENCY)
    package, ciphertext = evidence.delivered(order, handle="judge")
    assert evidence.download(order, package, "judge").data == ciphertext


def refused_after_emergency(evidence: Evidence, package_order: dict[str, Any]) -> None:
    review = {
        "decision": "refusal",
        "ground": "manifest_fundamental_rights_breach",
        "explanation": "The data concern a journalist's sources.",
    }
    evidence.exchange.respond(package_order, {"outcome": "produced", "data_preserved": True})
    assert evidence.message("enforcing", package_order, "enforcing-review", review).status_code == 201


def withdrawn_with_deletion(evidence: Evidence, order: dict[str, Any]) -> None:
    body = {"reason": "The order was unlawful.", "delete_received_data": True}
    assert evidence.message(evidence.issuer(order), order, "withdrawal", body).status_code == 201


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(refused_after_emergency, id="refused by the enforcing authority"),
        pytest.param(withdrawn_with_deletion, id="withdrawn, received data to be deleted"),
    ],
)
def test_evidence_of_an_order_that_must_delete_its_data_is_unavailable(evidence, end):
    order = evidence.order(author="judge", **NOTIFIED, **EMERGENCY)
    package, _ = evidence.delivered(order, handle="judge")
    end(evidence, order)
    refused = problem(evidence.download(order, package, "judge"), "evidence-unavailable", 409)
    assert "delete" in refused["detail"]
    assert evidence.custody(order).count("evidence.downloaded") == 0


def test_deleted_evidence_is_gone(evidence, sealed, app, database, clock):
    order, package, _ = sealed
    keeper = Keeper(app.extensions["broker"].storage, app.extensions["broker"].evidence)
    clock.advance(days=91)
    evidence.network["prosecutor"].token = fresh_token(database, clock, evidence.network["prosecutor"])
    assert delete_due(database, clock, keeper, lambda line: None) == 1
    gone = problem(evidence.download(order, package), "evidence-gone", 410)
    assert gone["reason"] == "retention_ended"
    assert gone["deleted_at"] == "2027-02-23T09:00:00Z"
    listed = evidence.package(order, package, "prosecutor")
    assert (listed["state"], listed["retained_until"]) == ("deleted", None)


def test_completing_again_after_an_unrecorded_assembly_measures_the_stored_package(evidence, uploading, app):
    """The broker assembled the package, then stopped before recording it: the retry finishes the job."""
    order, package = uploading
    for index in (1, 2):
        evidence.chunk(order, package, index, CHUNKS[index])
    row = evidence.row(package)
    chunks = [StoredChunk(index, len(chunk), sha256(chunk), "") for index, chunk in enumerate(CHUNKS)]
    app.extensions["broker"].storage.complete(row.storage_key, row.upload_id, chunks)
    completed = evidence.complete(order, package)
    assert completed.status_code == 200, completed.get_json()
    assert (completed.get_json()["state"], completed.get_json()["sha256"]) == ("uploaded", sha256(PACKAGE))


def test_chunks_may_be_larger_than_the_json_body_limit(network, exchange, database, clock, tmp_path):
    """MAX_CONTENT_LENGTH bounds JSON and JOSE bodies; a chunk is bounded by its package's chunk size."""
    chunk_size = 2 * 1024 * 1024
    app = create_app(
        {
            "TESTING": True,
            "EVIDENCE_FOLDER": str(tmp_path / "big"),
            "EVIDENCE_CHUNK_SIZE": chunk_size,
            "MAX_CONTENT_LENGTH": 1024 * 1024,
        },
        clock=clock,
        database=database,
    )
    client = app.test_client()
    big = Evidence(client, network, type(exchange)(client, network), database, clock)
    order = big.order()
    data = bytes(range(256)) * (3 * 1024 * 1024 // 256)  # 3 MiB: a chunk of 2 MiB and one of 1 MiB
    package = big.announce(order, data).get_json()
    assert package["chunk_count"] == 2
    for index in (0, 1):
        sent = big.chunk(order, package, index, data[index * chunk_size : (index + 1) * chunk_size])
        assert sent.status_code == 200, sent.get_json()
    assert big.complete(order, package).get_json()["size"] == len(data)
    too_long = big.chunk(order, package, 1, data[chunk_size:] + b"x")
    problem(too_long, "conflict", 409)  # completed: no more chunks, whatever their size


def test_bytes_the_storage_lost_are_not_logged_as_handed_over(evidence, sealed, app, caplog):
    order, package, _ = sealed
    app.extensions["broker"].storage.delete(evidence.row(package).storage_key)
    lost = evidence.download(order, package)
    assert lost.status_code == 500
    assert "unhandled error" in caplog.text
    assert "evidence.downloaded" not in evidence.custody(order)
