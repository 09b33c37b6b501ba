"""Every inclusion and consistency probe from transparency-dev/merkle's testdata, with the error type."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from broker.translog import HASH_SIZE
from broker.translog import ProofError
from broker.translog import RootMismatchError
from broker.translog import consistency_proof
from broker.translog import inclusion_proof
from broker.translog import leaf_hash
from broker.translog import verify_consistency
from broker.translog import verify_inclusion


def _load(path: Path) -> dict[str, Any]:
    probe = json.loads(path.read_text(encoding="utf-8"))
    probe["proof"] = [base64.b64decode(h) for h in probe["proof"] or []]
    return probe


def _some_leaves(size: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]


def _hashes_ok(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def test_all_196_probes_are_found(vectors_dir: Path) -> None:
    assert len(list((vectors_dir / "rfc6962-merkle").glob("*/**/*.json"))) == 196


def test_a_root_mismatch_is_a_proof_error_is_a_value_error() -> None:
    assert issubclass(RootMismatchError, ProofError)
    assert issubclass(ProofError, ValueError)


def test_inclusion_probe(inclusion_probe: Path) -> None:
    probe = _load(inclusion_probe)
    leaf, index, size, proof = (
        base64.b64decode(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        probe["proof"],
    )
    root = base64.b64decode(probe["root"])
    if not probe["wantErr"]:
        verify_inclusion(leaf, index, size, proof, root)
        return
    # A root mismatch is the verdict exactly when nothing about the inputs is malformed.
    well_formed = (
        _hashes_ok(leaf, *proof)
        and 0 <= index < size
        and len(proof) == len(inclusion_proof(_some_leaves(size), index))
    )
    with pytest.raises(ProofError) as raised:
        verify_inclusion(leaf, index, size, proof, root)
    assert isinstance(raised.value, RootMismatchError) == well_formed


def test_consistency_probe(consistency_probe: Path) -> None:
    probe = _load(consistency_probe)
    size1, size2, proof = probe["size1"], probe["size2"], probe["proof"]
    root1, root2 = base64.b64decode(probe["root1"]), base64.b64decode(probe["root2"])
    if not probe["wantErr"]:
        verify_consistency(size1, size2, root1, root2, proof)
        return
    well_formed = (
        _hashes_ok(*proof)
        and 0 < size1 <= size2
        and len(proof) == len(consistency_proof(_some_leaves(size2), size1))
    )
    with pytest.raises(ProofError) as raised:
        verify_consistency(size1, size2, root1, root2, proof)
    assert isinstance(raised.value, RootMismatchError) == well_formed


@pytest.mark.parametrize("group", ["0", "1", "2", "3", "4"])
def test_generated_proofs_equal_the_happy_path_proofs(
    vectors_dir: Path, tree: dict[str, Any], group: str
) -> None:
    leaves = [leaf_hash(bytes.fromhex(data)) for data in tree["leaf_inputs_hex"]]
    inclusion = _load(vectors_dir / "rfc6962-merkle" / "inclusion" / group / "happy-path.json")
    consistency = _load(vectors_dir / "rfc6962-merkle" / "consistency" / group / "happy-path.json")
    assert inclusion_proof(leaves[: inclusion["treeSize"]], inclusion["leafIdx"]) == inclusion["proof"]
    assert consistency_proof(leaves[: consistency["size2"]], consistency["size1"]) == consistency["proof"]
