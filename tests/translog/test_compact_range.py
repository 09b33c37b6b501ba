"""The compact range gives the published roots of the RFC 6962 test tree, and RFC 9162's root at every size."""

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker.translog import EMPTY_ROOT
from broker.translog import CompactRange
from broker.translog import ProofError
from broker.translog import leaf_hash
from broker.translog import root_hash


def test_every_prefix_of_the_reference_tree_has_the_published_root(tree: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(data) for data in tree["leaf_inputs_hex"]]
    compact = CompactRange()
    assert compact.root() == bytes.fromhex(tree["root_hashes_by_tree_size"][0]) == EMPTY_ROOT
    for size, data in enumerate(leaves, start=1):
        assert compact.append_leaf(data) == bytes.fromhex(tree["node_hashes_by_level"][0][size - 1])
        assert compact.size == size
        assert compact.root() == bytes.fromhex(tree["root_hashes_by_tree_size"][size])


def test_appending_by_hash_and_by_data_agree(tree: dict[str, Any]) -> None:
    by_data, by_hash = CompactRange(), CompactRange()
    for data in tree["leaf_inputs_hex"]:
        by_data.append_leaf(bytes.fromhex(data))
        by_hash.append(leaf_hash(bytes.fromhex(data)))
    assert by_data.root() == by_hash.root() == bytes.fromhex(tree["node_hashes_by_level"][3][0])


@pytest.mark.parametrize("size", [*range(1, 70), 127, 128, 129, 1000, 1024, 1025])
def test_the_root_equals_rfc_9162s_recursive_definition(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    compact = CompactRange()
    compact.extend(leaves)
    assert compact.root() == root_hash(leaves)


@given(st.lists(st.binary(max_size=40), max_size=300), st.integers(min_value=0, max_value=300))
def test_a_copy_carries_on_without_changing_the_original(data: list[bytes], split: int) -> None:
    split = min(split, len(data))
    first = CompactRange()
    for item in data[:split]:
        first.append_leaf(item)
    before = first.root()
    carried = first.copy()
    for item in data[split:]:
        carried.append_leaf(item)
    assert first.root() == before == root_hash([leaf_hash(item) for item in data[:split]])
    assert carried.root() == root_hash([leaf_hash(item) for item in data])
    assert carried.size == len(data)


def test_memory_stays_logarithmic() -> None:
    compact = CompactRange()
    for i in range(5000):
        compact.append_leaf(i.to_bytes(4, "big"))
        assert len(compact._stack) == (i + 1).bit_count()  # one hash per perfect subtree of the frontier


def test_a_leaf_hash_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ProofError, match="leaf hash is 31 bytes, want 32"):
        CompactRange().append(hashlib.sha256(b"").digest()[:31])
