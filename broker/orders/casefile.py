"""An order's case file for an oversight body: metadata, signed messages, timeline, proofs."""

import json
from typing import Any

from sqlalchemy import orm

from broker.audit import queries
from broker.audit.models import AuditCheckpoint
from broker.orders.models import Order


def build(session: orm.Session, order: Order, checkpoint: AuditCheckpoint | None) -> dict[str, Any]:
    """Everything needed to prove the order's history against `checkpoint`, without evidence data.

    Entries recorded after the checkpoint are listed without a proof: sign a newer checkpoint first.
    """
    entries = []
    for entry in queries.entries_about(session, "order", order.id):
        proof = None
        if checkpoint is not None and entry.index < checkpoint.size:
            proof = queries.inclusion_proof(session, entry.index, checkpoint.size)
        entries.append(
            {"index": entry.index, "leaf": entry.leaf, "leaf_hash": entry.leaf_hash, "proof": proof}
        )
    return {
        "order": {
            "id": str(order.id),
            "order_type": order.order_type.value,
            "state": order.state.value,
            "emergency": order.emergency,
            "issuing_authority": {
                "id": str(order.issuing_authority_id),
                "name": order.issuing_authority.name,
            },
            "provider": {"id": str(order.provider_id), "name": order.provider.name},
            "created_at": order.created_at.isoformat(),
            "issued_at": order.issued_at.isoformat() if order.issued_at else None,
            "received_at": order.received_at.isoformat() if order.received_at else None,
            "answered_at": order.answered_at.isoformat() if order.answered_at else None,
            "messages": [
                {
                    "id": str(message.id),
                    "type": message.message_type.value,
                    "sender": str(message.sender_id),
                    "sender_kid": message.sender_kid,
                    "sha256": message.sha256,
                    "jws": message.jws,
                }
                for message in order.messages
            ],
        },
        "checkpoint": checkpoint,
        "entries": entries,
    }


def render_markdown(case_file: dict[str, Any]) -> str:
    """The human-readable rendering of a case file as dumped by the API (hashes in base64)."""
    order = case_file["order"]
    lines = [
        f"# Case file: {order['order_type'].upper()} {order['id']}",
        "",
        f"- Issuing authority: {order['issuing_authority']['name']}",
        f"- Provider: {order['provider']['name']}",
        f"- State: {order['state']}{' (emergency)' if order['emergency'] else ''}",
        f"- Issued: {order['issued_at'] or '—'}; received: {order['received_at'] or '—'}; "
        f"answered: {order['answered_at'] or '—'}",
        "",
        "## Signed messages",
        "",
    ]
    lines += [
        f"- {m['type']} `{m['id']}` from {m['sender']} (key {m['sender_kid']}), SHA-256 `{m['sha256']}`"
        for m in order["messages"]
    ] or ["- none"]
    checkpoint = case_file.get("checkpoint")
    lines += ["", "## Timeline", ""]
    if checkpoint:
        lines.insert(
            -1,
            f"Proved against the checkpoint of size {checkpoint['size']}, root "
            f"`{checkpoint['root_hash']}`, signed {checkpoint['created_at']}.\n",
        )
    for entry in case_file["entries"]:
        event = json.loads(entry["leaf"])
        actor = event["actor"]
        who = (
            actor["system"]
            if "system" in actor
            else f"{actor['kind']} {actor['organisation']} ({actor['role']})"
        )
        proved = (
            f"proof of {len(entry['proof'])} hashes"
            if entry["proof"] is not None
            else "not yet in a checkpoint"
        )
        lines.append(f"- #{event['index']} {event['time']} {event['action']} by {who}; {proved}")
    return "\n".join(lines) + "\n"
