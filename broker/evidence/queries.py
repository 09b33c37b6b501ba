"""Finding evidence packages and deciding what may happen to their bytes: uploads, downloads, deletions.

Read only (some reads lock a package row for the step that follows); the changes are in
broker.evidence.operations.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.evidence.models import EvidenceChunk
from broker.evidence.models import EvidencePackage
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import StoredChunk
from broker.lifecycle import Side
from broker.lifecycle import allowed
from broker.orders.deadlines import transfer_held_until
from broker.orders.models import Order
from broker.orders.queries import get_order
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


def check_accepting(order: Order) -> None:
    """Only an EPOC in a state that takes evidence, and without a duty to delete its data, takes uploads."""
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


def find_package(
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


def own_upload(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> EvidencePackage:
    """The addressee's own package being uploaded, locked for this transaction."""
    require_kind(actor, [OrganisationKind.PROVIDER], "upload evidence")
    package = find_package(session, actor, order_id, package_id, lock=True)
    if package.state is not EvidenceState.UPLOADING:
        raise problems.Conflict(
            f"package {package.id} is {package.state.value}; chunks go only to a package being uploaded",
            state=package.state.value,
        )
    check_accepting(session.get_one(Order, package.order_id))
    return package


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
    return find_package(session, actor, order_id, package_id)


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


def chunk_target(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID, index: int, length: int
) -> Transfer:
    """Where chunk `index` goes, after checking that it fits the declared package exactly."""
    package = own_upload(session, actor, order_id, package_id)
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


def completion_target(
    session: orm.Session, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> tuple[Transfer, list[StoredChunk]]:
    """Every chunk is there: the package can be assembled. Otherwise say which are missing."""
    package = own_upload(session, actor, order_id, package_id)
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


def authorise_download(
    session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID, package_id: uuid.UUID
) -> Transfer:
    """Only the issuing authority, only sealed evidence, only while the order allows it."""
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "download evidence")
    package = find_package(session, actor, order_id, package_id)
    order = session.get_one(Order, package.order_id)
    refusal = download_refusal(session, clock(), order, package)
    if refusal is not None:
        raise refusal
    assert package.size is not None and package.sha256 is not None
    return Transfer(package.id, package.storage_key, None, package.size, package.sha256, package.file_name)


def download_refusal(
    session: orm.Session, now: datetime, order: Order, package: EvidencePackage
) -> problems.Problem | None:
    """Why this sealed package may not go to the issuing authority now, if it may not."""
    if package.state is EvidenceState.DELETED:
        assert package.deleted_at is not None
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
    held_until = transfer_held_until(session, order, now)
    if held_until is not None:
        return problems.TransferHeld(
            f"the enforcing authority may object until {to_rfc3339(held_until)} (Art. 12(1)); the evidence "
            "can be downloaded after that, or once it confirms it will not object (Art. 10(2))",
            held_until=to_rfc3339(held_until),
        )
    return None


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
