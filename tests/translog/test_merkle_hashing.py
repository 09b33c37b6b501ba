"""Hashing and tree heads against transparency-dev/merkle's known answers and reference tree."""

import json
from pathlib import Path
from typing import Any

import pytest

from broker.translog import EMPTY_ROOT
from broker.translog import MemoryStore
from broker.translog import ProofError
from broker.translog import leaf_hash
from broker.translog import node_hash
from broker.translog import root_hash
from broker.translog import subtrees_to_store


def _leaf_hashes(tree: dict[str, Any]) -> list[bytes]:
    return [leaf_hash(bytes.fromhex(data)) for data in tree["leaf_inputs_hex"]]


def test_hasher_known_answers(vectors_dir: Path) -> None:
    cases = json.loads((vectors_dir / "rfc6962-merkle" / "hasher.json").read_text(encoding="utf-8"))["cases"]
    results = {
        "empty_root": lambda case: EMPTY_ROOT,
        "hash_leaf": lambda case: leaf_hash(bytes.fromhex(case["leaf_hex"])),
        "hash_children": lambda case: node_hash(
            bytes.fromhex(case["left_hex"]), bytes.fromhex(case["right_hex"])
        ),
    }
    assert [results[case["op"]](case).hex() for case in cases] == [case["want"] for case in cases]


def test_leaf_hashes_are_the_level_zero_nodes(tree: dict[str, Any]) -> None:
    assert [h.hex() for h in _leaf_hashes(tree)] == tree["node_hashes_by_level"][0]


@pytest.mark.parametrize("size", range(9))
def test_root_hash_of_every_prefix(tree: dict[str, Any], size: int) -> None:
    assert root_hash(_leaf_hashes(tree)[:size]).hex() == tree["root_hashes_by_tree_size"][size]


def test_subtrees_stored_while_appending_are_the_reference_node_hashes(tree: dict[str, Any]) -> None:
    store = MemoryStore()
    written: dict[int, dict[int, str]] = {}
    for size, leaf in enumerate(_leaf_hashes(tree)):
        entries = subtrees_to_store(size, leaf, store)
        store.put(entries)
        for level, index, hash_ in entries:
            written.setdefault(level, {})[index] = hash_.hex()
    by_level = [[nodes[i] for i in sorted(nodes)] for _, nodes in sorted(written.items())]
    assert by_level == tree["node_hashes_by_level"]


def test_root_hash_of_each_perfect_subtree_is_its_node_hash(tree: dict[str, Any]) -> None:
    leaves = _leaf_hashes(tree)
    for level, nodes in enumerate(tree["node_hashes_by_level"]):
        width = 1 << level
        assert [root_hash(leaves[i * width : (i + 1) * width]).hex() for i in range(len(nodes))] == nodes


def test_root_hash_refuses_a_leaf_hash_of_the_wrong_size(tree: dict[str, Any]) -> None:
    with pytest.raises(ProofError, match="leaf hash is 31 bytes"):
        root_hash([*_leaf_hashes(tree)[:2], b"\x00" * 31])
