"""Fixtures for the transparency-log core: the published RFC 6962 / RFC 8032 vectors in tests/vectors."""

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"
PROBE_KINDS = ("inclusion", "consistency")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per transparency-dev/merkle probe file, named by its path, for `inclusion_probe` etc."""
    for kind in PROBE_KINDS:
        if f"{kind}_probe" in metafunc.fixturenames:
            folder = VECTORS_DIR / "rfc6962-merkle" / kind
            paths = sorted(folder.glob("**/*.json"))
            assert paths, f"no {kind} probes in {folder}"  # fail the run rather than skip the test
            metafunc.parametrize(
                f"{kind}_probe", paths, ids=[p.relative_to(folder).as_posix() for p in paths]
            )


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """tests/vectors: the published vectors the project carries (see its README)."""
    assert VECTORS_DIR.is_dir(), f"published test vectors not found at {VECTORS_DIR}"
    return VECTORS_DIR


@pytest.fixture(scope="session")
def tree(vectors_dir: Path) -> dict[str, Any]:
    """transparency-dev/merkle's 8-leaf reference tree: leaf inputs, node hashes by level, roots by size."""
    return json.loads((vectors_dir / "rfc6962-merkle" / "tree.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ed25519_keys(vectors_dir: Path) -> list[Ed25519PrivateKey]:
    """The RFC 8032 §7.1 TEST 1, 2 and 3 keys: fixed keys, so signed notes are golden bytes."""
    vectors = json.loads(
        (vectors_dir / "rfc8032-ed25519" / "rfc8032-7.1-ed25519.json").read_text(encoding="utf-8")
    )
    return [
        Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["secret_key"])) for v in vectors["vectors"][:3]
    ]
