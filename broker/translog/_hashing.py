"""RFC 9162 hashing: SHA-256 with a one-byte domain separator, so no leaf can pass for an interior node."""

import hashlib

from broker.translog._errors import ProofError

HASH_SIZE = 32

# SPEC: RFC 9162 §2.1.1 "The hash of an empty list is the hash of an empty string: MTH({}) = HASH()."
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry."""
    # SPEC: RFC 9162 §2.1.1 "MTH({d(0)}) = HASH(0x00 || d(0))."
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node from its two children."""
    # SPEC: RFC 9162 §2.1.1 "MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))"
    return hashlib.sha256(b"\x01" + left + right).digest()


def require_hash(value: bytes, what: str) -> None:
    """Refuse anything but a SHA-256 output, as transparency-dev/merkle does, before it reaches the maths."""
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, want {HASH_SIZE}")


def split_point(n: int) -> int:
    """Where a tree of n > 1 leaves splits into its left and right subtrees."""
    # SPEC: RFC 9162 §2.1.1 "For n > 1, let k be the largest power of two smaller than n (i.e., k < n <= 2k)."
    return 1 << ((n - 1).bit_length() - 1)
