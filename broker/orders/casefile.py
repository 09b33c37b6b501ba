"""An order's case file for an oversight body: metadata, signed messages, timeline, proofs."""

import json
import logging
from typing import Any

from sqlalchemy import orm

from broker import problems
from broker.audit import queries
from broker.audit.models import AuditCheckpoint
from broker.audit.verify import AuditVerificationError
from broker.audit.verify import check_timeline
from broker.orders.models import Order

log = logging.getLogger(__name__)


def build(session: orm.Session, order: Order, checkpoint: AuditCheckpoint | None) -> dict[str, Any]:
    """Everything needed to prove the order's history against `checkpoint`, without evidence data.

    Entries are selected by the `object_id` column, which is not hashed, so before serving them the
    broker checks what the hashed leaves say: each is about this order and names the one before it
    (`check_timeline`, the verifier's own check). A gap means the log's tables were edited: the
    case file is refused and the gap logged, rather than served as if complete. Entries recorded
    after the checkpoint are listed without a proof, and entries still queued for integration are
    listed apart, under `queued`.
    """
    selected = queries.entries_about(session, "order", order.id)
    try:
        check_timeline(str(order.id), [(entry.index, json.loads(entry.leaf)) for entry in selected])
    except (AuditVerificationError, ValueError) as error:
        log.error(
            "audit log tampering suspected: the case file of order %s does not verify: %s", order.id, error
        )
        raise problems.Problem(
            f"the log's entries about order {order.id} do not form an unbroken chain ({error}); the log "
            "may have been tampered with, and the broker has logged it"
        ) from error
    entries = []
    for entry in selected:
        proof = None
        if checkpoint is not None and entry.index < checkpoint.size:
            proof = queries.inclusion_proof(session, entry.index, checkpoint.size)
        entries.append(
            {"index": entry.index, "leaf": entry.leaf, "leaf_hash": entry.leaf_hash, "proof": proof}
        )
    queued = [{"document": pending.document} for pending in queries.pending_about(session, "order", order.id)]
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
        "queued": queued,
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
        proved = (
            f"proof of {len(entry['proof'])} hashes"
            if entry["proof"] is not None
            else "not yet in a checkpoint"
        )
        lines.append(f"- #{event['index']} {event['time']} {event['action']} by {_who(event)}; {proved}")
    for queued in case_file.get("queued") or []:
        event = json.loads(queued["document"])
        lines.append(f"- queued {event['time']} {event['action']} by {_who(event)}; not yet in the log")
    return "\n".join(lines) + "\n"


def _who(event: dict[str, Any]) -> str:
    actor = event["actor"]
    return (
        str(actor["system"])
        if "system" in actor
        else f"{actor['kind']} {actor['organisation']} ({actor['role']})"
    )
