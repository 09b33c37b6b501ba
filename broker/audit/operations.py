"""The log's write side: appending entries in the event's own transaction, and signing checkpoints.

Sequencing and integration happen together: the single-row head is incremented with
UPDATE … RETURNING (which serialises concurrent appenders on PostgreSQL and SQLite alike), the entry
is stored as the exact canonical JSON that is hashed, and the subtree hashes the new leaf completes
are written, so a proof can be served at once from O(log n) stored hashes.
"""

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker import translog
from broker.access import Actor
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditSubtree
from broker.audit.queries import HEAD_ID
from broker.audit.queries import SqlSubtreeStore
from broker.audit.queries import latest_checkpoint
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.clock import to_rfc3339


def record(
    session: orm.Session,
    clock: Clock,
    *,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    actor: Actor | None,
    message_sha256: str | None = None,
    details: Mapping[str, Any] | None = None,
    system: str = "operator",
) -> AuditEntry:
    """Append one event; `actor` None means the broker itself: the operator's CLI or the worker.

    The entry names who, what, on which object and the hash of the signed message, never the
    content of an order, so the log can be shown to an oversight body as it is.
    """
    index = (
        session.execute(
            sa.update(AuditLogHead)
            .where(AuditLogHead.id == HEAD_ID)
            .values(size=AuditLogHead.size + 1)
            .returning(AuditLogHead.size)
        ).scalar_one()
        - 1
    )
    now = clock()
    document: dict[str, Any] = {
        "index": index,
        "time": to_rfc3339(now),
        "action": action,
        "actor": _actor(actor, system),
        "object": {"type": object_type, "id": str(object_id)},
    }
    if message_sha256 is not None:
        document["message_sha256"] = message_sha256
    if details:
        document["details"] = dict(details)
    leaf = crypto.canonicalize(document)
    leaf_hash = translog.leaf_hash(leaf)
    entry = AuditEntry(
        index=index,
        recorded_at=now,
        action=action,
        organisation_id=actor.organisation_id if actor else None,
        object_type=object_type,
        object_id=str(object_id),
        leaf=leaf.decode("utf-8"),
        leaf_hash=leaf_hash,
    )
    session.add(entry)
    for level, position, hash_ in translog.subtrees_to_store(index, leaf_hash, SqlSubtreeStore(session)):
        session.add(AuditSubtree(level=level, index=position, hash=hash_))
    session.flush()
    return entry


def _actor(actor: Actor | None, system: str) -> dict[str, Any]:
    if actor is None:
        return {"system": system}
    return {
        "organisation": str(actor.organisation_id),
        "user": str(actor.user_id),
        "kind": actor.kind.value,
        "role": actor.role.value,
    }


def sign_checkpoint(session: orm.Session, clock: Clock, signer: LogSigner | None) -> AuditCheckpoint:
    """Sign the log as it is now; if nothing was appended since the last checkpoint, return that one."""
    if signer is None:
        raise problems.SigningUnavailable("this broker has no signing key configured (BROKER_KEY_FILE)")
    # Lock the head so no append slips in between reading the size and the subtrees.
    size = session.execute(
        sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    latest = latest_checkpoint(session)
    if latest is not None and latest.size == size:
        return latest
    root = translog.root_from_store(size, SqlSubtreeStore(session))
    note = translog.sign_checkpoint(
        translog.Checkpoint(signer.origin, size, root), signer.origin, signer.private_key
    )
    checkpoint = AuditCheckpoint(size=size, root_hash=root, note=note.decode("utf-8"), created_at=clock())
    session.add(checkpoint)
    session.flush()
    return checkpoint
