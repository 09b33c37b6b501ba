"""The workflow's write side: each function runs inside its caller's one transaction."""
