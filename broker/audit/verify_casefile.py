"""Verifying an order's case file: its entries are the order's, signed, unbroken, and — given the log — all.

The broker selects a case file's entries by a database column that is not hashed, so a case file
whose every entry is in the signed log could still leave entries out. What closes that gap is in
the hashed leaves: each names its `object` and `previous`, the index of the previous entry about
the same object. So a case file verifies only if, in order:

1. every entry is canonical JSON naming its own index, about this order, with the recorded hash;
2. every entry the case file's checkpoint covers carries an inclusion proof to its signed root;
3. the entries chain: the first names no previous entry (nothing before it was left out), and each
   names the one listed before it (nothing between was left out, nothing reordered);
4. every signed message the case file carries hashes to the SHA-256 an entry of its timeline names
   (`message_sha256`), and every message an entry names is carried: a message edited, swapped or
   left out of the case file shows;
5. with the log at hand (the API or an export), a full pass over the entries the checkpoint covers
   finds exactly the listed entries about the order, so no entry after the last was left out.

Without the log, 1 to 4 prove the case file is the order's history from its first entry, with no gap,
up to its last entry; only 5 proves that nothing came after.
"""

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from broker import translog
from broker.audit.verify_scan import DASH
from broker.audit.verify_scan import LogScan
from broker.audit.verify_scan import Verified
from broker.audit.verify_scan import check_recorded
from broker.audit.verify_scan import is_index
from broker.audit.verify_scan import object_key
from broker.audit.verify_scan import parse_leaf
from broker.audit.verify_scan import read
from broker.audit.verify_sources import PAGE
from broker.audit.verify_sources import AuditVerificationError
from broker.audit.verify_sources import LogSource
from broker.audit.verify_sources import open_note


def verify_case_file(case_file: dict[str, Any], vkey: str, source: LogSource | None = None) -> Verified:
    """Prove an order's case file against the checkpoint it carries; with `source`, prove it complete."""
    order = case_file.get("order")
    if not isinstance(order, dict) or not isinstance(order.get("id"), str):
        raise AuditVerificationError("the case file names no order")
    order_id: str = order["id"]
    checkpoint_document = case_file.get("checkpoint")
    if not checkpoint_document:
        raise AuditVerificationError("the case file carries no checkpoint to prove its entries against")
    note = str(checkpoint_document["note"]).encode()
    checkpoint = open_note(note, vkey, "the case file's checkpoint does not verify")
    listed = case_file.get("entries")
    if not isinstance(listed, list) or not listed:
        raise AuditVerificationError("the case file lists no entries, not even its own export")
    timeline = [_proved(entry, order_id, checkpoint) for entry in listed]
    unchained = check_timeline(order_id, timeline)
    queued = case_file.get("queued") or []
    _check_messages(order, [document for _, document in timeline], queued)

    proved = sum(1 for index, _ in timeline if index < checkpoint.size)
    signed_at = checkpoint_document.get("created_at")
    checked = f"{proved} timeline entries of order {order_id}"
    chain = "they chain from the order's first entry with no gap"
    if unchained == len(timeline):
        chain = "they predate the chain of `previous`, so a gap among them cannot be seen"
    elif unchained:
        chain = (
            f"they chain with no gap from entry {timeline[unchained][0]} (the {unchained} before it predate "
            "the chain of `previous`)"
        )
    statement = (
        f"{checked} against the checkpoint of size {checkpoint.size}"
        f"{f' signed at {signed_at}' if signed_at else ''}: each is about the order and in the signed log, "
        f"and {chain}"
    )
    if later := len(timeline) - proved:
        statement += f"; {later} recorded after the checkpoint are listed without proof"
    statement += f"; its {len(order['messages'])} signed messages are the ones the entries name"
    if queued:
        statement += f"; {len(queued)} queued, not yet in the log"
    if source is None:
        statement += (
            "; that no later entry about the order was left out can be proved only against the log "
            "(the API, or an export)"
        )
    else:
        _require_complete(source, checkpoint, order_id, [index for index, _ in timeline])
        statement += (
            f"; the log's entries 0{DASH}{checkpoint.size - 1} verify against that checkpoint, and no other "
            "of them is about the order (full pass)"
        )
    return Verified(checkpoint, note, checked, statement, signed_at)


def check_timeline(order_id: str, timeline: Sequence[tuple[int, dict[str, Any]]]) -> int:
    """Raise unless the (index, leaf) entries are the order's and chain without a gap from the first.

    Entries written before leaves carried `previous` (migration 0008) may only come first; how many
    do is returned. The broker runs this on every case file it builds, so it refuses to serve one
    with a gap.
    """
    subject = {"type": "order", "id": order_id}
    before: int | None = None
    unchained = 0
    for position, (index, document) in enumerate(timeline):
        what = f"entry {index} of the case file"
        if document.get("index") != index or not is_index(index):
            raise AuditVerificationError(f"{what} says it is entry {document.get('index')}")
        if document.get("object") != subject:
            raise AuditVerificationError(f"{what} is about {document.get('object')}, not this order")
        if "previous" not in document:
            if position > unchained:
                raise AuditVerificationError(f"{what} carries no `previous`, though the entries before it do")
            unchained += 1
            before = index
            continue
        previous = document["previous"]
        if position == 0 and previous is not None:
            raise AuditVerificationError(
                f"the case file starts at entry {index}, which names entry {previous} as the previous "
                "about the order: the entries before it were left out"
            )
        if previous != before or not (previous is None or is_index(previous)):
            raise AuditVerificationError(
                f"{what} names {_entry(previous)} as the previous about the order, but the case file lists "
                f"{_entry(before)} before it: entries were left out, reordered or inserted"
            )
        before = index
    return unchained


def _check_messages(order: dict[str, Any], leaves: list[dict[str, Any]], queued: list[Any]) -> None:
    """Raise unless the carried messages and the messages the entries name are the same, hash for hash.

    A message's SHA-256 is over its compact JWS as received; entries still queued may name messages
    too (they are not in the log yet, so they vouch for nothing, but a message they name is expected).
    """
    messages = order.get("messages")
    if not isinstance(messages, list):
        raise AuditVerificationError("the case file carries no list of the order's messages")
    carried: dict[str, str] = {}
    for message in messages:
        jws = message.get("jws") if isinstance(message, dict) else None
        if not isinstance(jws, str) or not jws.isascii():
            raise AuditVerificationError("a message of the case file carries no compact JWS")
        digest = hashlib.sha256(jws.encode("ascii")).hexdigest()
        if message.get("sha256") != digest:
            raise AuditVerificationError(
                f"message {message.get('id')} of the case file does not hash to the SHA-256 it is listed with"
            )
        carried[digest] = str(message.get("id"))
    named = {leaf["message_sha256"] for leaf in leaves if isinstance(leaf.get("message_sha256"), str)}
    pending = set()
    for entry in queued:
        try:
            document = json.loads(entry["document"])
        except (TypeError, KeyError, ValueError):
            continue
        if isinstance(document, dict) and isinstance(document.get("message_sha256"), str):
            pending.add(document["message_sha256"])
    if unnamed := [ident for digest, ident in carried.items() if digest not in named | pending]:
        raise AuditVerificationError(
            f"message {', '.join(sorted(unnamed))} of the case file is named by none of its log entries: "
            "it was edited or swapped after it was recorded"
        )
    if missing := sorted(named - set(carried)):
        raise AuditVerificationError(
            f"the log names {len(missing)} message(s) of the order that the case file does not carry "
            f"(SHA-256 {', '.join(missing)})"
        )


def _entry(index: Any) -> str:
    return "no entry" if index is None else f"entry {index}"


def _proved(entry: Any, order_id: str, checkpoint: translog.Checkpoint) -> tuple[int, dict[str, Any]]:
    """One listed entry as (index, leaf), once its form, hash, subject and inclusion proof check out."""
    if not isinstance(entry, dict) or not is_index(entry.get("index")):
        raise AuditVerificationError("an entry of the case file has no index")
    index: int = entry["index"]
    what = f"entry {index} of the case file"
    document, data = parse_leaf(entry.get("leaf"), what)
    if document.get("index") != index:
        raise AuditVerificationError(f"{what} says it is entry {document.get('index')}")
    leaf_hash = translog.leaf_hash(data)
    check_recorded(entry, what, leaf_hash)
    subject = document.get("object")
    if subject != {"type": "order", "id": order_id}:
        raise AuditVerificationError(f"{what} is about {subject}, not this order")
    proof = entry.get("proof")
    if proof is None:
        # Only entries recorded after the checkpoint may come without a proof.
        if index >= checkpoint.size:
            return index, document
        raise AuditVerificationError(
            f"{what} carries no proof, but the checkpoint of size {checkpoint.size} must cover it"
        )
    try:
        translog.verify_inclusion(
            leaf_hash,
            index,
            checkpoint.size,
            [base64.b64decode(h, validate=True) for h in proof],
            checkpoint.root,
        )
    except (translog.ProofError, ValueError, TypeError) as error:
        raise AuditVerificationError(f"{what} is not in the signed log: {error}") from error
    return index, document


def _require_complete(
    source: LogSource, checkpoint: translog.Checkpoint, order_id: str, listed: list[int]
) -> None:
    """Pass over the log up to the checkpoint and find exactly the listed entries about the order."""
    if (holds := source.size()) < checkpoint.size:
        raise AuditVerificationError(
            f"the log read holds {holds} entries, fewer than the case file's checkpoint of size "
            f"{checkpoint.size}: read a newer export, or the API"
        )
    scan = LogScan(watch=object_key("order", order_id))
    read(source, scan, checkpoint.size, PAGE)
    if scan.root() != checkpoint.root:
        raise AuditVerificationError(
            f"the log's entries 0{DASH}{checkpoint.size - 1} do not produce the root of the case file's "
            "checkpoint: the log is not the one the case file was proved against"
        )
    covered = [index for index in listed if index < checkpoint.size]
    if scan.watched != covered:
        left_out = sorted(set(scan.watched) - set(covered))
        raise AuditVerificationError(
            f"the log's entries {', '.join(map(str, left_out))} are about order {order_id}, but the case "
            "file leaves them out"
        )
