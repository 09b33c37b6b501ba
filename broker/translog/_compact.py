"""A compact range: the tree head of a log read once from its first entry, in O(log n) memory.

A verifier that reads a log from the start needs its root, not its hashes. After n leaves, the
tree's left part is the perfect subtrees given by the set bits of n (largest first), so a stack of
at most log2(n) + 1 hashes is all there is to keep: appending a leaf merges it with the subtrees it
completes (one per trailing set bit of n), and the root folds the stack from the right, exactly as
RFC 9162 §2.1.1 splits a tree at the largest power of two below its size. transparency-dev/merkle
calls this a compact range (package `compact`).
"""

import hashlib
from collections.abc import Iterable

from broker.translog._hashing import EMPTY_ROOT
from broker.translog._hashing import require_hash

# Hash states that have absorbed the domain separator already: copying one is cheaper than hashing
# the prefix again, and verification hashes every leaf of a log of millions.
_LEAF = hashlib.sha256(b"\x00")
_NODE = hashlib.sha256(b"\x01")


class CompactRange:
    """The perfect subtrees covering leaves [0, size), left to right: append leaves, read the root."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf by its hash (SHA-256(0x00 || entry))."""
        require_hash(leaf_hash, "leaf hash")
        self._push(leaf_hash)

    def append_leaf(self, data: bytes) -> bytes:
        """Add the next leaf by its data; its leaf hash, as `leaf_hash(data)` computes it."""
        # SPEC: RFC 9162 §2.1.1 "MTH({d(0)}) = HASH(0x00 || d(0))."
        state = _LEAF.copy()
        state.update(data)
        hash_ = state.digest()
        self._push(hash_)
        return hash_

    def extend_leaves(self, leaves: Iterable[bytes]) -> list[bytes]:
        """Append several leaves by their data, in order; their leaf hashes.

        The same as `append_leaf` in a loop, written out so that hashing a log of millions pays the
        interpreter's call overhead once per batch rather than three times per leaf.
        """
        stack, size, hashes = self._stack, self.size, []
        leaf_state, node_state = _LEAF.copy, _NODE.copy
        try:
            for data in leaves:
                state = leaf_state()
                state.update(data)
                hash_ = state.digest()
                hashes.append(hash_)
                stack.append(hash_)
                completed = size
                while completed & 1:
                    right = stack.pop()
                    state = node_state()
                    state.update(stack[-1])
                    state.update(right)
                    stack[-1] = state.digest()
                    completed >>= 1
                size += 1
        finally:
            self.size = size  # the leaves appended before anything went wrong stay appended
        return hashes

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append several leaves by their hashes, in order."""
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash)

    def root(self) -> bytes:
        """The Merkle Tree Hash of the leaves appended so far (RFC 9162 §2.1.1)."""
        if not self._stack:
            return EMPTY_ROOT
        # SPEC: RFC 9162 §2.1.1 "MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))": the stack holds
        # MTH(D[0:k]) of each split from the top down, so the root folds it from the smallest subtree.
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = _node(left, result)
        return result

    def copy(self) -> "CompactRange":
        """An independent range with the same leaves, to carry on from without changing this one."""
        other = CompactRange()
        other.size, other._stack = self.size, list(self._stack)
        return other

    def _push(self, hash_: bytes) -> None:
        stack = self._stack
        stack.append(hash_)
        # Leaf number `size` completes one subtree per trailing set bit of `size`: merge them.
        completed = self.size
        while completed & 1:
            right = stack.pop()
            stack[-1] = _node(stack[-1], right)
            completed >>= 1
        self.size += 1


def _node(left: bytes, right: bytes) -> bytes:
    # SPEC: RFC 9162 §2.1.1 "MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))"
    state = _NODE.copy()
    state.update(left)
    state.update(right)
    return state.digest()
