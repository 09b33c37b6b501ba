"""Synthetic logs shaped like the broker's, for property tests and for measuring the verifier.

`leaves` writes what `broker.audit.operations.integrate` writes: RFC 8785 JSON with `index` and
`previous` (the previous entry about the same object), for a mix of objects, actors, details and
message hashes. `export` wraps entries in an export document with a checkpoint signed over them.
"""

import base64
import hashlib
import json
import random
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker import crypto
from broker import translog
from broker.audit import verify

ORIGIN = "broker.test/log"
ACTIONS = (
    "order.drafted",
    "order.issued",
    "order.viewed",
    "order.received",
    "order.response",
    "clock.reminder",
)


def documents(count: int, seed: int = 1, objects: int = 200) -> list[dict[str, Any]]:
    """`count` entries as integration leaves them, about `objects` orders (and some other objects)."""
    rng = random.Random(seed)
    orders = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(objects)]
    organisation, user = str(uuid.UUID(int=rng.getrandbits(128))), str(uuid.UUID(int=rng.getrandbits(128)))
    latest: dict[tuple[str, str], int] = {}
    made = []
    for index in range(count):
        roll = rng.random()
        subject = (
            ("listing", "listing") if roll < 0.05 else ("organisation", organisation) if roll < 0.1 else None
        )
        subject = subject or ("order", rng.choice(orders))
        document: dict[str, Any] = {
            "time": f"2026-11-24T09:{index // 60 % 60:02d}:{index % 60:02d}.{index % 1000000:06d}Z",
            "action": rng.choice(ACTIONS),
            "actor": (
                {"system": "worker"}
                if roll > 0.9
                else {"organisation": organisation, "user": user, "kind": "provider", "role": "legal_officer"}
            ),
            "object": {"type": subject[0], "id": subject[1]},
            "index": index,
            "previous": latest.get(subject),
        }
        if rng.random() < 0.3:
            document["message_sha256"] = hashlib.sha256(index.to_bytes(8, "big")).hexdigest()
        if rng.random() < 0.3:
            document["details"] = {
                "order_type": "epoc",
                "rules": ["EE-01", "EE-06"],
                "index": rng.randrange(99),
            }
        if subject[0] == "listing":
            document["details"] = {"orders": rng.sample(orders, min(3, len(orders)))}
        latest[subject] = index
        made.append(document)
    return made


def leaves(count: int, seed: int = 1, objects: int = 200, *, exact: bool = True) -> list[str]:
    """The canonical leaves of `documents`; `exact=False` serialises with json.dumps, which gives the
    same bytes for these documents (ASCII strings, small integers) and is faster for a million."""
    if exact:
        return [crypto.canonicalize(document).decode() for document in documents(count, seed, objects)]
    return [
        json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for document in documents(count, seed, objects)
    ]


def entries(texts: list[str]) -> list[dict[str, Any]]:
    """Entries as the API and an export carry them: index, leaf, base64 leaf hash."""
    return [
        {"index": i, "leaf": text, "leaf_hash": base64.b64encode(translog.leaf_hash(text.encode())).decode()}
        for i, text in enumerate(texts)
    ]


def signed_note(key: Ed25519PrivateKey, texts: list[str]) -> str:
    """A checkpoint over the leaves `texts`, signed with `key`."""
    tree = translog.CompactRange()
    for text in texts:
        tree.append_leaf(text.encode())
    checkpoint = translog.Checkpoint(ORIGIN, tree.size, tree.root())
    return translog.sign_checkpoint(checkpoint, ORIGIN, key).decode()


def export(key: Ed25519PrivateKey, listed: list[dict[str, Any]], notes: list[str]) -> dict[str, Any]:
    """An export document holding `listed` entries and the signed `notes`."""
    return {"format": verify.EXPORT_FORMAT, "checkpoints": notes, "entries": listed}
