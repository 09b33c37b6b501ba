"""Evidence API: the addressee uploads encrypted packages in chunks, the issuing authority downloads them.

The JSON steps are ordinary one-transaction views. The byte-moving routes (a chunk, assembling a
package, the download) are streaming views (`@endpoint(stream=True)`): they decide in one short
transaction, move the bytes with no transaction open, and record the outcome in another, so the
database is never locked while gigabytes cross the network and the server's memory stays flat
(request.stream in, a generator out).
"""

import base64
import binascii
import logging
import re
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

from flask import Blueprint
from flask import Response
from flask import after_this_request
from flask import request
from flask import stream_with_context
from sqlalchemy import orm
from werkzeug.datastructures import ContentRange
from werkzeug.datastructures import Range
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import parse_range_header

from broker import problems
from broker.access import Actor
from broker.api.endpoint import Call
from broker.api.endpoint import endpoint
from broker.api.endpoint import services
from broker.api.errors import problem_response
from broker.api.schemas import evidence as schemas
from broker.evidence import operations
from broker.evidence import queries
from broker.evidence.models import EvidencePackage
from broker.evidence.storage import ChunkMismatch
from broker.evidence.storage import ChunkTruncated
from broker.evidence.storage import Measured
from broker.evidence.storage import Storage
from broker.evidence.storage import StorageError
from broker.evidence.storage import StoredChunk
from broker.evidence.storage import measure
from broker.vocabulary import EvidenceState

log = logging.getLogger(__name__)

bp = Blueprint("evidence", __name__, url_prefix="/api/v1")

PACKAGE_MEDIA_TYPE = "application/octet-stream"
PACKAGE = "/orders/<uuid:order_id>/evidence/<uuid:package_id>"
# RFC 9530: Content-Digest: sha-256=:<base64 of the 32-byte digest>:
CONTENT_DIGEST = re.compile(r"(?:^|,)\s*sha-256=:([A-Za-z0-9+/]{43}=):\s*(?:,|$)")
UPLOAD_REFUSALS = (problems.NotFound, problems.Forbidden, problems.TransitionNotAllowed, problems.Conflict)


@bp.post("/orders/<uuid:order_id>/evidence")
@endpoint(
    summary="Announce an encrypted evidence package before uploading its chunks (addressee)",
    tag="evidence",
    body=schemas.StartUploadSchema,
    response=schemas.PackageSchema,
    status=201,
    idempotent=True,
    problems=(problems.NotFound, problems.Forbidden, problems.TransitionNotAllowed, problems.PackageTooLarge),
)
def start_upload(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    broker = services()
    package = operations.start_upload(
        session, broker.clock, broker.evidence, actor, order_id, body, broker.storage.begin
    )
    return describe(package)


@bp.get("/orders/<uuid:order_id>/evidence")
@endpoint(
    summary="The order's evidence packages you may know of (the addressee: all of its uploads)",
    tag="evidence",
    response=schemas.PackageListSchema,
    problems=(problems.NotFound,),
)
def list_packages(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> dict[str, Any]:
    return {"items": [describe(package) for package in queries.list_packages(session, actor, order_id)]}


@bp.get(PACKAGE)
@endpoint(
    summary="One evidence package: its state and, while uploading, the chunks received so far",
    tag="evidence",
    response=schemas.PackageSchema,
    problems=(problems.NotFound,),
)
def get_package(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> dict[str, Any]:
    return describe(queries.get_package(session, actor, order_id, package_id))


@bp.delete(PACKAGE)
@endpoint(
    summary="Abort an upload that is not sealed yet; its bytes are deleted (addressee)",
    tag="evidence",
    response=schemas.PackageSchema,
    problems=(problems.NotFound, problems.Forbidden, problems.Conflict),
)
def abort_upload(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> dict[str, Any]:
    transfer = operations.abort_upload(session, services().clock, actor, order_id, package_id)
    _after_commit(lambda: _remove(transfer))
    return describe(queries.get_package(session, actor, order_id, package_id))


@bp.put(PACKAGE + "/chunks/<int:index>")
@endpoint(
    summary="Upload chunk <index> of a package (addressee): exactly chunk_size bytes, the last one the rest, "
    "with Content-Digest: sha-256=:<base64>: (RFC 9530); resend a chunk after a broken connection",
    tag="evidence",
    stream=True,
    raw_body=PACKAGE_MEDIA_TYPE,
    headers=(
        {
            "name": "Content-Digest",
            "required": True,
            "schema": {"type": "string", "pattern": "sha-256=:[A-Za-z0-9+/]{43}=:"},
            "description": "RFC 9530: the chunk's SHA-256, base64",
        },
    ),
    response=schemas.ChunkSchema,
    problems=(
        *UPLOAD_REFUSALS,
        problems.LengthRequired,
        problems.ValidationFailed,
        problems.PackageTooLarge,
        problems.ChunkDigestMismatch,
        problems.IncompleteChunk,
    ),
)
def put_chunk(call: Call, order_id: uuid.UUID, package_id: uuid.UUID, index: int) -> Response:
    """Stream one chunk to storage, hashing it on the way; it counts only if it matches its digest."""
    broker = call.services
    with call.transaction() as session:
        length = _content_length()
        expected = _content_digest()
        target = queries.chunk_target(session, call.actor, order_id, package_id, index, length)
    request.max_content_length = length
    try:
        stored = broker.storage.put_chunk(
            target.storage_key, target.upload_id or "", index, request.stream, length, expected
        )
    except ChunkMismatch as mismatch:
        raise problems.ChunkDigestMismatch(
            f"chunk {index} has SHA-256 {mismatch.actual}, not the {expected} its Content-Digest states; "
            "it was discarded: send it again",
            actual_sha256=mismatch.actual,
        ) from mismatch
    except (ChunkTruncated, ClientDisconnected) as truncated:
        raise problems.IncompleteChunk(
            f"chunk {index} ended before its {length} bytes; it was discarded: send it again"
        ) from truncated
    with call.transaction() as session:
        package = operations.record_chunk(session, broker.clock, call.actor, order_id, package_id, stored)
        body = {
            "index": stored.index,
            "size": stored.size,
            "sha256": stored.sha256,
            "package_id": package.id,
            "chunk_count": package.chunk_count,
            # A count, not the list: a package of thousands of chunks must not answer each with all of them.
            "chunks_received_count": queries.received_count(session, package.id),
        }
        return call.answer(session, body)


@bp.post(PACKAGE + "/complete")
@endpoint(
    summary="Assemble an uploaded package; the broker measures its size and SHA-256 (addressee). It becomes "
    "evidence only when a signed evidence-manifest names it",
    tag="evidence",
    stream=True,
    response=schemas.PackageSchema,
    idempotent=True,
    problems=(*UPLOAD_REFUSALS, problems.PackageIncomplete, problems.PackageDigestMismatch),
)
def complete_upload(call: Call, order_id: uuid.UUID, package_id: uuid.UUID) -> Response:
    """Assemble the chunks, measure the whole package, and compare with what was declared.

    A retry after a lost answer gets the first answer (the decorator replays it): the package is
    assembled once.
    """
    broker = call.services
    with call.transaction() as session:
        target, chunks = queries.completion_target(session, call.actor, order_id, package_id)
    measured = _assemble(broker.storage, target, chunks)
    size, sha256 = measured.size, measured.sha256
    with call.transaction() as session:
        package = operations.finish_upload(
            session, broker.clock, call.actor, order_id, package_id, size, sha256
        )
        declared = (package.declared_size, package.declared_sha256)
        if package.state is not EvidenceState.DELETED:
            return call.answer(session, describe(package))
    _remove(target)
    raise problems.PackageDigestMismatch(
        f"the assembled package is {size} bytes with SHA-256 {sha256}, but {declared[0]} bytes "
        f"with SHA-256 {declared[1]} were declared; it was deleted: upload it again as a new package",
        size=size,
        sha256=sha256,
    )


@bp.get(PACKAGE + "/content")
@endpoint(
    summary="Download a sealed package's ciphertext (issuing authority; not while the enforcing authority may "
    "still object). Supports Range; every download is logged",
    tag="evidence",
    expensive=True,
    stream=True,
    raw_response=PACKAGE_MEDIA_TYPE,
    headers=(
        {
            "name": "Range",
            "required": False,
            "schema": {"type": "string"},
            "description": "One byte range (RFC 9110), e.g. bytes=1048576- to resume",
        },
        {
            "name": "If-Range",
            "required": False,
            "schema": {"type": "string"},
            "description": "The package's ETag: a range is served only for that version, else the whole",
        },
    ),
    problems=(
        problems.NotFound,
        problems.Forbidden,
        problems.TransferHeld,
        problems.EvidenceUnavailable,
        problems.EvidenceGone,
        problems.InvalidByteRange,
    ),
)
def download(call: Call, order_id: uuid.UUID, package_id: uuid.UUID) -> Response:
    """The sealed ciphertext, streamed, whole or as one byte range (RFC 9110 Range, If-Range)."""
    broker = call.services
    with call.transaction() as session:
        transfer = queries.authorise_download(session, broker.clock, call.actor, order_id, package_id)
        assert transfer.sha256 is not None
        etag = f'"{transfer.sha256}"'
        try:
            byte_range = _byte_range(parse_range_header(request.headers.get("Range")), transfer.length, etag)
        except problems.InvalidByteRange as refusal:
            unsatisfiable = problem_response(refusal)
            unsatisfiable.headers["Content-Range"] = f"bytes */{transfer.length}"
            return unsatisfiable
        start, stop = byte_range or (0, transfer.length)
        blocks: Iterator[bytes] = iter(())
        if request.method != "HEAD":  # a HEAD request hands over no bytes
            # Opened first: bytes the storage cannot find (a 500) are not logged as handed over.
            blocks = broker.storage.read(transfer.storage_key, start, stop)
            operations.record_download(session, broker.clock, call.actor, order_id, transfer, byte_range)
    response = Response(
        stream_with_context(_stream(blocks)), status=206 if byte_range else 200, mimetype=PACKAGE_MEDIA_TYPE
    )
    response.headers["Content-Length"] = str(stop - start)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    response.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(transfer.sha256)).decode()}:"
    response.headers["Content-Disposition"] = f'attachment; filename="{transfer.package_id}.age"'
    if byte_range:
        response.headers["Content-Range"] = ContentRange("bytes", start, stop, transfer.length).to_header()
    return response


@bp.post(PACKAGE + "/decryption-report")
@endpoint(
    summary="Report whether the package decrypted and every manifest hash matched (issuing authority)",
    tag="evidence",
    body=schemas.DecryptionReportSchema,
    response=schemas.PackageSchema,
    idempotent=True,
    problems=(problems.NotFound, problems.Forbidden),
)
def report_decryption(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID, body: dict[str, Any]
) -> dict[str, Any]:
    package = operations.report_decryption(session, services().clock, actor, order_id, package_id, body)
    return describe(package)


def describe(package: EvidencePackage) -> dict[str, Any]:
    """The package as the API shows it, with where a resumed upload stands and when it will be deleted."""
    retention = services().evidence.retention
    return {
        **{column: getattr(package, column) for column in DESCRIBED},
        "chunk_count": package.chunk_count,
        "chunks_received": [chunk.index for chunk in package.chunks],
        "retained_until": package.sealed_at + retention
        if package.sealed_at and package.state is EvidenceState.SEALED
        else None,
    }


DESCRIBED = (
    "id",
    "order_id",
    "state",
    "file_name",
    "declared_size",
    "declared_sha256",
    "chunk_size",
    "size",
    "sha256",
    "manifest_message_id",
    "created_at",
    "uploaded_at",
    "sealed_at",
    "deleted_at",
    "deletion_reason",
    "decryption_outcome",
    "decryption_reported_at",
)


def _content_length() -> int:
    if request.content_length is None:
        raise problems.LengthRequired(
            "send the chunk with a Content-Length header (no chunked transfer coding)"
        )
    return request.content_length


def _content_digest() -> str:
    header = request.headers.get("Content-Digest", "")
    match = CONTENT_DIGEST.search(header)
    if match is None:
        raise problems.ValidationFailed(
            "send the chunk's SHA-256 as Content-Digest: sha-256=:<base64>: (RFC 9530)",
            errors={"Content-Digest": ["missing, or without a sha-256 digest"]},
        )
    try:
        return base64.b64decode(match.group(1), validate=True).hex()
    except binascii.Error as error:
        raise problems.ValidationFailed(
            "the Content-Digest is not valid base64", errors={"Content-Digest": ["not base64"]}
        ) from error


def _byte_range(requested: Range | None, size: int, etag: str) -> tuple[int, int] | None:
    """The single range asked for, as [start, stop), or None for the whole package.

    If-Range naming another version (any other ETag, or a date) means the client's partial copy is
    stale: it gets the whole package, as RFC 9110 section 13.1.5 says.
    """
    if requested is None or requested.units != "bytes":
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        return None
    if len(requested.ranges) != 1:
        raise problems.InvalidByteRange("ask for one byte range at a time", size=size)
    start, stop = requested.ranges[0]
    if stop is None:
        # "bytes=500-" to the end, or "bytes=-500", the last 500 bytes: all of them if there are fewer.
        start, stop = (max(size + start, 0) if start < 0 else start), size
    stop = min(stop, size)
    if start >= stop:
        raise problems.InvalidByteRange(f"the range lies outside the package's {size} bytes", size=size)
    return start, stop


def _assemble(storage: Storage, target: queries.Transfer, chunks: list[StoredChunk]) -> Measured:
    """Assemble the chunks into the package's object, unless an earlier attempt already did; measure it.

    The storage drops the chunks once the object exists; if the broker stopped before recording that,
    the client's retry finds no upload to complete but the object in place, which is then measured.
    """
    try:
        return storage.complete(target.storage_key, target.upload_id or "", chunks)
    except StorageError as failure:
        try:
            storage.size(target.storage_key)
        except KeyError:
            raise failure from None
        log.warning("package %s was assembled before; measuring the stored object", target.package_id)
        return measure(storage.read(target.storage_key))


def _stream(blocks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from blocks
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()


def _remove(transfer: queries.Transfer) -> None:
    """Delete a package's bytes after its rows say so; a failure leaves orphan bytes, never lost rows."""
    storage = services().storage
    try:
        if transfer.upload_id:
            storage.abort(transfer.storage_key, transfer.upload_id)
        storage.delete(transfer.storage_key)
    except Exception:
        log.exception("could not remove the bytes of evidence package %s", transfer.package_id)


def _after_commit(action: Callable[[], None]) -> None:
    @after_this_request
    def run(response: Response) -> Response:
        if response.status_code < 400:
            action()
        return response
