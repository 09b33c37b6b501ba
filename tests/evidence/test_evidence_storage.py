"""Chunked uploads, assembly, ranged reads and failures of `broker.evidence.storage`, on both backends.

The S3 backend runs against moto's in-process S3 (never the network); it enforces S3's 5 MiB minimum
for every part but the last, so S3 chunks are 5 MiB and the local ones a little over 1 MiB.
"""

import hashlib
import random
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import moto
import pytest

from broker.evidence import storage as st

MIB = 1024 * 1024
KEY = "3f0c6a9e-order/7d1e2b44-package.age"


class Source:
    """A readable stream of `data` that records the largest request and may answer in short reads."""

    def __init__(self, data: bytes, most: int | None = None, fail_at: int | None = None) -> None:
        self.data = data
        self.position = 0
        self.most = most
        self.fail_at = fail_at
        self.largest_request = 0

    def read(self, size: int = -1) -> bytes:
        self.largest_request = max(self.largest_request, size if size >= 0 else sys.maxsize)
        if self.fail_at is not None and self.position >= self.fail_at:
            raise ConnectionResetError("client went away")
        end = len(self.data) if size < 0 else self.position + size
        if self.most is not None:
            end = min(end, self.position + self.most)
        block = self.data[self.position : end]
        self.position += len(block)
        return block


class LazySource:
    """`size` bytes of a repeating pattern, generated on demand so the whole is never in memory."""

    PATTERN = bytes(range(256)) * 4099  # a length that is no divisor of 1 MiB, so blocks differ

    def __init__(self, size: int) -> None:
        self.left = size
        self.offset = 0
        self.largest_request = 0

    def read(self, size: int = -1) -> bytes:
        self.largest_request = max(self.largest_request, size if size >= 0 else sys.maxsize)
        size = min(self.left if size < 0 else size, self.left, len(self.PATTERN) - self.offset)
        block = self.PATTERN[self.offset : self.offset + size]
        self.offset = (self.offset + size) % len(self.PATTERN)
        self.left -= size
        return block

    @classmethod
    def sha256(cls, size: int) -> str:
        source, digest = cls(size), hashlib.sha256()
        while block := source.read(MIB):
            digest.update(block)
        return digest.hexdigest()


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """moto's S3 with fake credentials, and no real AWS configuration read from this machine.

    One per module, because building a boto3 client costs a tenth of a second; tests use their own buckets.
    """
    nowhere = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", str(nowhere / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "credentials"))
        with moto.mock_aws():
            yield


@pytest.fixture(scope="module")
def s3_client(aws: None) -> Any:
    import boto3

    return boto3.client("s3", region_name="us-east-1", config=st.S3Storage.client_config())


@pytest.fixture
def s3(s3_client: Any) -> st.S3Storage:
    """An S3 storage on a fresh bucket."""
    bucket = f"evidence-{uuid.uuid4().hex}"
    s3_client.create_bucket(Bucket=bucket)
    return st.S3Storage(bucket, s3_client)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> st.Storage:
    if request.param == "local":
        return st.LocalStorage(tmp_path / "evidence")
    return request.getfixturevalue("s3")


def _data(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chunks(storage: st.Storage, count: int, seed: int = 0) -> list[bytes]:
    """`count` chunks as the broker would cut them: full-size ones and a shorter last one."""
    full = max(storage.minimum_chunk, MIB + 7)
    return [_data(full if i < count - 1 else 1234, seed + i) for i in range(count)]


def _put(storage: st.Storage, upload_id: str, index: int, data: bytes, key: str = KEY) -> st.StoredChunk:
    source = Source(data, most=300_000)
    chunk = storage.put_chunk(key, upload_id, index, source, len(data), _sha(data))
    assert source.largest_request <= MIB
    return chunk


def _read(storage: st.Storage, key: str = KEY, start: int = 0, stop: int | None = None) -> bytes:
    blocks = list(storage.read(key, start, stop))
    assert all(0 < len(block) <= MIB for block in blocks)
    return b"".join(blocks)


def _upload(storage: st.Storage, chunks: list[bytes], key: str = KEY) -> bytes:
    upload_id = storage.begin(key)
    stored = [_put(storage, upload_id, i, data, key) for i, data in enumerate(chunks)]
    storage.complete(key, upload_id, stored)
    return b"".join(chunks)


def _parts(storage: st.Storage, upload_id: str) -> list[int]:
    """The chunk indices the backend holds for an upload."""
    if isinstance(storage, st.LocalStorage):
        folder = storage.root / "uploads" / upload_id
        return sorted(int(path.stem) for path in folder.iterdir()) if folder.exists() else []
    assert isinstance(storage, st.S3Storage)
    response = storage.client.list_parts(Bucket=storage.bucket, Key=KEY, UploadId=upload_id)
    return [part["PartNumber"] - 1 for part in response.get("Parts", [])]


def test_round_trip(storage: st.Storage) -> None:
    """Do chunks put in order come back as one object, with their sizes and hashes recorded?"""
    chunks = _chunks(storage, 3)
    upload_id = storage.begin(KEY)
    stored = [_put(storage, upload_id, i, data) for i, data in enumerate(chunks)]
    assert [(c.index, c.size, c.sha256) for c in stored] == [
        (i, len(data), _sha(data)) for i, data in enumerate(chunks)
    ]
    assert all(c.etag for c in stored) == (storage.name == "s3")
    measured = storage.complete(KEY, upload_id, stored)
    assert measured == st.Measured(size=sum(map(len, chunks)), sha256=_sha(b"".join(chunks)))
    assert storage.size(KEY) == sum(map(len, chunks))
    assert _read(storage) == b"".join(chunks)


def test_out_of_order_puts(storage: st.Storage) -> None:
    """Can chunks arrive in any order and be listed in any order at completion?"""
    chunks = _chunks(storage, 3)
    upload_id = storage.begin(KEY)
    stored = [_put(storage, upload_id, i, chunks[i]) for i in (2, 0, 1)]
    measured = storage.complete(KEY, upload_id, stored)
    assert _read(storage) == b"".join(chunks)
    assert measured.sha256 == _sha(b"".join(chunks)), "measured in the object's order, not the arrival's"


def test_reput_replaces_chunk(storage: st.Storage) -> None:
    """Does a chunk sent again (after a broken connection, say) replace the earlier one?"""
    first, last = _chunks(storage, 2)
    upload_id = storage.begin(KEY)
    _put(storage, upload_id, 0, _data(len(first), seed=99))
    stored = [_put(storage, upload_id, 0, first), _put(storage, upload_id, 1, last)]
    storage.complete(KEY, upload_id, stored)
    assert _read(storage) == first + last


def test_mismatch_stores_nothing(storage: st.Storage) -> None:
    """Does a chunk failing its hash leave nothing usable, and the earlier good chunk intact?"""
    first, last = _chunks(storage, 2)
    upload_id = storage.begin(KEY)
    good_first = _put(storage, upload_id, 0, first)
    wrong = _sha(b"something else")
    for index, data in ((1, last), (0, _data(len(first), seed=5))):
        with pytest.raises(st.ChunkMismatch) as raised:
            storage.put_chunk(KEY, upload_id, index, Source(data), len(data), wrong)
        assert raised.value.actual == _sha(data)
        assert raised.value.expected == wrong
        assert _parts(storage, upload_id) == [0]
    if isinstance(storage, st.LocalStorage):
        assert [p.name for p in (storage.root / "uploads" / upload_id).iterdir()] == ["0.chunk"]
    storage.complete(KEY, upload_id, [good_first, _put(storage, upload_id, 1, last)])
    assert _read(storage) == first + last


@pytest.mark.parametrize("fail", ["truncated", "source error"])
def test_broken_source_stores_nothing(storage: st.Storage, fail: str) -> None:
    """Does a source that ends early or breaks leave no chunk, and let a re-sent one succeed?"""
    data = _chunks(storage, 2)[0]  # a full-size chunk, several reads long
    upload_id = storage.begin(KEY)
    if fail == "truncated":
        with pytest.raises(st.ChunkTruncated) as raised:
            storage.put_chunk(KEY, upload_id, 0, Source(data[:-10]), len(data), _sha(data))
        assert (raised.value.received, raised.value.length) == (len(data) - 10, len(data))
    else:
        with pytest.raises(ConnectionResetError, match="client went away"):
            storage.put_chunk(
                KEY, upload_id, 0, Source(data, most=300_000, fail_at=MIB), len(data), _sha(data)
            )
    assert _parts(storage, upload_id) == []
    storage.complete(KEY, upload_id, [_put(storage, upload_id, 0, data)])
    assert _read(storage) == data


def test_source_read_beyond_length(storage: st.Storage) -> None:
    """Is only `length` bytes of a longer source stored (the rest belongs to someone else)?"""
    (data,) = _chunks(storage, 1)
    source = Source(data + b"trailing bytes")
    upload_id = storage.begin(KEY)
    chunk = storage.put_chunk(KEY, upload_id, 0, source, len(data), _sha(data))
    assert source.position == len(data)
    storage.complete(KEY, upload_id, [chunk])
    assert _read(storage) == data


def test_zero_chunks_make_empty_object(storage: st.Storage) -> None:
    """Does completing an upload without chunks create an empty object?"""
    upload_id = storage.begin(KEY)
    assert storage.complete(KEY, upload_id, []) == st.Measured(size=0, sha256=_sha(b""))
    assert storage.size(KEY) == 0
    assert _read(storage) == b""
    assert _read(storage, start=0, stop=10) == b""
    assert _read(storage, start=3) == b""


def test_ranged_reads(storage: st.Storage) -> None:
    """Do ranges return exactly bytes [start, stop), clamped to the object's end?"""
    chunks = _chunks(storage, 2)
    data = _upload(storage, chunks)
    size, boundary = len(data), len(chunks[0])
    ranges = [
        (0, None),
        (0, size),
        (0, size + 100),  # past the end: clamped
        (5, None),  # to the end
        (0, 10),
        (boundary - 3, boundary + 3),  # across the chunk boundary
        (MIB - 1, 2 * MIB + 1),  # across read blocks
        (size - 1, None),
        (size, None),  # empty: at the end
        (size + 5, None),  # empty: past the end
        (size + 5, size + 9),
        (10, 10),  # empty range
    ]
    for start, stop in ranges:
        assert _read(storage, start=start, stop=stop) == data[start:stop], (start, stop)
    for start, stop in [(-1, None), (10, 9)]:
        with pytest.raises(ValueError, match="invalid byte range"):
            storage.read(KEY, start, stop)


def test_read_can_stop_early(storage: st.Storage) -> None:
    """Can a reader stop after the first block and close the stream?"""
    data = _upload(storage, _chunks(storage, 2))
    blocks = storage.read(KEY)
    assert next(blocks) == data[:MIB]
    blocks.close()  # type: ignore[attr-defined]


def test_missing_object(storage: st.Storage) -> None:
    """Is a missing object a KeyError for size and read, even for an empty range, before any byte?"""
    with pytest.raises(KeyError):
        storage.size(KEY)
    for start, stop in [(0, None), (5, 10), (3, 3)]:
        with pytest.raises(KeyError):
            storage.read(KEY, start, stop)


def test_delete_is_idempotent(storage: st.Storage) -> None:
    """Does delete remove the object and accept an absent one?"""
    _upload(storage, _chunks(storage, 1))
    storage.delete(KEY)
    with pytest.raises(KeyError):
        storage.size(KEY)
    storage.delete(KEY)
    storage.delete("never/stored.age")


def test_abort_removes_chunks(storage: st.Storage) -> None:
    """Does abort drop the upload's chunks, accept a second abort and refuse further chunks?"""
    upload_id = storage.begin(KEY)
    for i, data in enumerate(_chunks(storage, 2)):
        _put(storage, upload_id, i, data)
    assert _parts(storage, upload_id) == [0, 1]
    storage.abort(KEY, upload_id)
    storage.abort(KEY, upload_id)
    if isinstance(storage, st.LocalStorage):
        assert not (storage.root / "uploads" / upload_id).exists()
    else:
        assert isinstance(storage, st.S3Storage)
        assert "Uploads" not in storage.client.list_multipart_uploads(Bucket=storage.bucket)
    with pytest.raises(KeyError):
        storage.size(KEY)


def test_complete_needs_every_chunk_once(storage: st.Storage) -> None:
    """Does complete refuse a gap or a repeated index before touching the store?"""
    chunks = _chunks(storage, 3)
    upload_id = storage.begin(KEY)
    stored = [_put(storage, upload_id, i, data) for i, data in enumerate(chunks)]
    for wrong in ([stored[0], stored[2]], [stored[0], stored[0], stored[1]], stored[1:]):
        with pytest.raises(ValueError, match=r"complete needs chunks 0\.\."):
            storage.complete(KEY, upload_id, wrong)
    storage.complete(KEY, upload_id, stored)
    assert _read(storage) == b"".join(chunks)


def test_local_unknown_upload_is_storage_error(tmp_path: Path) -> None:
    """Is a chunk for an unknown (or aborted) upload a StorageError an operator can read?

    Local only: moto answers an unknown UploadId with a bare KeyError where S3 says NoSuchUpload.
    """
    local = st.LocalStorage(tmp_path)
    upload_id = local.begin(KEY)
    local.abort(KEY, upload_id)
    for unknown in (upload_id, "0" * 32):
        with pytest.raises(st.StorageError, match=f"no upload {unknown}"):
            local.put_chunk(KEY, unknown, 0, Source(b"abc"), 3, _sha(b"abc"))
        with pytest.raises(st.StorageError, match=f"no upload {unknown}"):
            local.complete(KEY, unknown, [])


@pytest.mark.parametrize(
    ("index", "length", "sha256", "message"),
    [
        (-1, 3, _sha(b"abc"), "negative"),
        (0, -1, _sha(b"abc"), "negative"),
        (0, 3, "abc", "not a hex SHA-256"),
        (0, 3, "g" * 64, "not a hex SHA-256"),
    ],
)
def test_put_chunk_checks_arguments(
    storage: st.Storage, index: int, length: int, sha256: str, message: str
) -> None:
    upload_id = storage.begin(KEY)
    with pytest.raises(ValueError, match=message):
        storage.put_chunk(KEY, upload_id, index, Source(b"abc"), length, sha256)


def test_uppercase_hash_accepted(storage: st.Storage) -> None:
    upload_id = storage.begin(KEY)
    chunk = storage.put_chunk(KEY, upload_id, 0, Source(b"abc"), 3, _sha(b"abc").upper())
    assert chunk.sha256 == _sha(b"abc")


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../escape.age", "order/../../escape", "order\\package.age", "order//package.age",
     "order/", "./package.age", "order/./package.age", "C:package.age", "order/pack\0age"],
)  # fmt: skip
def test_invalid_keys_refused(storage: st.Storage, key: str) -> None:
    """Is every key that could leave the root, or alias another key, refused by every operation?"""
    calls = [
        lambda: storage.begin(key),
        lambda: storage.put_chunk(key, "0" * 32, 0, Source(b""), 0, _sha(b"")),
        lambda: storage.complete(key, "0" * 32, []),
        lambda: storage.abort(key, "0" * 32),
        lambda: storage.size(key),
        lambda: storage.read(key),
        lambda: storage.delete(key),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="invalid storage key"):
            call()


@pytest.mark.parametrize("upload_id", ["", "../../objects", "0" * 31, "0" * 32 + "/x", "G" * 32])
def test_local_upload_id_checked(tmp_path: Path, upload_id: str) -> None:
    local = st.LocalStorage(tmp_path)
    with pytest.raises(ValueError, match="invalid local upload id"):
        local.put_chunk(KEY, upload_id, 0, Source(b"abc"), 3, _sha(b"abc"))
    with pytest.raises(ValueError, match="invalid local upload id"):
        local.abort(KEY, upload_id)


def test_local_layout(tmp_path: Path) -> None:
    """Is the root private, the object a plain file, and nothing left of the upload?"""
    local = st.LocalStorage(tmp_path / "evidence")
    _upload(local, [b"hello ", b"world"])
    assert (tmp_path / "evidence").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "evidence" / "objects" / KEY).read_bytes() == b"hello world"
    assert list((tmp_path / "evidence" / "uploads").iterdir()) == []


def test_local_constant_memory(tmp_path: Path) -> None:
    """Do put_chunk, complete and read move 64 MiB without asking any read for more than 1 MiB?"""
    size = 64 * MIB + 3
    local = st.LocalStorage(tmp_path)
    source = LazySource(size)
    upload_id = local.begin(KEY)
    chunk = local.put_chunk(KEY, upload_id, 0, source, size, LazySource.sha256(size))
    assert source.largest_request <= MIB
    local.complete(KEY, upload_id, [chunk])
    digest, largest, total = hashlib.sha256(), 0, 0
    for block in local.read(KEY):
        digest.update(block)
        largest, total = max(largest, len(block)), total + len(block)
    assert (digest.hexdigest(), total) == (chunk.sha256, size)
    assert largest <= MIB


def test_s3_rejects_small_parts(s3: st.S3Storage) -> None:
    """Does S3's 5 MiB minimum for non-last parts surface as a StorageError naming the cause?"""
    upload_id = s3.begin(KEY)
    stored = [_put(s3, upload_id, i, data) for i, data in enumerate([b"a" * 1000, b"b" * 10])]
    with pytest.raises(st.StorageError, match="EntityTooSmall"):
        s3.complete(KEY, upload_id, stored)


def test_s3_missing_bucket_is_storage_error(s3_client: Any) -> None:
    s3 = st.S3Storage("no-such-bucket", s3_client)
    with pytest.raises(st.StorageError, match="NoSuchBucket"):
        s3.begin(KEY)


def test_s3_client_must_not_sign_payloads(aws: None) -> None:
    """Is a client that would read whole chunks to sign them refused up front?"""
    import boto3

    with pytest.raises(ValueError, match="client_config"):
        st.S3Storage("evidence-test", boto3.client("s3"))


def test_settings_local(tmp_path: Path) -> None:
    default = st.storage_from_settings({}, tmp_path)
    assert isinstance(default, st.LocalStorage)
    assert default.root == tmp_path / "evidence"
    assert (default.name, default.minimum_chunk) == ("local", 1)
    chosen = st.storage_from_settings(
        {"EVIDENCE_STORAGE": "local", "EVIDENCE_FOLDER": str(tmp_path / "elsewhere")}, tmp_path
    )
    assert isinstance(chosen, st.LocalStorage)
    assert chosen.root == tmp_path / "elsewhere"


def test_settings_s3(aws: None, tmp_path: Path) -> None:
    settings = {
        "EVIDENCE_STORAGE": "s3",
        "EVIDENCE_S3_BUCKET": "evidence-test",
        "EVIDENCE_S3_ENDPOINT_URL": "https://objects.example.test",
        "EVIDENCE_S3_REGION": "eu-central-1",
    }
    s3 = st.storage_from_settings(settings, tmp_path)
    assert isinstance(s3, st.S3Storage)
    assert (s3.name, s3.minimum_chunk, s3.bucket) == ("s3", 5 * MIB, "evidence-test")
    assert s3.client.meta.endpoint_url == "https://objects.example.test"
    assert s3.client.meta.region_name == "eu-central-1"
    config = s3.client.meta.config
    assert (config.request_checksum_calculation, config.response_checksum_validation) == (
        "when_required",
        "when_required",
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EVIDENCE_STORAGE": "s3"}, "BROKER_EVIDENCE_S3_BUCKET"),
        ({"EVIDENCE_STORAGE": "s3", "EVIDENCE_S3_BUCKET": ""}, "BROKER_EVIDENCE_S3_BUCKET"),
        ({"EVIDENCE_STORAGE": "ftp"}, "BROKER_EVIDENCE_STORAGE"),
    ],
)
def test_settings_refused(tmp_path: Path, settings: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        st.storage_from_settings(settings, tmp_path)


def test_settings_s3_without_boto3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    settings = {"EVIDENCE_STORAGE": "s3", "EVIDENCE_S3_BUCKET": "evidence-test"}
    with pytest.raises(ValueError, match=r"needs boto3: pip install 'eevidence-broker\[s3\]'"):
        st.storage_from_settings(settings, tmp_path)


@pytest.mark.parametrize("retries", ["legacy", "standard"])
def test_s3_source_failure_survives_botocore_wrapping(s3: st.S3Storage, retries: str) -> None:
    """Over real HTTP, botocore wraps a body's exception and retries (failing to rewind the stream):
    is the original ChunkMismatch, ChunkTruncated or source error still what the caller sees?

    moto reads the body itself, so a handler that sends it like urllib3 (in small blocks, wrapping
    any exception in HTTPClientError) stands in for the connection.
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import HTTPClientError

    config = st.S3Storage.client_config().merge(Config(retries={"mode": retries, "max_attempts": 3}))
    client = boto3.client("s3", region_name="us-east-1", config=config)
    sent: list[int] = []

    def send_like_urllib3(request: Any, **kwargs: Any) -> None:
        try:
            while block := request.body.read(16384):
                sent.append(len(block))
        except Exception as exc:
            raise HTTPClientError(error=exc) from exc
        raise AssertionError("the body should have failed")

    client.meta.events.register_first("before-send.s3.UploadPart", send_like_urllib3)
    storage = st.S3Storage(s3.bucket, client)
    data = _data(3 * MIB)
    upload_id = storage.begin(KEY)
    cases: list[tuple[Source, str, type[Exception]]] = [
        (Source(data), _sha(b"other"), st.ChunkMismatch),
        (Source(data[:-1]), _sha(data), st.ChunkTruncated),
        (Source(data, fail_at=MIB), _sha(data), ConnectionResetError),
    ]
    for source, sha256, error in cases:
        sent.clear()
        with pytest.raises(error):
            storage.put_chunk(KEY, upload_id, 0, source, len(data), sha256)
        assert 0 < sum(sent) < len(data)  # the last block was never handed over
        assert source.largest_request <= MIB
