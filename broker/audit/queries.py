"""Reading the log: entries, tree heads and proofs, each checked against the log's real size."""

import uuid
from collections.abc import Callable
from collections.abc import Iterable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker import translog
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditPending
from broker.audit.models import AuditSubtree

HEAD_ID = 1
T = TypeVar("T")
# The subtree table and its `index` column (a reserved word, quoted the same way by both databases).
_SUBTREES = AuditSubtree.__tablename__
_INDEX = '"index"'


class SqlSubtreeStore:
    """The stored subtree hashes, read through the caller's session."""

    def __init__(self, session: orm.Session) -> None:
        self.session = session

    def get(self, level: int, index: int) -> bytes:
        stored = self.session.get(AuditSubtree, (level, index))
        if stored is None:
            raise LookupError(f"no stored subtree at level {level}, index {index}")
        return stored.hash


def subtree_hashes(session: orm.Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the given (level, index) subtrees, in one query.

    Written as `level = L AND index IN (…)` per level rather than a row-value IN, which SQLite
    answers by scanning the whole table; both databases then probe the primary key. The statement
    is plain SQL text with the positions inlined (they are integers the caller computed): a proof
    asks for a different set every time, so SQLAlchemy's statement cache never hit, and building
    and compiling the expression took most of a proof's 3 ms.
    """
    by_level: dict[int, set[int]] = {}
    for level, index in keys:
        by_level.setdefault(int(level), set()).add(int(index))
    if not by_level:
        return {}
    condition = " OR ".join(
        f"(level = {level} AND {_INDEX} IN ({','.join(map(str, sorted(indexes)))}))"
        for level, indexes in sorted(by_level.items())
    )
    statement = f"SELECT level, {_INDEX}, hash FROM {_SUBTREES} WHERE {condition}"  # noqa: S608 - int() above
    rows = session.execute(sa.text(statement))
    return {(level, index): hash_ for level, index, hash_ in rows}


class PrefetchedStore:
    """A SubtreeStore over hashes fetched up front, falling back to one query per miss."""

    def __init__(self, session: orm.Session, hashes: dict[tuple[int, int], bytes]) -> None:
        self.fallback = SqlSubtreeStore(session)
        self.hashes = hashes

    def get(self, level: int, index: int) -> bytes:
        found = self.hashes.get((level, index))
        return found if found is not None else self.fallback.get(level, index)


class _Recorder:
    """A SubtreeStore that only notes which subtrees an algorithm reads (the reads do not depend on hashes)."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    def get(self, level: int, index: int) -> bytes:
        self.keys.append((level, index))
        return bytes(32)


def _with_one_query(session: orm.Session, walk: Callable[[translog.SubtreeStore], T]) -> T:
    """Run a proof or root computation over the stored subtrees, fetching all it reads in one query.

    The subtrees a walk reads depend only on the sizes and indexes it is given, so a first walk over
    a recorder lists them, one query fetches them, and the second walk computes over what came back.
    """
    recorder = _Recorder()
    walk(recorder)
    return walk(PrefetchedStore(session, subtree_hashes(session, recorder.keys)))


def frontier(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees that make up a tree of `size` leaves: all that appending to it reads."""
    return [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1]


def log_size(session: orm.Session) -> int:
    """How many entries the log holds."""
    return session.scalar(sa.select(AuditLogHead.size).where(AuditLogHead.id == HEAD_ID)) or 0


def checkpoints() -> sa.Select[AuditCheckpoint]:
    """Every signed checkpoint, newest first."""
    return sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())


def latest_checkpoint(session: orm.Session) -> AuditCheckpoint | None:
    """The most recent signed checkpoint."""
    return session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def entries(session: orm.Session, start: int, limit: int) -> list[AuditEntry]:
    """Entries [start, start + limit) in log order."""
    return list(
        session.scalars(
            sa.select(AuditEntry).where(AuditEntry.index >= start).order_by(AuditEntry.index).limit(limit)
        )
    )


def entry(session: orm.Session, index: int) -> AuditEntry:
    """One entry, or invalid-range if the log has no such index."""
    current = log_size(session)
    # Checked against the size first: an index beyond BIGINT must not reach the database.
    found = session.get(AuditEntry, index) if 0 <= index < current else None
    if found is None:
        raise problems.InvalidRange(f"the log has {current} entries; there is no index {index}")
    return found


def entries_about(session: orm.Session, object_type: str, object_id: uuid.UUID | str) -> list[AuditEntry]:
    """Every entry about one object (an order's timeline), in log order."""
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.index)
        )
    )


def pending_about(session: orm.Session, object_type: str, object_id: uuid.UUID | str) -> list[AuditPending]:
    """Entries about one object that are recorded but not yet integrated, in the order they will be."""
    return list(
        session.scalars(
            sa.select(AuditPending)
            .where(AuditPending.object_type == object_type, AuditPending.object_id == str(object_id))
            .order_by(AuditPending.sequence)
        )
    )


def pending_count(session: orm.Session) -> int:
    """How many recorded entries wait for integration."""
    return session.scalar(sa.select(sa.func.count()).select_from(AuditPending)) or 0


def inclusion_proof(session: orm.Session, index: int, size: int) -> list[bytes]:
    """The proof that entry `index` is in the tree of the first `size` entries."""
    current = log_size(session)
    if not 0 < size <= current:
        raise problems.InvalidRange(f"tree size must be between 1 and the log's size {current}, not {size}")
    if not 0 <= index < size:
        raise problems.InvalidRange(f"index {index} is not in a tree of size {size}")
    return _with_one_query(session, lambda store: translog.inclusion_proof_from_store(index, size, store))


def consistency_proof(session: orm.Session, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `new_size` entries extends the tree of `old_size`."""
    current = log_size(session)
    if not 0 < new_size <= current:
        raise problems.InvalidRange(
            f"new size must be between 1 and the log's size {current}, not {new_size}"
        )
    if not 0 < old_size <= new_size:
        raise problems.InvalidRange(f"old size must be between 1 and the new size {new_size}, not {old_size}")
    return _with_one_query(
        session, lambda store: translog.consistency_proof_from_store(old_size, new_size, store)
    )


def root(session: orm.Session, size: int) -> bytes:
    """The root of the tree of the first `size` entries."""
    return _with_one_query(session, lambda store: translog.root_from_store(size, store))
