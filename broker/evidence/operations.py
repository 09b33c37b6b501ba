"""The write side of evidence: announcing, chunks, completion, abort, custody entries, sealing, deletion.

Each function runs in its caller's transaction; the bytes themselves move outside any transaction
(broker.api.views.evidence), so these only record what happened to them.
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.operations import record
from broker.clock import Clock
from broker.evidence.models import EvidenceChunk
from broker.evidence.models import EvidencePackage
from broker.evidence.policy import EvidencePolicy
from broker.evidence.queries import Transfer
from broker.evidence.queries import check_accepting
from broker.evidence.queries import find_package
from broker.evidence.queries import own_upload
from broker.evidence.storage import StoredChunk
from broker.orders.inbound import VerifiedMessage
from broker.orders.models import Order
from broker.orders.queries import get_order
from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EvidenceState
from broker.vocabulary import OrganisationKind


def start_upload(
    session: orm.Session,
    clock: Clock,
    policy: EvidencePolicy,
    actor: Actor,
    order_id: uuid.UUID,
    body: dict[str, Any],
    begin: Callable[[str], str | None],
) -> EvidencePackage:
    """The addressee announces a package (name, size, SHA-256); `begin(key)` opens the storage upload."""
    require_kind(actor, [OrganisationKind.PROVIDER], "upload evidence")
    order = get_order(session, actor, order_id)
    check_accepting(order)
    if body["size"] > policy.max_package_size:
        raise problems.PackageTooLarge(
            f"a package may hold at most {policy.max_package_size} bytes here; split the production into "
            "several files",
            max_package_size=policy.max_package_size,
        )
    now = clock()
    package_id = uuid.uuid4()
    key = f"{order.id}/{package_id}.age"
    package = EvidencePackage(
        id=package_id,
        order_id=order.id,
        provider_id=order.provider_id,
        created_by_id=actor.user_id,
        state=EvidenceState.UPLOADING,
        file_name=body["file_name"],
        declared_size=body["size"],
        declared_sha256=body["sha256"],
        chunk_size=policy.chunk_size,
        storage_key=key,
        upload_id=begin(key),
        created_at=now,
        updated_at=now,
    )
    session.add(package)
    _custody(session, clock, actor, order, "evidence.upload_started", package, size=body["size"])
    return package


def record_chunk(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    package_id: uuid.UUID,
    stored: StoredChunk,
) -> EvidencePackage:
    """A chunk arrived whole and matched its digest: remember it (a re-sent chunk replaces the first)."""
    package = own_upload(session, actor, order_id, package_id)
    now = clock()
    chunk = session.get(EvidenceChunk, (package.id, stored.index))
    if chunk is None:
        chunk = EvidenceChunk(package_id=package.id, index=stored.index)
        session.add(chunk)
    chunk.size, chunk.sha256, chunk.etag, chunk.received_at = stored.size, stored.sha256, stored.etag, now
    package.updated_at = now
    return package


def finish_upload(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    package_id: uuid.UUID,
    size: int,
    sha256: str,
) -> EvidencePackage:
    """Record what the broker measured over the assembled bytes.

    A package whose size or SHA-256 differs from the declaration is rejected and deleted (its state
    says so, and the caller removes the bytes): it never becomes evidence.
    """
    package = own_upload(session, actor, order_id, package_id)
    order = session.get_one(Order, package.order_id)
    now = clock()
    package.size, package.sha256, package.upload_id, package.updated_at = size, sha256, None, now
    if (size, sha256) != (package.declared_size, package.declared_sha256):
        _delete(package, now, "digest_mismatch")
        _custody(session, clock, actor, order, "evidence.upload_rejected", package, size=size, sha256=sha256)
    else:
        package.state, package.uploaded_at = EvidenceState.UPLOADED, now
        _custody(session, clock, actor, order, "evidence.uploaded", package, size=size, sha256=sha256)
    return package


def abort_upload(
    session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> Transfer:
    """The addressee gives up a package it has not sealed; the caller removes the bytes."""
    require_kind(actor, [OrganisationKind.PROVIDER], "abort evidence uploads")
    package = find_package(session, actor, order_id, package_id, lock=True)
    if package.state not in (EvidenceState.UPLOADING, EvidenceState.UPLOADED):
        raise problems.Conflict(
            f"package {package.id} is {package.state.value}; only an unsealed upload can be aborted"
        )
    transfer = Transfer(package.id, package.storage_key, package.upload_id, package.declared_size)
    _delete(package, clock(), "aborted")
    _custody(
        session, clock, actor, session.get_one(Order, package.order_id), "evidence.upload_aborted", package
    )
    return transfer


def record_download(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    transfer: Transfer,
    byte_range: tuple[int, int] | None,
) -> None:
    """The custody entry of a download the caller is about to stream: which bytes went to whom."""
    package = session.get_one(EvidencePackage, transfer.package_id)
    details: dict[str, Any] = {"bytes": f"{byte_range[0]}-{byte_range[1] - 1}"} if byte_range else {}
    _custody(
        session, clock, actor, session.get_one(Order, order_id), "evidence.downloaded", package, **details
    )


def report_decryption(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    package_id: uuid.UUID,
    body: dict[str, Any],
) -> EvidencePackage:
    """The issuing authority says whether the package decrypted and every hash matched."""
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "report on evidence")
    package = find_package(session, actor, order_id, package_id)
    if package.sealed_at is None:
        raise problems.NotFound(f"no evidence package {package.id} on this order")
    now = clock()
    package.decryption_outcome = DecryptionOutcome(body["outcome"])
    package.decryption_reported_at = now
    details = {"outcome": body["outcome"]}
    if body.get("detail"):
        details["detail"] = body["detail"]
    _custody(
        session,
        clock,
        actor,
        session.get_one(Order, package.order_id),
        "evidence.decryption_reported",
        package,
        **details,
    )
    return package


def seal_packages(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """The manifest is stored: its packages become evidence, downloadable when the order allows."""
    session.flush()  # the manifest row exists before the packages point at it
    for produced in message.body["files"]:
        package = session.get_one(EvidencePackage, uuid.UUID(produced["package"]["id"]))
        package.state, package.sealed_at, package.updated_at = EvidenceState.SEALED, now, now
        package.manifest_message_id = message.id


def claim_deletion(session: orm.Session, clock: Clock, package_id: uuid.UUID, reason: str) -> Transfer | None:
    """Mark one package deleted and log it; None if another worker got there first."""
    package = session.scalar(
        sa.select(EvidencePackage)
        .where(EvidencePackage.id == package_id, EvidencePackage.state != EvidenceState.DELETED)
        .with_for_update(skip_locked=True)
    )
    if package is None:
        return None
    transfer = Transfer(package.id, package.storage_key, package.upload_id, package.declared_size)
    _delete(package, clock(), reason)
    order = session.get_one(Order, package.order_id)
    _custody(session, clock, None, order, "evidence.deleted", package, reason=reason)
    return transfer


def _delete(package: EvidencePackage, now: datetime, reason: str) -> None:
    package.state, package.deleted_at, package.deletion_reason = EvidenceState.DELETED, now, reason
    package.updated_at = now


def _custody(
    session: orm.Session,
    clock: Clock,
    actor: Actor | None,
    order: Order,
    action: str,
    package: EvidencePackage,
    **details: Any,
) -> None:
    """An entry on the order's log: the package and its numbers, never its name or content."""
    record(
        session,
        clock,
        action=action,
        object_type="order",
        object_id=order.id,
        actor=actor,
        details={"package": str(package.id), **details},
        system="worker",
    )
