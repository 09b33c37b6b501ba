"""Proofs from the list functions verify, and the subtree-store functions give the same bytes in O(log n)."""

import math
from collections.abc import Callable

import pytest

from broker.translog import EMPTY_ROOT
from broker.translog import MemoryStore
from broker.translog import ProofError
from broker.translog import consistency_proof
from broker.translog import consistency_proof_from_store
from broker.translog import inclusion_proof
from broker.translog import inclusion_proof_from_store
from broker.translog import leaf_hash
from broker.translog import root_from_store
from broker.translog import root_hash
from broker.translog import subtrees_to_store
from broker.translog import verify_consistency
from broker.translog import verify_inclusion

MAX_SIZE = 64
BIG = 1 << 16


class CountingStore:
    """Counts reads, so the tests measure proof cost in store look-ups rather than time."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.reads = 0

    def get(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.store.get(level, index)


def _leaves(size: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]


def _store_of(leaves: list[bytes]) -> MemoryStore:
    store = MemoryStore()
    for size, leaf in enumerate(leaves):
        store.put(subtrees_to_store(size, leaf, store))
    return store


@pytest.fixture(scope="module")
def big_store() -> MemoryStore:
    return _store_of(_leaves(BIG))


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_generated_proof_verifies(size: int) -> None:
    leaves = _leaves(size)
    root = root_hash(leaves)
    for index in range(size):
        verify_inclusion(leaves[index], index, size, inclusion_proof(leaves, index), root)
    for old_size in range(1, size + 1):
        verify_consistency(
            old_size, size, root_hash(leaves[:old_size]), root, consistency_proof(leaves, old_size)
        )


def test_store_built_leaf_by_leaf_gives_the_same_roots_and_proofs() -> None:
    leaves = _leaves(MAX_SIZE)
    store = MemoryStore()
    assert root_from_store(0, store) == root_hash([]) == EMPTY_ROOT
    for size in range(1, MAX_SIZE + 1):
        store.put(subtrees_to_store(size - 1, leaves[size - 1], store))
        prefix = leaves[:size]
        assert root_from_store(size, store) == root_hash(prefix)
        for index in range(size):
            assert inclusion_proof_from_store(index, size, store) == inclusion_proof(prefix, index)
        for old_size in range(1, size + 1):
            assert consistency_proof_from_store(old_size, size, store) == consistency_proof(prefix, old_size)


def test_a_store_holding_a_larger_tree_still_answers_for_an_older_size() -> None:
    leaves = _leaves(MAX_SIZE)
    store = _store_of(leaves)
    assert [root_from_store(n, store) for n in range(MAX_SIZE + 1)] == [
        root_hash(leaves[:n]) for n in range(MAX_SIZE + 1)
    ]
    assert inclusion_proof_from_store(4, 13, store) == inclusion_proof(leaves[:13], 4)


def _reads(store: MemoryStore, call: Callable[..., object], *args: int) -> int:
    counting = CountingStore(store)
    call(*args, counting)
    return counting.reads


@pytest.mark.parametrize("size", [BIG, BIG - 1, 40_961, 3])
def test_proofs_from_the_store_take_logarithmic_reads(big_store: MemoryStore, size: int) -> None:
    bound = 2 * math.ceil(math.log2(size)) + 2
    indexes = {0, 1, size // 2, size - 2, size - 1}
    assert max(_reads(big_store, inclusion_proof_from_store, i, size) for i in indexes) <= bound
    assert max(_reads(big_store, consistency_proof_from_store, i + 1, size) for i in indexes) <= bound
    assert _reads(big_store, root_from_store, size) <= bound


def test_proofs_from_a_big_store_verify(big_store: MemoryStore) -> None:
    size, old_size, index = BIG - 3, 40_961, 12_345
    root = root_from_store(size, big_store)
    proof = inclusion_proof_from_store(index, size, big_store)
    verify_inclusion(leaf_hash(index.to_bytes(4, "big")), index, size, proof, root)
    proof = consistency_proof_from_store(old_size, size, big_store)
    verify_consistency(old_size, size, root_from_store(old_size, big_store), root, proof)


def test_appending_reads_only_the_left_siblings_it_closes() -> None:
    store = _store_of(_leaves(BIG - 1))
    counting = CountingStore(store)
    entries = subtrees_to_store(BIG - 1, leaf_hash(b"last"), counting)
    assert (counting.reads, [level for level, _, _ in entries]) == (16, list(range(17)))
    assert entries[-1][:2] == (16, 0)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        pytest.param(inclusion_proof, (_leaves(3), 3), id="index-past-the-end"),
        pytest.param(inclusion_proof, (_leaves(3), -1), id="negative-index"),
        pytest.param(consistency_proof, (_leaves(3), 0), id="consistency-from-empty"),
        pytest.param(consistency_proof, (_leaves(3), 4), id="old-size-past-the-end"),
        pytest.param(inclusion_proof_from_store, (3, 3, MemoryStore()), id="store-index-past-the-end"),
        pytest.param(consistency_proof_from_store, (0, 3, MemoryStore()), id="store-consistency-from-empty"),
        pytest.param(consistency_proof_from_store, (4, 3, MemoryStore()), id="store-old-size-too-big"),
        pytest.param(root_from_store, (-1, MemoryStore()), id="negative-size"),
        pytest.param(subtrees_to_store, (-1, leaf_hash(b""), MemoryStore()), id="append-at-negative-size"),
        pytest.param(subtrees_to_store, (0, b"short", MemoryStore()), id="append-a-short-hash"),
    ],
)
def test_out_of_range_arguments_are_proof_errors(
    call: Callable[..., object], args: tuple[object, ...]
) -> None:
    with pytest.raises(ProofError):
        call(*args)
