"""Tree heads and proofs from stored perfect-subtree hashes, so serving a proof costs O(log n) reads.

Every node of the RFC 9162 recursion covers leaves [start, start + count) with `start` a multiple of
the power of two that `count` rounds up to; such a range is the concatenation of at most log2(n)
perfect subtrees, one per set bit of `count`, and each is a single stored hash.
"""

from collections.abc import Iterable
from typing import Protocol

from broker.translog._errors import ProofError
from broker.translog._hashing import EMPTY_ROOT
from broker.translog._hashing import node_hash
from broker.translog._hashing import require_hash
from broker.translog._hashing import split_point


class SubtreeStore(Protocol):
    """Read access to the hash of every complete perfect subtree of the log."""

    def get(self, level: int, index: int) -> bytes:
        """The hash of the 2**level leaves starting at leaf index * 2**level."""
        ...


class MemoryStore:
    """A dict-backed SubtreeStore, for tests and for tools that hold a small log in memory."""

    def __init__(self) -> None:
        self._hashes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        return self._hashes[level, index]

    def put(self, entries: Iterable[tuple[int, int, bytes]]) -> None:
        """Record the (level, index, hash) entries that `subtrees_to_store` returned."""
        for level, index, hash_ in entries:
            self._hashes[level, index] = hash_


def subtrees_to_store(size: int, new_leaf_hash: bytes, store: SubtreeStore) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) subtrees that appending leaf number `size` completes, for the caller to write.

    The leaf itself is level 0; each further level closes while the new node is a right child.
    """
    require_hash(new_leaf_hash, "leaf hash")
    if size < 0:
        raise ProofError(f"tree size {size} is negative")
    level, index, hash_ = 0, size, new_leaf_hash
    entries = [(level, index, hash_)]
    while index & 1:
        hash_ = node_hash(store.get(level, index - 1), hash_)
        level, index = level + 1, index >> 1
        entries.append((level, index, hash_))
    return entries


def root_from_store(size: int, store: SubtreeStore) -> bytes:
    """The tree head of the first `size` leaves, from popcount(size) reads."""
    if size < 0:
        raise ProofError(f"tree size {size} is negative")
    return _range_hash(0, size, store) if size else EMPTY_ROOT


def inclusion_proof_from_store(index: int, size: int, store: SubtreeStore) -> list[bytes]:
    """The same proof as `inclusion_proof`, walking RFC 9162 §2.1.3.1 PATH top-down over stored subtrees."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    proof = []
    start, count = 0, size
    while count > 1:
        k = split_point(count)
        if index < start + k:
            proof.append(_range_hash(start + k, count - k, store))
            count = k
        else:
            proof.append(_range_hash(start, k, store))
            start, count = start + k, count - k
    proof.reverse()  # PATH appends the upper siblings last
    return proof


def consistency_proof_from_store(old_size: int, new_size: int, store: SubtreeStore) -> list[bytes]:
    """The same proof as `consistency_proof`, walking RFC 9162 §2.1.4.1 SUBPROOF top-down over the store."""
    if not 0 < old_size <= new_size:
        raise ProofError(f"old size {old_size} is not in 1..{new_size}")
    proof = []
    start, m, count, complete = 0, old_size, new_size, True
    while m != count:
        k = split_point(count)
        if m <= k:
            proof.append(_range_hash(start + k, count - k, store))
            count = k
        else:
            proof.append(_range_hash(start, k, store))
            start, m, count, complete = start + k, m - k, count - k, False
    if not complete:
        proof.append(_range_hash(start, m, store))
    proof.reverse()  # SUBPROOF appends the upper commitments last
    return proof


def _range_hash(start: int, count: int, store: SubtreeStore) -> bytes:
    """MTH of `count` >= 1 leaves from an aligned `start`: the perfect subtrees folded from the right."""
    hashes = []
    for level in reversed(range(count.bit_length())):
        if count >> level & 1:
            hashes.append(store.get(level, start >> level))
            start += 1 << level
    result = hashes.pop()
    while hashes:
        result = node_hash(hashes.pop(), result)
    return result
