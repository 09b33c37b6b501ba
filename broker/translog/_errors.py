"""Typed failures, so callers can tell a malformed proof or note from evidence that a log lied."""


class ProofError(ValueError):
    """A proof or tree argument that is malformed or out of range: wrong length or hash size, bad index."""


class RootMismatchError(ProofError):
    """A well-formed proof leads to a different root: the tree the log showed is not the tree it signed."""

    def __init__(self, expected: bytes, computed: bytes) -> None:
        super().__init__(f"computed root {computed.hex()} does not match expected root {expected.hex()}")
        self.expected = expected
        self.computed = computed


class CheckpointError(ValueError):
    """A checkpoint or signed note that must not be trusted: malformed, wrongly signed, or for another log."""
