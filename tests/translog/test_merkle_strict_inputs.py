"""The verifiers' input checks beyond the RFC loops: each is a ProofError, never a root mismatch."""

import re
from collections.abc import Callable

import pytest

from broker.translog import ProofError
from broker.translog import RootMismatchError
from broker.translog import consistency_proof
from broker.translog import inclusion_proof
from broker.translog import leaf_hash
from broker.translog import root_hash
from broker.translog import verify_consistency
from broker.translog import verify_inclusion

LEAVES = [leaf_hash(bytes([i])) for i in range(7)]
ROOT = root_hash(LEAVES)


def _refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ProofError, match=re.escape(message)) as raised:
        call()
    assert not isinstance(raised.value, RootMismatchError)


def test_a_proof_hash_of_the_wrong_size_is_malformed_even_at_the_right_length() -> None:
    proof = inclusion_proof(LEAVES, 2)
    proof[1] = proof[1][:31]
    _refused(lambda: verify_inclusion(LEAVES[2], 2, 7, proof, ROOT), "proof hash is 31 bytes, want 32")
    proof = consistency_proof(LEAVES, 3)
    proof[0] += b"\x00"
    _refused(
        lambda: verify_consistency(3, 7, root_hash(LEAVES[:3]), ROOT, proof),
        "proof hash is 33 bytes, want 32",
    )


def test_a_leaf_hash_of_the_wrong_size_is_malformed() -> None:
    _refused(
        lambda: verify_inclusion(LEAVES[2][:16], 2, 7, inclusion_proof(LEAVES, 2), ROOT), "leaf hash is 16"
    )


def test_equal_sizes_need_an_empty_proof_and_equal_roots() -> None:
    _refused(
        lambda: verify_consistency(7, 7, ROOT, ROOT, [ROOT]),
        "the sizes are equal, so the proof must be empty",
    )
    verify_consistency(7, 7, ROOT, ROOT, [])
    with pytest.raises(RootMismatchError) as raised:
        verify_consistency(7, 7, ROOT, LEAVES[0], [])
    assert (raised.value.expected, raised.value.computed) == (LEAVES[0], ROOT)


def test_a_consistency_proof_from_the_empty_tree_is_meaningless() -> None:
    _refused(lambda: verify_consistency(0, 0, ROOT, ROOT, []), "old size 0 is not positive")
