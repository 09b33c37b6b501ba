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
from typing import cast

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
from broker.audit.queries import frontier
from broker.audit.queries import latest_checkpoint
from broker.audit.queries import root as root_of
from broker.audit.queries import subtree_hashes
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.db import Database

# Entries integrated per transaction: large enough to amortise, small enough to keep the lock short.
BATCH = 5000
# Up to this many entries, PostgreSQL writes a batch in one statement (`_store`): 8 values an entry,
# 3 a subtree (about two subtrees an entry) and 1 a queue row stay far below the 65,535 parameters a
# statement may bind.
ONE_STATEMENT_ENTRIES = 64
# Set on a session whose transaction sequenced an entry, so its front door knows to integrate.
APPENDED = "audit.appended"
QUEUED = "audit.queued"
# The tables themselves, for the plain SQL statements integration runs.
ENTRIES = cast(sa.Table, AuditEntry.__table__)
PENDING = cast(sa.Table, AuditPending.__table__)
SUBTREES = cast(sa.Table, AuditSubtree.__table__)
HEAD = cast(sa.Table, AuditLogHead.__table__)


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
        # Plain JSON: integration adds the position and canonicalises the entry once, as its leaf.
        document=json.dumps(document, ensure_ascii=False),
    )
    session.add(pending)
    session.info[APPENDED] = True
    session.info.setdefault(QUEUED, []).append(pending)
    return pending


def integrate(session: orm.Session, *, wait: bool = True, limit: int = BATCH) -> int:
    """Integrate up to `limit` queued entries into the tree; how many were integrated.

    With `wait` False the call returns 0 at once when another transaction holds the head (it is
    integrating, and will take or leave these entries for the next round); SQLite serialises
    writers anyway, so there it always waits. Rows are moved with plain SQL statements, not ORM
    objects: this runs at the end of every request that logged something.
    """
    session.flush()  # this transaction's own queued entries are in the table before it is read
    connection = session.connection()
    size = _lock_head(connection, wait)
    if size is None:
        return 0
    queued = connection.execute(queue_with_latest(limit)).all()
    if not queued:
        return 0
    previous: dict[tuple[str, str], int] = {}  # the newest entry about each object in this batch
    store = _BatchStore(session, size)
    entries, subtrees = [], []
    for row in queued:
        subject = (row.object_type, row.object_id)
        document = json.loads(row.document)
        document["index"], document["previous"] = size, previous.get(subject, row.latest)
        leaf = crypto.canonicalize(document)
        leaf_hash = translog.leaf_hash(leaf)
        entries.append(
            {
                "index": size,
                "recorded_at": row.recorded_at,
                "action": row.action,
                "organisation_id": row.organisation_id,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "leaf": leaf.decode("utf-8"),
                "leaf_hash": leaf_hash,
            }
        )
        for level, position, hash_ in translog.subtrees_to_store(size, leaf_hash, store):
            store.put(level, position, hash_)
            subtrees.append({"level": level, "index": position, "hash": hash_})
        previous[subject] = size
        size += 1
    _store(connection, entries, subtrees, [row.sequence for row in queued], size)
    for pending in session.info.pop(QUEUED, []):
        if pending in session:
            session.expunge(pending)  # its row is gone; nothing stale may linger in the session
    return len(queued)


def _store(
    connection: sa.Connection,
    entries: list[dict[str, Any]],
    subtrees: list[dict[str, Any]],
    sequences: list[int],
    size: int,
) -> None:
    """Write an integrated batch: its entries and subtrees in, its queue rows out, the head at `size`.

    On PostgreSQL a batch of a request's size goes as one statement, the first three writes as
    data-modifying WITH queries of the head's UPDATE: one round trip instead of four, at the end of
    every request that logged. A larger batch (the worker's, a backlog) is bound row by row, as is
    every batch on SQLite, whose statements cost no round trip.
    """
    moved = HEAD.update().where(HEAD.c.id == HEAD_ID).values(size=size)
    emptied = PENDING.delete().where(PENDING.c.sequence.in_(sequences))
    if connection.dialect.name == "postgresql" and len(entries) <= ONE_STATEMENT_ENTRIES:
        writes = (ENTRIES.insert().values(entries), SUBTREES.insert().values(subtrees), emptied)
        for position, write in enumerate(writes):
            moved = moved.add_cte(write.cte(f"write_{position}"))
        connection.execute(moved)
        return
    connection.execute(ENTRIES.insert(), entries)
    connection.execute(SUBTREES.insert(), subtrees)
    connection.execute(emptied)
    connection.execute(moved)


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
    size = _lock_head(session.connection(), wait=True) or 0
    latest = latest_checkpoint(session)
    if latest is not None and latest.size == size:
        return latest
    root = root_of(session, size)
    note = translog.sign_checkpoint(
        translog.Checkpoint(signer.origin, size, root), signer.origin, signer.private_key
    )
    checkpoint = AuditCheckpoint(size=size, root_hash=root, note=note.decode("utf-8"), created_at=clock())
    session.add(checkpoint)
    session.flush()
    return checkpoint


def _lock_head(connection: sa.Connection, wait: bool) -> int | None:
    """The integrated size, with the head row locked for this transaction; None if busy and not waiting."""
    if connection.dialect.name == "sqlite":
        # SQLite locks the whole database on the first write: take it before reading the queue.
        size: int | None = connection.scalar(
            HEAD.update().where(HEAD.c.id == HEAD_ID).values(size=HEAD.c.size).returning(HEAD.c.size)
        )
        return size
    return connection.scalar(
        sa.select(HEAD.c.size).where(HEAD.c.id == HEAD_ID).with_for_update(skip_locked=not wait)
    )


def queue_with_latest(limit: int) -> sa.Select[Any]:
    """The first `limit` queued entries, each with the index of the newest integrated entry about its object.

    One statement for both, a correlated `max(index)` per queued entry: equality on the index's two
    leading columns makes each a single backward probe of (object_type, object_id, index) on both
    databases, whatever their statistics say. The plainer `object_id IN (…) GROUP BY object_id` let
    PostgreSQL, with a table grown since its last ANALYZE (or under a generic prepared plan), read
    every entry of the type and filter: 2 s per 500 objects at 200,000 entries.
    """
    latest = (
        sa.select(sa.func.max(ENTRIES.c.index))
        .where(ENTRIES.c.object_type == PENDING.c.object_type, ENTRIES.c.object_id == PENDING.c.object_id)
        .scalar_subquery()
    )
    return (
        sa.select(PENDING.c.sequence, PENDING.c.recorded_at, PENDING.c.organisation_id)
        .add_columns(PENDING.c.action, PENDING.c.object_type, PENDING.c.object_id, PENDING.c.document)
        .add_columns(latest.label("latest"))
        .order_by(PENDING.c.sequence)
        .limit(limit)
    )


class _BatchStore:
    """The tree's frontier, fetched in one query, plus the subtrees this batch completes.

    Appending leaf n reads only subtrees of the tree of n leaves' frontier or ones completed since,
    so nothing else is ever read while the batch is integrated.
    """

    def __init__(self, session: orm.Session, size: int) -> None:
        self.hashes = subtree_hashes(session, frontier(size))

    def get(self, level: int, index: int) -> bytes:
        return self.hashes[level, index]

    def put(self, level: int, index: int, hash_: bytes) -> None:
        self.hashes[level, index] = hash_


def _actor(actor: Actor | None, system: str) -> dict[str, Any]:
    if actor is None:
        return {"system": system}
    return {
        "organisation": str(actor.organisation_id),
        "user": str(actor.user_id),
        "kind": actor.kind.value,
        "role": actor.role.value,
    }
