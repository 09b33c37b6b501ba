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
_HEAD = AuditLogHead.__tablename__
_INDEX = '"index"'
# The largest tree size a database integer holds: a larger one is refused before it reaches SQL.
_LARGEST_SIZE = 2**63 - 1


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
    """The stored hashes of the given (level, index) subtrees, in one query."""
    condition = _subtrees_condition(keys)
    if condition is None:
        return {}
    rows = session.execute(sa.text(_subtrees_select(condition)))
    return {(level, index): hash_ for level, index, hash_ in rows}


def size_and_subtree_hashes(
    session: orm.Session, keys: Iterable[tuple[int, int]]
) -> tuple[int, dict[tuple[int, int], bytes]]:
    """The log's size and the stored hashes of the given subtrees, in one statement.

    The size comes as a row of its own at level -1: a proof is checked against the size and computed
    from the subtrees, and a round trip less is a good part of a proof's time on PostgreSQL.
    """
    size_row = f"SELECT -1 AS level, size AS {_INDEX}, NULL AS hash FROM {_HEAD} WHERE id = {HEAD_ID}"  # noqa: S608
    condition = _subtrees_condition(keys)
    statement = size_row
    if condition is not None:
        statement += f" UNION ALL {_subtrees_select(condition)}"
    size, hashes = 0, {}
    for level, index, hash_ in session.execute(sa.text(statement)):
        if level < 0:
            size = index
        else:
            hashes[(level, index)] = hash_
    return size, hashes


def _subtrees_select(condition: str) -> str:
    return f"SELECT level, {_INDEX}, hash FROM {_SUBTREES} WHERE {condition}"  # noqa: S608 - see below


def _subtrees_condition(keys: Iterable[tuple[int, int]]) -> str | None:
    """`level = L AND index IN (…)` per level, or None for no keys.

    Per level rather than a row-value IN, which SQLite answers by scanning the whole table; both
    databases then probe the primary key. Plain SQL text with the positions inlined (integers the
    caller computed, made sure of by int()): a proof asks for a different set every time, so
    SQLAlchemy's statement cache never hit, and building and compiling the expression took most of
    a proof's 3 ms.
    """
    by_level: dict[int, set[int]] = {}
    for level, index in keys:
        by_level.setdefault(int(level), set()).add(int(index))
    if not by_level:
        return None
    return " OR ".join(
        f"(level = {level} AND {_INDEX} IN ({','.join(map(str, sorted(indexes)))}))"
        for level, indexes in sorted(by_level.items())
    )


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


def _reads(walk: Callable[[translog.SubtreeStore], object]) -> list[tuple[int, int]]:
    """The subtrees a proof or root computation reads, found by walking it over a recorder.

    They depend only on the sizes and indexes the walk is given, not on the hashes, so one query can
    fetch them all before the walk is made again over what came back.
    """
    recorder = _Recorder()
    walk(recorder)
    return recorder.keys


def _with_one_query(session: orm.Session, walk: Callable[[translog.SubtreeStore], T]) -> T:
    """Run a proof or root computation over the stored subtrees, fetching all it reads in one query."""
    return walk(PrefetchedStore(session, subtree_hashes(session, _reads(walk))))


def _proved(
    session: orm.Session,
    size: int,
    walk: Callable[[translog.SubtreeStore], T],
    refusal: Callable[[int], problems.InvalidRange],
) -> T:
    """A walk within a tree of `size` entries, checked against the log's size read by the same statement.

    refusal(size of the log) is raised when the tree would be larger than the log.
    """
    current, hashes = size_and_subtree_hashes(session, _reads(walk))
    if size > current:
        raise refusal(current)
    return walk(PrefetchedStore(session, hashes))


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
    return _within_tree(
        session, index, size, lambda store: translog.inclusion_proof_from_store(index, size, store)
    )


def inclusion_proof_and_root(session: orm.Session, index: int, size: int) -> tuple[list[bytes], bytes]:
    """The inclusion proof and the root it proves against, read by the same one statement (the API gives both)."""
    return _within_tree(
        session,
        index,
        size,
        lambda store: (
            translog.inclusion_proof_from_store(index, size, store),
            translog.root_from_store(size, store),
        ),
    )


def _within_tree(
    session: orm.Session, index: int, size: int, walk: Callable[[translog.SubtreeStore], T]
) -> T:
    """`walk` over the tree of `size` entries, once the size and `index` are checked against the log."""

    def beyond_the_log(current: int) -> problems.InvalidRange:
        return problems.InvalidRange(f"tree size must be between 1 and the log's size {current}, not {size}")

    if not (0 < size <= _LARGEST_SIZE and 0 <= index < size):
        current = log_size(session)
        if not 0 < size <= current:
            raise beyond_the_log(current)
        raise problems.InvalidRange(f"index {index} is not in a tree of size {size}")
    return _proved(session, size, walk, beyond_the_log)


def consistency_proof(session: orm.Session, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `new_size` entries extends the tree of `old_size`."""
    return _between_trees(
        session,
        old_size,
        new_size,
        lambda store: translog.consistency_proof_from_store(old_size, new_size, store),
    )


def consistency_proof_and_roots(
    session: orm.Session, old_size: int, new_size: int
) -> tuple[list[bytes], bytes, bytes]:
    """The consistency proof and the two roots it joins, read by the same one statement (the API gives all three)."""
    return _between_trees(
        session,
        old_size,
        new_size,
        lambda store: (
            translog.consistency_proof_from_store(old_size, new_size, store),
            translog.root_from_store(old_size, store),
            translog.root_from_store(new_size, store),
        ),
    )


def _between_trees(
    session: orm.Session, old_size: int, new_size: int, walk: Callable[[translog.SubtreeStore], T]
) -> T:
    """`walk` over the trees of `old_size` and `new_size` entries, once both are checked against the log."""

    def beyond_the_log(current: int) -> problems.InvalidRange:
        return problems.InvalidRange(
            f"new size must be between 1 and the log's size {current}, not {new_size}"
        )

    if not (0 < new_size <= _LARGEST_SIZE and 0 < old_size <= new_size):
        current = log_size(session)
        if not 0 < new_size <= current:
            raise beyond_the_log(current)
        raise problems.InvalidRange(f"old size must be between 1 and the new size {new_size}, not {old_size}")
    return _proved(session, new_size, walk, beyond_the_log)


def root(session: orm.Session, size: int) -> bytes:
    """The root of the tree of the first `size` entries."""
    return _with_one_query(session, lambda store: translog.root_from_store(size, store))
