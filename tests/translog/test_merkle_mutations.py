"""Property: a valid proof stops verifying once any part of it, or of the claim it backs, is changed."""

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from broker.translog import ProofError
from broker.translog import consistency_proof
from broker.translog import inclusion_proof
from broker.translog import leaf_hash
from broker.translog import root_hash
from broker.translog import verify_consistency
from broker.translog import verify_inclusion
from tests.budget import examples

MAX_SIZE = 70
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]
ROOTS = [root_hash(LEAVES[:size]) for size in range(MAX_SIZE + 1)]


def _mutated(data: st.DataObject, proof: list[bytes]) -> list[bytes]:
    """`proof` with one bit flipped, or one element dropped, duplicated or inserted."""
    kind = data.draw(st.sampled_from(["flip", "drop", "duplicate", "insert"] if proof else ["insert"]))
    if kind == "insert":
        at = data.draw(st.integers(0, len(proof)))
        return [*proof[:at], data.draw(st.binary(max_size=64)), *proof[at:]]
    at = data.draw(st.integers(0, len(proof) - 1))
    if kind == "drop":
        return proof[:at] + proof[at + 1 :]
    if kind == "duplicate":
        return [*proof[: at + 1], *proof[at:]]
    bit = data.draw(st.integers(0, 255))
    flipped = bytearray(proof[at])
    flipped[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:at], bytes(flipped), *proof[at + 1 :]]


def _honest_consistency(old_size: int, new_size: int) -> list[bytes] | None:
    return consistency_proof(LEAVES[:new_size], old_size) if 0 < old_size <= new_size <= MAX_SIZE else None


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_a_changed_inclusion_proof_is_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE))
    index = data.draw(st.integers(0, size - 1))
    proof = _mutated(data, inclusion_proof(LEAVES[:size], index))
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_an_inclusion_proof_backs_no_other_index_or_size(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE))
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(LEAVES[:size], index)
    claimed_index, claimed_size = (
        data.draw(st.integers(-1, MAX_SIZE + 1)),
        data.draw(st.integers(0, MAX_SIZE)),
    )
    assume((claimed_index, claimed_size) != (index, size))
    # Against the true root of the claimed size, as the proof alone does not bind the size: for index 0
    # the proof for size 5 also hashes to the size-5 root when read as a proof for size 6.
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], claimed_index, claimed_size, proof, ROOTS[claimed_size])


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_a_changed_consistency_proof_is_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE))
    old_size = data.draw(st.integers(1, size))
    proof = _mutated(data, consistency_proof(LEAVES[:size], old_size))
    with pytest.raises(ProofError):
        verify_consistency(old_size, size, ROOTS[old_size], ROOTS[size], proof)


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_a_consistency_proof_backs_no_other_sizes(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE))
    old_size = data.draw(st.integers(1, size))
    proof = consistency_proof(LEAVES[:size], old_size)
    claimed_old, claimed_new = data.draw(st.integers(0, MAX_SIZE)), data.draw(st.integers(0, MAX_SIZE))
    assume((claimed_old, claimed_new) != (old_size, size))
    if _honest_consistency(claimed_old, claimed_new) == proof:
        verify_consistency(claimed_old, claimed_new, ROOTS[claimed_old], ROOTS[claimed_new], proof)
        return
    with pytest.raises(ProofError):
        verify_consistency(claimed_old, claimed_new, ROOTS[claimed_old], ROOTS[claimed_new], proof)


@settings(max_examples=examples(100), deadline=None)
@given(st.data())
def test_a_changed_leaf_is_rejected(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE))
    index = data.draw(st.integers(0, size - 1))
    other = data.draw(st.binary(min_size=32, max_size=32).filter(lambda leaf: leaf != LEAVES[index]))
    with pytest.raises(ProofError):
        verify_inclusion(other, index, size, inclusion_proof(LEAVES[:size], index), ROOTS[size])
