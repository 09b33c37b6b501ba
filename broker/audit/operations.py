"""The log's write side: sequencing entries with their change, integrating them, signing checkpoints.

Appending is split as transparency logs split it (Trillian, Tessera): `record` *sequences* an entry
by inserting it into a queue in the transaction of the change it records, so the two commit
together or not at all and no writer waits for another; `integrate` later gives the queued entries
their indexes in queue order, stores each as the exact canonical JSON that is hashed, and writes the
subtree hashes the new leaves complete, in one batch under the single head row's lock. Every front
door integrates right after its own commit (without waiting when another process is integrating),
and the worker integrates every round, so an entry reaches the tree within moments and a signed
checkpoint within the checkpoint interval.

Each integrated entry names its `index` and `previous`: the index of the previous entry about the
same object (null for the first). The chain lets anyone holding an order's case file see that no
entry about the order was left out between its first and its last.
"""

import json
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
from broker.audit.models import AuditPending
from broker.audit.models import AuditSubtree
from broker.audit.queries import HEAD_ID
from broker.audit.queries import SqlSubtreeStore
from broker.audit.queries import latest_checkpoint
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.db import Database

# Entries integrated per transaction: large enough to amortise, small enough to keep the lock short.
BATCH = 5000
# Set on a session whose transaction sequenced an entry, so its front door knows to integrate.
APPENDED = "audit.appended"


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
) -> AuditPending:
    """Sequence one event in the caller's transaction; `actor` None means the operator's CLI or the worker.

    The entry names who, what, on which object and the hash of the signed message, never the
    content of an order, so the log can be shown to an oversight body as it is.
    """
    now = clock()
    document: dict[str, Any] = {
        "time": to_rfc3339(now),
        "action": action,
        "actor": _actor(actor, system),
        "object": {"type": object_type, "id": str(object_id)},
    }
    if message_sha256 is not None:
        document["message_sha256"] = message_sha256
    if details:
        document["details"] = dict(details)
    pending = AuditPending(
        recorded_at=now,
        action=action,
        organisation_id=actor.organisation_id if actor else None,
        object_type=object_type,
        object_id=str(object_id),
        document=crypto.canonicalize(document).decode("utf-8"),
    )
    session.add(pending)
    session.info[APPENDED] = True
    return pending


def integrate(session: orm.Session, *, wait: bool = True, limit: int = BATCH) -> int:
    """Integrate up to `limit` queued entries into the tree; how many were integrated.

    With `wait` False the call returns 0 at once when another transaction holds the head (it is
    integrating, and will take or leave these entries for the next round); SQLite serialises
    writers anyway, so there it always waits.
    """
    size = _lock_head(session, wait)
    if size is None:
        return 0
    queued = session.scalars(sa.select(AuditPending).order_by(AuditPending.sequence).limit(limit)).all()
    if not queued:
        return 0
    previous = _latest_about(session, {(entry.object_type, entry.object_id) for entry in queued})
    store = _BatchStore(session)
    entries, subtrees = [], []
    for pending in queued:
        subject = (pending.object_type, pending.object_id)
        document = json.loads(pending.document)
        document["index"], document["previous"] = size, previous.get(subject)
        leaf = crypto.canonicalize(document)
        leaf_hash = translog.leaf_hash(leaf)
        entries.append(
            {
                "index": size,
                "recorded_at": pending.recorded_at,
                "action": pending.action,
                "organisation_id": pending.organisation_id,
                "object_type": pending.object_type,
                "object_id": pending.object_id,
                "leaf": leaf.decode("utf-8"),
                "leaf_hash": leaf_hash,
            }
        )
        for level, position, hash_ in translog.subtrees_to_store(size, leaf_hash, store):
            store.put(level, position, hash_)
            subtrees.append({"level": level, "index": position, "hash": hash_})
        previous[subject] = size
        size += 1
    session.execute(sa.insert(AuditEntry), entries)
    session.execute(sa.insert(AuditSubtree), subtrees)
    session.execute(
        sa.delete(AuditPending)
        .where(AuditPending.sequence.in_([pending.sequence for pending in queued]))
        .execution_options(synchronize_session=False)
    )
    session.execute(sa.update(AuditLogHead).where(AuditLogHead.id == HEAD_ID).values(size=size))
    for pending in queued:
        session.expunge(pending)  # its row is gone; nothing stale may be flushed later
    return len(queued)


def integrate_all(database: Database, *, wait: bool = True) -> int:
    """Integrate everything queued, batch by batch, each in its own short transaction."""
    total = 0
    while True:
        with database.transaction() as session:
            done = integrate(session, wait=wait)
        total += done
        if done < BATCH:
            return total


def integrate_queued(session: orm.Session) -> None:
    """Integrate everything queued within the caller's transaction (waiting for the head if need be)."""
    while integrate(session) == BATCH:
        pass


def sign_checkpoint(session: orm.Session, clock: Clock, signer: LogSigner | None) -> AuditCheckpoint:
    """Integrate what is queued and sign the log as it is then; nothing new since the last one: that one."""
    if signer is None:
        raise problems.SigningUnavailable("this broker has no signing key configured (BROKER_KEY_FILE)")
    integrate_queued(session)
    # The head is locked by now (integrate locked it): no entry slips in between the size and the subtrees.
    size = _lock_head(session, wait=True) or 0
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


def _lock_head(session: orm.Session, wait: bool) -> int | None:
    """The integrated size, with the head row locked for this transaction; None if busy and not waiting."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite locks the whole database on the first write: take it before reading the queue.
        session.execute(
            sa.update(AuditLogHead).where(AuditLogHead.id == HEAD_ID).values(size=AuditLogHead.size)
        )
        return session.scalar(sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID))
    return session.scalar(
        sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID).with_for_update(skip_locked=not wait)
    )


def _latest_about(session: orm.Session, subjects: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The index of the newest integrated entry about each (object type, id)."""
    found: dict[tuple[str, str], int] = {}
    listed = sorted(subjects)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        rows = session.execute(
            sa.select(AuditEntry.object_type, AuditEntry.object_id, sa.func.max(AuditEntry.index))
            .where(sa.tuple_(AuditEntry.object_type, AuditEntry.object_id).in_(chunk))
            .group_by(AuditEntry.object_type, AuditEntry.object_id)
        )
        found.update({(kind, ident): index for kind, ident, index in rows})
    return found


class _BatchStore:
    """Stored subtrees plus the ones this batch has completed but not written yet."""

    def __init__(self, session: orm.Session) -> None:
        self.stored = SqlSubtreeStore(session)
        self.new: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        found = self.new.get((level, index))
        return found if found is not None else self.stored.get(level, index)

    def put(self, level: int, index: int, hash_: bytes) -> None:
        self.new[level, index] = hash_


def _actor(actor: Actor | None, system: str) -> dict[str, Any]:
    if actor is None:
        return {"system": system}
    return {
        "organisation": str(actor.organisation_id),
        "user": str(actor.user_id),
        "kind": actor.kind.value,
        "role": actor.role.value,
    }
