"""Fixtures for the signing library: the published vectors in tests/vectors."""

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """tests/vectors: the published vectors the project carries (see its README)."""
    path = Path(__file__).resolve().parents[1] / "vectors"
    assert path.is_dir(), f"published test vectors not found at {path}"
    return path


@pytest.fixture(scope="session")
def rfc8037(vectors_dir: Path) -> dict:
    """RFC 8037 Appendix A: the Ed25519 key, its thumbprint and the EdDSA JWS."""
    return json.loads((vectors_dir / "jose" / "rfc8037-appendix-a.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rfc7515_a3(vectors_dir: Path) -> dict:
    """RFC 7515 Appendix A.3: an ES256 JWS with its P-256 key."""
    path = vectors_dir / "jose" / "rfc7515-appendix-a2-a3.json"
    return json.loads(path.read_text(encoding="utf-8"))["A.3"]
