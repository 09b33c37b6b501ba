"""RFC 9162 tree head and proofs over a list of leaf hashes, written as the RFC's recursive definitions.

They rehash the whole list, so the server uses the subtree-store versions; these stay as the plain
reading of the RFC that the store versions are tested against.
"""

from collections.abc import Sequence

from broker.translog._errors import ProofError
from broker.translog._hashing import EMPTY_ROOT
from broker.translog._hashing import node_hash
from broker.translog._hashing import require_hash
from broker.translog._hashing import split_point


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the log whose entries hash to `leaf_hashes` (RFC 9162 §2.1.1)."""
    _require_leaves(leaf_hashes)
    return _mth(leaf_hashes) if leaf_hashes else EMPTY_ROOT


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` (RFC 9162 §2.1.3.1), lowest sibling first."""
    _require_leaves(leaf_hashes)
    # SPEC: RFC 9162 §2.1.3.1 "the Merkle audit path PATH(m, D_n) for the (m+1)th input d(m), 0 <= m < n"
    if not 0 <= index < len(leaf_hashes):
        raise ProofError(f"leaf index {index} is outside a tree of size {len(leaf_hashes)}")
    return _path(index, leaf_hashes)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the first `old_size` leaves are a prefix of this log (RFC 9162 §2.1.4.1)."""
    _require_leaves(leaf_hashes)
    # SPEC: RFC 9162 §2.1.4.1 "PROOF(m, D_n) for a previous Merkle Tree Hash MTH(D[0:m]), 0 < m < n";
    # m == n is allowed too and gives the empty proof the verifier expects for equal sizes.
    if not 0 < old_size <= len(leaf_hashes):
        raise ProofError(f"old size {old_size} is not in 1..{len(leaf_hashes)}")
    # SPEC: RFC 9162 §2.1.4.1 "PROOF(m, D_n) = SUBPROOF(m, D_n, true)"
    return _subproof(old_size, leaf_hashes, complete=True)


def _require_leaves(leaf_hashes: Sequence[bytes]) -> None:
    for leaf in leaf_hashes:
        require_hash(leaf, "leaf hash")


def _mth(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    # SPEC: RFC 9162 §2.1.3.1 "PATH(0, {d(0)}) = {}"
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    # SPEC: "PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k; and
    # PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k"
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    # SPEC: RFC 9162 §2.1.4.1 "SUBPROOF(m, D[m], true) = {}" and "SUBPROOF(m, D[m], false) = {MTH(D[m])}"
    if m == len(leaves):
        return [] if complete else [_mth(leaves)]
    k = split_point(len(leaves))
    # SPEC: "If m <= k, ... SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])"
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), _mth(leaves[k:])]
    # SPEC: "If m > k, ... SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])"
    return [*_subproof(m - k, leaves[k:], complete=False), _mth(leaves[:k])]
