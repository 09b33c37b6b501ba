"""Tamper-evident log core: RFC 9162 Merkle trees and proofs, and C2SP signed checkpoints.

Pure: only the standard library and `cryptography`, so auditors and providers can verify a log's
proofs and checkpoints without the broker's web or database stack.
"""

from broker.translog._checkpoint import Checkpoint
from broker.translog._checkpoint import open_checkpoint
from broker.translog._checkpoint import sign_checkpoint
from broker.translog._compact import CompactRange
from broker.translog._errors import CheckpointError
from broker.translog._errors import ProofError
from broker.translog._errors import RootMismatchError
from broker.translog._hashing import EMPTY_ROOT
from broker.translog._hashing import HASH_SIZE
from broker.translog._hashing import leaf_hash
from broker.translog._hashing import node_hash
from broker.translog._note import open_note
from broker.translog._note import sign_note
from broker.translog._note import verifier_key
from broker.translog._proofs import consistency_proof
from broker.translog._proofs import inclusion_proof
from broker.translog._proofs import root_hash
from broker.translog._store import MemoryStore
from broker.translog._store import SubtreeStore
from broker.translog._store import consistency_proof_from_store
from broker.translog._store import inclusion_proof_from_store
from broker.translog._store import root_from_store
from broker.translog._store import subtrees_to_store
from broker.translog._verify import verify_consistency
from broker.translog._verify import verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Checkpoint",
    "CheckpointError",
    "CompactRange",
    "MemoryStore",
    "ProofError",
    "RootMismatchError",
    "SubtreeStore",
    "consistency_proof",
    "consistency_proof_from_store",
    "inclusion_proof",
    "inclusion_proof_from_store",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "root_from_store",
    "root_hash",
    "sign_checkpoint",
    "sign_note",
    "subtrees_to_store",
    "verifier_key",
    "verify_consistency",
    "verify_inclusion",
]
