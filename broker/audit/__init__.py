"""The due-process audit trail: an append-only transparency log with signed checkpoints."""
