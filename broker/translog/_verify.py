"""RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification, with transparency-dev/merkle's stricter inputs.

The RFC loops are followed step by step. Running out of proof early or having some left over is a
ProofError (the proof is malformed); a full-length proof that hashes to another root is a
RootMismatchError (the proof contradicts the tree head). Roots are only compared, never parsed.
"""

from collections.abc import Sequence

from broker.translog._errors import ProofError
from broker.translog._errors import RootMismatchError
from broker.translog._hashing import node_hash
from broker.translog._hashing import require_hash


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise unless `proof` shows that leaf `index` of the `size`-leaf tree with head `root` is `leaf_hash`.

    The proof does not bind `size` on its own: take `size` and `root` from one verified checkpoint.
    """
    require_hash(leaf_hash, "leaf hash")
    _require_proof(proof)
    # SPEC: RFC 9162 §2.1.3.2 step 1 "If leaf_index is greater than or equal to tree_size, then fail the
    # proof verification."
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    # SPEC: step 2 "Set fn to leaf_index and sn to tree_size - 1." step 3 "Set r to hash."
    fn, sn, r = index, size - 1, leaf_hash
    # SPEC: step 4 "For each value p in the inclusion_path array:"
    for p in proof:
        # SPEC: 4a "If sn is 0, then stop the iteration and fail the proof verification."
        if sn == 0:
            raise ProofError(
                f"inclusion proof has {len(proof)} hashes, more than a tree of size {size} needs"
            )
        # SPEC: 4b "If LSB(fn) is set, or if fn is equal to sn, then:"
        if fn & 1 or fn == sn:
            r = node_hash(p, r)  # "i. Set r to HASH(0x01 || p || r)."
            # "ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set
            # or fn is 0."
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)  # "Otherwise: i. Set r to HASH(0x01 || r || p)."
        fn, sn = fn >> 1, sn >> 1  # "c. Finally, right-shift both fn and sn one time."
    # SPEC: step 5 "If sn is equal to 0 and r and the root_hash are equal, then the log has proven the
    # inclusion of hash. Otherwise, fail the proof verification."
    if sn != 0:
        raise ProofError(f"inclusion proof has {len(proof)} hashes, fewer than a tree of size {size} needs")
    _require_match(root, r)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise unless `proof` shows the `old_size`-leaf tree with `old_root` is a prefix of the newer one."""
    _require_proof(proof)
    # transparency-dev/merkle: "consistency proof from empty tree is meaningless" (also for equal sizes).
    if old_size < 1:
        raise ProofError(f"old size {old_size} is not positive")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("the sizes are equal, so the proof must be empty")
        _require_match(new_root, old_root)
        return
    # SPEC: RFC 9162 §2.1.4.2 step 1 "If consistency_path is an empty array, stop and fail the proof
    # verification."
    if not proof:
        raise ProofError("the consistency proof is empty")
    # SPEC: step 2 "If first is an exact power of 2, then prepend first_hash to the consistency_path array."
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    # SPEC: step 3 "Set fn to first - 1 and sn to second - 1."
    fn, sn = old_size - 1, new_size - 1
    # SPEC: step 4 "If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set."
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # SPEC: step 5 "Set both fr and sr to the first value in the consistency_path array."
    fr = sr = path[0]
    # SPEC: step 6 "For each subsequent value c in the consistency_path array:"
    for c in path[1:]:
        # SPEC: 6a "If sn is 0, then stop the iteration and fail the proof verification."
        if sn == 0:
            raise ProofError(
                f"consistency proof has {len(proof)} hashes, more than {old_size}->{new_size} needs"
            )
        # SPEC: 6b "If LSB(fn) is set, or if fn is equal to sn, then:"
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)  # "i. Set fr to HASH(0x01 || c || fr)."
            sr = node_hash(c, sr)  # "ii. Set sr to HASH(0x01 || c || sr)."
            # "iii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is
            # set or fn is 0."
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)  # "Otherwise: i. Set sr to HASH(0x01 || sr || c)."
        fn, sn = fn >> 1, sn >> 1  # "c. Finally, right-shift both fn and sn one time."
    # SPEC: step 7 "verify that the fr calculated is equal to the first_hash supplied, that the sr calculated
    # is equal to the second_hash supplied, and that sn is 0."
    if sn != 0:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes, fewer than {old_size}->{new_size} needs"
        )
    _require_match(old_root, fr)
    _require_match(new_root, sr)


def _require_proof(proof: Sequence[bytes]) -> None:
    for element in proof:
        require_hash(element, "proof hash")


def _require_match(expected: bytes, computed: bytes) -> None:
    if computed != expected:
        raise RootMismatchError(expected=expected, computed=computed)
