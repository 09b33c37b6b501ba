"""Evidence packages through their life: upload, assembly, sealing by the manifest, download, deletion.

Every function here runs inside the caller's (short) transaction and never touches package bytes:
the views stream bytes between the network and the storage outside any transaction, so a slow
upload never holds a database lock. Every step that matters for custody is an audit entry on the
order, so the order's case file shows who uploaded, verified, downloaded and deleted what, when.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.log import record
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.clocks import operations as clocks
from broker.evidence.models import EvidenceChunk
from broker.evidence.models import EvidencePackage
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import StoredChunk
from broker.inbound import VerifiedMessage
from broker.lifecycle import Side
from broker.lifecycle import allowed
from broker.orders.models import Order
from broker.orders.operations import get_order
from broker.parties.models import EncryptionRecipient
from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EvidenceState
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind

# The order states in which the addressee may deliver data: where the lifecycle takes a manifest.
ACCEPTING = frozenset(
    state
    for state in OrderState
    if MessageType.EVIDENCE_MANIFEST in allowed(OrderType.EPOC, state, Side.ADDRESSEE)
)


@dataclass(frozen=True)
class Transfer:
    """What a view needs to move a package's bytes once the transaction is over."""

    package_id: uuid.UUID
    storage_key: str
    upload_id: str | None
    length: int
    sha256: str | None = None
    file_name: str = ""


def start_upload(
    session: orm.Session,
    clock: Clock,
    policy: EvidencePolicy,
    actor: Actor,
    order_id: uuid.UUID,
    body: dict[str, Any],
    begin: Any,
) -> EvidencePackage:
    """The addressee announces a package (name, size, SHA-256); `begin(key)` opens the storage upload."""
    require_kind(actor, [OrganisationKind.PROVIDER], "upload evidence")
    order = get_order(session, actor, order_id)
    _check_accepting(order)
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


def chunk_target(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID, index: int, length: int
) -> Transfer:
    """Where chunk `index` goes, after checking that it fits the declared package exactly."""
    package = _own_upload(session, actor, order_id, package_id)
    if index >= package.chunk_count:
        raise problems.PackageTooLarge(
            f"chunk {index} lies beyond the declared size of {package.declared_size} bytes "
            f"({package.chunk_count} chunks of {package.chunk_size} bytes)"
        )
    expected = package.chunk_length(index)
    if length > expected:
        raise problems.PackageTooLarge(
            f"chunk {index} must be {expected} bytes; {length} bytes would exceed the declared package"
        )
    if length < expected:
        raise problems.ValidationFailed(
            f"chunk {index} must be exactly {expected} bytes, not {length}",
            errors={"Content-Length": [f"must be {expected}"]},
        )
    return Transfer(package.id, package.storage_key, package.upload_id, expected)


def record_chunk(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    package_id: uuid.UUID,
    stored: StoredChunk,
) -> EvidencePackage:
    """A chunk arrived whole and matched its digest: remember it (a re-sent chunk replaces the first)."""
    package = _own_upload(session, actor, order_id, package_id)
    now = clock()
    chunk = session.get(EvidenceChunk, (package.id, stored.index))
    if chunk is None:
        chunk = EvidenceChunk(package_id=package.id, index=stored.index)
        session.add(chunk)
    chunk.size, chunk.sha256, chunk.etag, chunk.received_at = stored.size, stored.sha256, stored.etag, now
    package.updated_at = now
    return package


def received_count(session: orm.Session, package_id: uuid.UUID) -> int:
    """How many distinct chunks of a package have arrived."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(EvidenceChunk)
            .where(EvidenceChunk.package_id == package_id)
        )
        or 0
    )


def completion_target(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> tuple[Transfer, list[StoredChunk]]:
    """Every chunk is there: the package can be assembled. Otherwise say which are missing."""
    package = _own_upload(session, actor, order_id, package_id)
    chunks = session.scalars(
        sa.select(EvidenceChunk).where(EvidenceChunk.package_id == package.id).order_by(EvidenceChunk.index)
    ).all()
    missing = sorted(set(range(package.chunk_count)) - {chunk.index for chunk in chunks})
    if missing:
        shown = ", ".join(str(index) for index in missing[:20]) + (" …" if len(missing) > 20 else "")
        raise problems.PackageIncomplete(
            f"{len(missing)} of {package.chunk_count} chunks have not arrived: {shown}",
            missing=missing[:1000],
        )
    stored = [StoredChunk(chunk.index, chunk.size, chunk.sha256, chunk.etag) for chunk in chunks]
    return Transfer(package.id, package.storage_key, package.upload_id, package.declared_size), stored


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
    package = _own_upload(session, actor, order_id, package_id)
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
    package = _package(session, actor, order_id, package_id, lock=True)
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


def list_packages(session: orm.Session, actor: Actor, order_id: uuid.UUID) -> list[EvidencePackage]:
    """The order's packages this party may know of: the addressee all of its own, others only evidence."""
    order = get_order(session, actor, order_id)
    # Each package shows its received chunks: loaded with the page, not one query per package.
    statement = (
        sa.select(EvidencePackage)
        .options(orm.selectinload(EvidencePackage.chunks))
        .where(EvidencePackage.order_id == order.id)
    )
    if actor.kind is not OrganisationKind.PROVIDER and actor.kind is not OrganisationKind.OVERSIGHT_BODY:
        statement = statement.where(EvidencePackage.sealed_at.is_not(None))
    return list(session.scalars(statement.order_by(EvidencePackage.created_at, EvidencePackage.id)))


def get_package(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> EvidencePackage:
    """One package, if this party may know of it."""
    return _package(session, actor, order_id, package_id)


def authorise_download(
    session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> Transfer:
    """Only the issuing authority, only sealed evidence, only while the order allows it."""
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "download evidence")
    package = _package(session, actor, order_id, package_id)
    order = session.get_one(Order, package.order_id)
    refusal = download_refusal(session, clock(), order, package)
    if refusal is not None:
        raise refusal
    assert package.size is not None and package.sha256 is not None
    return Transfer(package.id, package.storage_key, None, package.size, package.sha256, package.file_name)


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


def download_refusal(
    session: orm.Session, now: datetime, order: Order, package: EvidencePackage
) -> problems.Problem | None:
    """Why this sealed package may not go to the issuing authority now, if it may not."""
    if package.state is EvidenceState.DELETED:
        return problems.EvidenceGone(
            f"package {package.id} was deleted ({package.deletion_reason}) at {to_rfc3339(package.deleted_at)}",
            deleted_at=to_rfc3339(package.deleted_at),
            reason=package.deletion_reason,
        )
    if package.state is not EvidenceState.SEALED:
        return problems.NotFound(f"no evidence package {package.id} on this order")
    if order.state is OrderState.REFUSED or order.deletion_required:
        return problems.EvidenceUnavailable(
            "the data of this order must be deleted or restricted (a refusal, a refused validation or a "
            "withdrawal with that duty); the broker deletes the package"
        )
    held_until = clocks.transfer_held_until(session, order, now)
    if held_until is not None:
        return problems.TransferHeld(
            f"the enforcing authority may object until {to_rfc3339(held_until)} (Art. 12(1)); the evidence "
            "can be downloaded after that, or once it confirms it will not object (Art. 10(2))",
            held_until=to_rfc3339(held_until),
        )
    return None


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
    package = _package(session, actor, order_id, package_id)
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


# The evidence manifest, as a lifecycle message's guard (before it is stored) and after-effect.


def check_manifest(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Every package named exists, was uploaded for this order, and is byte for byte what the manifest says."""
    body = message.body
    errors: dict[str, Any] = {}
    if order.deletion_required:
        raise problems.TransitionNotAllowed(
            "the data of this order must be deleted or restricted; no evidence can be delivered",
            state=order.state.value,
        )
    requested = set(order.certificate.get("data_categories", []))
    extra = sorted(set(body["data_categories"]) - requested)
    if extra:
        errors["data_categories"] = [f"not requested by the certificate: {', '.join(extra)}"]
    asked = order.certificate.get("time_range")
    if asked and not _within(body["time_range"], asked):
        errors["time_range"] = [f"must lie within the requested period {asked['start']} to {asked['end']}"]
    recipient = session.scalar(
        sa.select(EncryptionRecipient).where(
            EncryptionRecipient.organisation_id == order.issuing_authority_id,
            EncryptionRecipient.recipient == body["recipient"],
        )
    )
    if recipient is None or recipient.revoked_at is not None:
        errors["recipient"] = ["not a current encryption recipient of the issuing authority"]
    seen: set[str] = set()
    for position, produced in enumerate(body["files"]):
        problem = _package_problem(session, order, produced["package"], seen)
        if problem:
            errors.setdefault("files", {})[str(position)] = {"package": [problem]}
    if errors:
        raise problems.ValidationFailed(
            "the evidence manifest does not match the order or the uploaded packages", errors={"body": errors}
        )


def seal_packages(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """The manifest is stored: its packages become evidence, downloadable when the order allows."""
    session.flush()  # the manifest row exists before the packages point at it
    for produced in message.body["files"]:
        package = session.get_one(EvidencePackage, uuid.UUID(produced["package"]["id"]))
        package.state, package.sealed_at, package.updated_at = EvidenceState.SEALED, now, now
        package.manifest_message_id = message.id


# Retention: the worker deletes what the broker must no longer hold.


def due_for_deletion(
    session: orm.Session, now: datetime, policy: EvidencePolicy
) -> list[tuple[uuid.UUID, str]]:
    """(package, reason) for every package whose bytes must go now."""
    alive = EvidencePackage.state != EvidenceState.DELETED
    expired = sa.select(EvidencePackage.id, sa.literal("retention_ended")).where(
        alive,
        EvidencePackage.state == EvidenceState.SEALED,
        EvidencePackage.sealed_at <= now - policy.retention,
    )
    abandoned = sa.select(EvidencePackage.id, sa.literal("abandoned")).where(
        alive,
        EvidencePackage.state.in_([EvidenceState.UPLOADING, EvidenceState.UPLOADED]),
        EvidencePackage.updated_at <= now - policy.upload_expiry,
    )
    duty = (
        sa.select(EvidencePackage.id, sa.literal("deletion_required"))
        .join(Order, Order.id == EvidencePackage.order_id)
        .where(alive, sa.or_(Order.deletion_required, Order.state == OrderState.REFUSED))
    )
    found: dict[uuid.UUID, str] = {}
    for statement in (duty, expired, abandoned):
        for package_id, reason in session.execute(statement):
            found.setdefault(package_id, reason)
    return sorted(found.items())


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


# Helpers


def _check_accepting(order: Order) -> None:
    if order.order_type is not OrderType.EPOC:
        raise problems.TransitionNotAllowed(
            "an EPOC-PR asks for preservation, not production: no evidence is uploaded for it",
            state=order.state.value,
        )
    if order.state not in ACCEPTING or order.deletion_required:
        raise problems.TransitionNotAllowed(
            f"no evidence can be uploaded while the order is {order.state.value}"
            + ("; its data must be deleted or restricted" if order.deletion_required else ""),
            state=order.state.value,
        )


def _package(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID, *, lock: bool = False
) -> EvidencePackage:
    """The package if this party may know of it; `lock` holds its row until the transaction ends."""
    order = get_order(session, actor, order_id)
    package = session.get(EvidencePackage, package_id, with_for_update=True if lock else None)
    others_see_only_evidence = actor.kind not in (OrganisationKind.PROVIDER, OrganisationKind.OVERSIGHT_BODY)
    if (
        package is None
        or package.order_id != order.id
        or (others_see_only_evidence and package.sealed_at is None)
    ):
        raise problems.NotFound(f"no evidence package {package_id} on this order")
    return package


def _own_upload(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> EvidencePackage:
    require_kind(actor, [OrganisationKind.PROVIDER], "upload evidence")
    package = _package(session, actor, order_id, package_id, lock=True)
    if package.state is not EvidenceState.UPLOADING:
        raise problems.Conflict(
            f"package {package.id} is {package.state.value}; chunks go only to a package being uploaded",
            state=package.state.value,
        )
    _check_accepting(session.get_one(Order, package.order_id))
    return package


def _package_problem(session: orm.Session, order: Order, named: dict[str, Any], seen: set[str]) -> str | None:
    if named["id"] in seen:
        return "named twice in this manifest"
    seen.add(named["id"])
    # Locked: two manifests naming one package, or the worker deleting it meanwhile, wait for each other.
    package = session.get(EvidencePackage, uuid.UUID(named["id"]), with_for_update=True)
    if package is None or package.order_id != order.id:
        return "no such package uploaded for this order"
    if package.state is not EvidenceState.UPLOADED:
        return f"the package is {package.state.value}; only a completely uploaded, unsealed package can be sealed"
    if (named["size"], named["sha256"]) != (package.size, package.sha256):
        return f"the broker measured {package.size} bytes with SHA-256 {package.sha256}"
    return None


def _within(produced: dict[str, str], asked: dict[str, str]) -> bool:
    start, end = datetime.fromisoformat(produced["start"]), datetime.fromisoformat(produced["end"])
    return datetime.fromisoformat(asked["start"]) <= start and end <= datetime.fromisoformat(asked["end"])


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
