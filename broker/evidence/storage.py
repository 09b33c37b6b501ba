"""Where encrypted evidence packages are kept: a local folder, or an S3-compatible object store.

A package arrives as numbered chunks, each its own HTTP request, possibly out of order or re-sent after
a broken connection; `complete` assembles them into one object, which is later served back in byte
ranges. Everything moves in blocks of at most 1 MiB, so memory stays constant however large the package.
The storage only keeps bytes: which chunks arrived, and their hashes, is the database's business.
boto3 is optional (the `s3` extra), so it is imported only when the S3 backend is chosen.
"""

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import Any
from typing import BinaryIO
from typing import Protocol

__all__ = [
    "BLOCK_SIZE",
    "ChunkMismatch",
    "ChunkTruncated",
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredChunk",
    "storage_from_settings",
]

BLOCK_SIZE = 1024 * 1024
"""The most bytes held at once: every read from a source, file or object store asks for at most this."""

_S3_MAX_PARTS = 10_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_MISSING_OBJECT = ("404", "NoSuchKey")


@dataclass(frozen=True)
class StoredChunk:
    """One stored chunk: what `complete` needs to assemble it and the database records about it."""

    index: int
    size: int
    sha256: str
    etag: str


class ChunkMismatch(Exception):
    """The chunk's bytes do not hash to the SHA-256 announced for it; nothing usable was stored."""

    def __init__(self, index: int, expected: str, actual: str) -> None:
        super().__init__(f"chunk {index}: the bytes' SHA-256 is {actual}, expected {expected}")
        self.index = index
        self.expected = expected
        self.actual = actual


class ChunkTruncated(Exception):
    """The source ended before the announced length (typically a broken connection); nothing was stored."""

    def __init__(self, index: int, length: int, received: int) -> None:
        super().__init__(f"chunk {index}: the source ended after {received} of {length} bytes")
        self.index = index
        self.length = length
        self.received = received


@dataclass(frozen=True)
class Measured:
    """An assembled object's length and SHA-256 (hex), as the storage found them."""

    size: int
    sha256: str


def measure(blocks: Iterator[bytes]) -> Measured:
    """Hash and count an object's bytes as they are read."""
    digest, size = hashlib.sha256(), 0
    for block in blocks:
        digest.update(block)
        size += len(block)
    return Measured(size=size, sha256=digest.hexdigest())


class StorageError(Exception):
    """The backend failed (disk, permissions, object store); the message is fit for an operator's log."""


class Storage(Protocol):
    """Chunked uploads assembled into objects, and ranged reads of them, all in constant memory."""

    name: str
    minimum_chunk: int

    def begin(self, key: str) -> str:
        """Start an upload of object `key` and return its upload id (an opaque string)."""
        ...

    def put_chunk(
        self, key: str, upload_id: str, index: int, source: IO[bytes], length: int, sha256: str
    ) -> StoredChunk:
        """Store exactly `length` bytes of `source` as chunk `index`, replacing any earlier one.

        A chunk that is truncated or fails its SHA-256 check is not stored and leaves an earlier chunk
        of the same index as it was.
        """
        ...

    def complete(self, key: str, upload_id: str, chunks: Sequence[StoredChunk]) -> "Measured":
        """Assemble chunks 0..n-1 into object `key` and measure it; no chunks make an empty object."""
        ...

    def abort(self, key: str, upload_id: str) -> None:
        """Forget an unfinished upload and its chunks; aborting twice is not an error."""
        ...

    def size(self, key: str) -> int:
        """The object's length in bytes; KeyError if there is none."""
        ...

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Bytes [start, stop) of the object, in blocks of at most 1 MiB; KeyError (at once) if none.

        Close the iterator if it is not read to the end, so the file or connection is released.
        """
        ...

    def delete(self, key: str) -> None:
        """Remove the object; removing an absent one is not an error."""
        ...


class _ChunkReader:
    """Read exactly `length` bytes of `source` in blocks of at most 1 MiB, hashing them on the way.

    The checks run as the bytes flow: an early end raises ChunkTruncated, and a wrong hash raises
    ChunkMismatch before the last block is handed over, so a bad chunk never reaches its final name
    (local) nor completes its part request (S3). botocore wraps a body's exception and then fails to
    rewind the stream for a retry, so `error` keeps the original for `put_chunk` to re-raise.
    """

    def __init__(self, source: IO[bytes], index: int, length: int, expected: str) -> None:
        self._source = source
        self._index = index
        self._length = length
        self._expected = expected
        self._hash = hashlib.sha256()
        self.received = 0
        self.error: Exception | None = None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all that is left if negative), b"" once `length` bytes were read."""
        left = self._length - self.received
        wanted = left if size is None or size < 0 else min(size, left)
        blocks: list[bytes] = []
        try:
            while wanted > 0:
                block = self._source.read(min(wanted, BLOCK_SIZE))
                if not block:
                    raise ChunkTruncated(self._index, self._length, self.received)
                if len(block) > min(wanted, BLOCK_SIZE):
                    raise ValueError("the source returned more bytes than asked for")
                self._hash.update(block)
                self.received += len(block)
                wanted -= len(block)
                blocks.append(block)
            if self.received == self._length:
                self.verify()
        except Exception as exc:
            self.error = self.error or exc
            raise
        return b"".join(blocks)

    def verify(self) -> None:
        """Raise ChunkMismatch unless the bytes read so far hash to the expected SHA-256."""
        if self.sha256 != self._expected:
            raise ChunkMismatch(self._index, self._expected, self.sha256)


class LocalStorage:
    """Objects under `root/objects/<key>`, chunks under `root/uploads/<upload id>/<index>.chunk`."""

    name = "local"
    minimum_chunk = 1

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def begin(self, key: str) -> str:
        """Start an upload: a fresh folder that holds its chunks until `complete` or `abort`."""
        _check_key(key)
        upload_id = uuid.uuid4().hex
        with _os_failures(f"start an upload of {key}"):
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._upload(upload_id).mkdir(parents=True)
        return upload_id

    def put_chunk(
        self, key: str, upload_id: str, index: int, source: IO[bytes], length: int, sha256: str
    ) -> StoredChunk:
        """Write to a temp file, fsync, and rename: a broken connection never leaves a half chunk."""
        _check_key(key)
        expected = _check_chunk(index, length, sha256)
        folder = self._existing_upload(upload_id)
        reader = _ChunkReader(source, index, length, expected)
        with _os_failures(f"store chunk {index} of {key}"):
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{index}.", suffix=".tmp")
        try:
            with open(fd, "wb") as out:
                while block := reader.read(BLOCK_SIZE):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, folder / f"{index}.chunk")
            _fsync_folder(folder)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            if isinstance(exc, OSError) and exc is not reader.error:
                raise StorageError(f"local storage could not store chunk {index} of {key}: {exc}") from exc
            raise
        return StoredChunk(index=index, size=length, sha256=reader.sha256, etag="")

    def complete(self, key: str, upload_id: str, chunks: Sequence[StoredChunk]) -> Measured:
        """Concatenate the chunks into a temp file, rename it to the object, then drop the upload.

        The object is hashed as it is written: reading it back to measure it cost a third of an
        upload's time (bench/evidence.py).
        """
        target = self._object(key)
        ordered = _in_order(chunks)
        folder = self._existing_upload(upload_id)
        digest, size = hashlib.sha256(), 0
        with _os_failures(f"assemble {key}"):
            fd, temp = tempfile.mkstemp(dir=folder, prefix=".object.", suffix=".tmp")
            try:
                with open(fd, "wb") as out:
                    for chunk in ordered:
                        with (folder / f"{chunk.index}.chunk").open("rb") as part:
                            found = os.fstat(part.fileno()).st_size
                            if found != chunk.size:
                                raise StorageError(
                                    f"local storage could not assemble {key}: "
                                    f"chunk {chunk.index} holds {found} bytes, not {chunk.size}"
                                )
                            while block := part.read(BLOCK_SIZE):
                                digest.update(block)
                                size += len(block)
                                out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
            _fsync_folder(target.parent)
        # The object is durable now; a chunk that cannot be removed is only litter, not a failure.
        shutil.rmtree(folder, ignore_errors=True)
        return Measured(size=size, sha256=digest.hexdigest())

    def abort(self, key: str, upload_id: str) -> None:
        """Remove the upload's folder and every chunk in it, if it is still there."""
        _check_key(key)
        folder = self._upload(upload_id)
        with _os_failures(f"abort the upload of {key}"), contextlib.suppress(FileNotFoundError):
            shutil.rmtree(folder)

    def size(self, key: str) -> int:
        """The object file's length."""
        path = self._object(key)
        try:
            status = path.stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise KeyError(key) from exc
        except OSError as exc:
            raise StorageError(f"local storage could not read the size of {key}: {exc}") from exc
        if not stat.S_ISREG(status.st_mode):
            raise KeyError(key)
        return status.st_size

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Open the object now (so a missing one fails before any response starts) and stream it."""
        _check_range(start, stop)
        path = self._object(key)
        try:
            file = path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise KeyError(key) from exc
        except OSError as exc:
            raise StorageError(f"local storage could not read {key}: {exc}") from exc
        end = os.fstat(file.fileno()).st_size if stop is None else stop
        return _file_blocks(file, start, end)

    def delete(self, key: str) -> None:
        """Unlink the object file."""
        path = self._object(key)
        with _os_failures(f"delete {key}"), contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()

    def _object(self, key: str) -> Path:
        return self.root.joinpath("objects", *_check_key(key))

    def _upload(self, upload_id: str) -> Path:
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise ValueError(f"invalid local upload id {upload_id!r}")
        return self.root / "uploads" / upload_id

    def _existing_upload(self, upload_id: str) -> Path:
        folder = self._upload(upload_id)
        if not folder.is_dir():
            raise StorageError(f"local storage has no upload {upload_id} (completed or aborted?)")
        return folder


class S3Storage:
    """A bucket of an S3-compatible store: one multipart upload per package, one part per chunk.

    The client must not sign payloads (botocore would read a whole chunk to hash it before sending,
    which a stream cannot do) nor add checksums S3-compatible stores may not support: build it with
    `client_config()`, as `connect` does. Credentials come only from boto3's usual chain.
    """

    name = "s3"
    minimum_chunk = 5 * 1024 * 1024

    def __init__(self, bucket: str, client: Any) -> None:
        if (client.meta.config.s3 or {}).get("payload_signing_enabled") is not False:
            raise ValueError("the S3 client must be built with S3Storage.client_config(): it signs payloads")
        self.bucket = bucket
        self.client = client

    @staticmethod
    def client_config() -> Any:
        """A botocore Config that streams request bodies untouched and leaves responses unchecked."""
        from botocore.config import Config

        return Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"payload_signing_enabled": False},
        )

    @classmethod
    def connect(cls, bucket: str, endpoint_url: str | None = None, region: str | None = None) -> "S3Storage":
        """A storage on `bucket` with a fresh client; ValueError if boto3 is not installed."""
        try:
            import boto3
        except ImportError as exc:
            raise ValueError(
                "BROKER_EVIDENCE_STORAGE=s3 needs boto3: pip install 'eevidence-broker[s3]'"
            ) from exc
        client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=cls.client_config())
        return cls(bucket, client)

    def begin(self, key: str) -> str:
        """Create the multipart upload; its UploadId is the upload id."""
        _check_key(key)
        with self._failures("start an upload of", key):
            response = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)
        return str(response["UploadId"])

    def put_chunk(
        self, key: str, upload_id: str, index: int, source: IO[bytes], length: int, sha256: str
    ) -> StoredChunk:
        """Upload part index+1 straight from `source`; the reader hashes what botocore sends."""
        _check_key(key)
        expected = _check_chunk(index, length, sha256)
        if index >= _S3_MAX_PARTS:
            raise ValueError(f"chunk {index}: S3 allows at most {_S3_MAX_PARTS} parts")
        body = _ChunkReader(source, index, length, expected)
        if length == 0:
            body.verify()  # botocore may not read an empty body at all
        try:
            with self._failures(f"store chunk {index} of", key):
                response = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=index + 1,
                    Body=body,
                    ContentLength=length,
                )
        except StorageError:
            if body.error is not None:
                raise body.error from None
            raise
        if body.received != length:
            raise StorageError(f"S3 upload of chunk {index} of {key} sent {body.received} of {length} bytes")
        return StoredChunk(index=index, size=length, sha256=body.sha256, etag=str(response["ETag"]))

    def complete(self, key: str, upload_id: str, chunks: Sequence[StoredChunk]) -> Measured:
        """Complete the multipart upload; S3 has no empty one, so zero chunks abort and put b"".

        S3 assembles the parts itself and offers no SHA-256 of the whole object, so the object is
        read back once to measure it.
        """
        _check_key(key)
        ordered = _in_order(chunks)
        if not ordered:
            self.abort(key, upload_id)
            with self._failures("create the empty object", key):
                self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
            return measure(iter(()))
        if any(not chunk.etag for chunk in ordered):
            raise ValueError("every chunk needs the ETag its upload returned")
        parts = [{"ETag": chunk.etag, "PartNumber": chunk.index + 1} for chunk in ordered]
        with self._failures("complete the upload of", key):
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        return measure(self.read(key))

    def abort(self, key: str, upload_id: str) -> None:
        """Abort the multipart upload, which deletes its parts; an unknown upload is already gone."""
        _check_key(key)
        with self._failures("abort the upload of", key, ignored=("NoSuchUpload",)):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def size(self, key: str) -> int:
        """The object's ContentLength, from a HEAD request."""
        _check_key(key)
        with self._failures("read the size of", key, missing=_MISSING_OBJECT):
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        return int(response["ContentLength"])

    def read(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """GET the range now (so a missing object fails before any response starts) and stream the body."""
        _check_key(key)
        _check_range(start, stop)
        if stop is not None and start == stop:
            self.size(key)  # an empty range of a missing object is still a missing object
            return iter(())
        arguments = {"Bucket": self.bucket, "Key": key}
        if start or stop is not None:
            arguments["Range"] = f"bytes={start}-{'' if stop is None else stop - 1}"
        response = None
        # InvalidRange: the range starts at or past the end of an existing object, so it is empty.
        with self._failures("read", key, missing=_MISSING_OBJECT, ignored=("InvalidRange",)):
            response = self.client.get_object(**arguments)
        if response is None:
            return iter(())
        return self._body_blocks(response["Body"], key)

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers a delete of an absent key with success too)."""
        _check_key(key)
        with self._failures("delete", key, ignored=("NoSuchKey",)):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def _body_blocks(self, body: Any, key: str) -> Iterator[bytes]:
        from botocore.exceptions import BotoCoreError

        try:
            yield from body.iter_chunks(BLOCK_SIZE)
        except BotoCoreError as exc:
            raise StorageError(f"S3 could not read s3://{self.bucket}/{key}: {exc}") from exc
        finally:
            body.close()

    @contextlib.contextmanager
    def _failures(
        self, action: str, key: str, *, missing: Collection[str] = (), ignored: Collection[str] = ()
    ) -> Iterator[None]:
        """Turn botocore's errors into KeyError (codes in `missing`), nothing (`ignored`) or StorageError."""
        from botocore.exceptions import BotoCoreError
        from botocore.exceptions import ClientError

        try:
            yield
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ignored:
                return
            if code in missing:
                raise KeyError(key) from exc
            raise StorageError(f"S3 could not {action} s3://{self.bucket}/{key}: {exc}") from exc
        except BotoCoreError as exc:
            # botocore's messages name endpoints and operations, never credentials.
            raise StorageError(f"S3 could not {action} s3://{self.bucket}/{key}: {exc}") from exc


def storage_from_settings(settings: Mapping[str, Any], instance_path: Path) -> Storage:
    """The storage the EVIDENCE_* settings choose: a folder in the instance by default."""
    backend = settings.get("EVIDENCE_STORAGE") or "local"
    if backend == "local":
        return LocalStorage(Path(settings.get("EVIDENCE_FOLDER") or Path(instance_path) / "evidence"))
    if backend == "s3":
        bucket = settings.get("EVIDENCE_S3_BUCKET")
        if not bucket:
            raise ValueError("BROKER_EVIDENCE_S3_BUCKET must name the bucket when BROKER_EVIDENCE_STORAGE=s3")
        return S3Storage.connect(
            str(bucket),
            endpoint_url=settings.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            region=settings.get("EVIDENCE_S3_REGION") or None,
        )
    raise ValueError(f"BROKER_EVIDENCE_STORAGE must be 'local' or 's3', not {backend!r}")


def _check_key(key: str) -> list[str]:
    """The key's segments; ValueError for a key that could leave the storage root or alias another.

    Refused: empty, absolute, empty/"."/".." segments, backslashes, colons (Windows drives) and NUL.
    """
    segments = key.split("/")
    if any(char in key for char in "\\:\0") or any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(f"invalid storage key {key!r}")
    return segments


def _check_chunk(index: int, length: int, sha256: str) -> str:
    """The expected SHA-256 in lowercase; ValueError for a negative index or length or a malformed hash."""
    if index < 0:
        raise ValueError(f"chunk index {index} is negative")
    if length < 0:
        raise ValueError(f"chunk {index}: length {length} is negative")
    expected = sha256.lower()
    if not _SHA256.fullmatch(expected):
        raise ValueError(f"chunk {index}: {sha256!r} is not a hex SHA-256")
    return expected


def _check_range(start: int, stop: int | None) -> None:
    if start < 0 or (stop is not None and stop < start):
        raise ValueError(f"invalid byte range [{start}, {stop})")


def _in_order(chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
    """The chunks by index; ValueError unless they are exactly 0..n-1, which `complete` needs."""
    ordered = sorted(chunks, key=lambda chunk: chunk.index)
    if [chunk.index for chunk in ordered] != list(range(len(ordered))):
        raise ValueError(f"complete needs chunks 0..{len(ordered) - 1}, each exactly once")
    return ordered


def _file_blocks(file: BinaryIO, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of an open file in blocks of at most 1 MiB; closes the file at the end."""
    with file:
        file.seek(start)
        left = stop - start
        while left > 0:
            block = file.read(min(left, BLOCK_SIZE))
            if not block:
                return
            left -= len(block)
            yield block


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable: on POSIX the new directory entry is safe only once its folder is synced."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _os_failures(action: str) -> Iterator[None]:
    """Report the OS's errors as StorageError; FileNotFoundError etc. are handled before, where they matter."""
    try:
        yield
    except OSError as exc:
        raise StorageError(f"local storage could not {action}: {exc}") from exc
