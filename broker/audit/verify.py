"""Verifying the log from the outside, with only the broker's verifier key and the API or an export.

No Flask, no database: an oversight body runs this against what the broker serves (or exported)
and trusts nothing but the signature on the checkpoint and the hashes it recomputes itself.
"""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from typing import Protocol

import requests

from broker import crypto
from broker import translog

EXPORT_FORMAT = "eevidence-broker-audit-export/1"
PAGE = 1000


class AuditVerificationError(Exception):
    """The log, an entry or a checkpoint does not verify; the message says what and where."""


class LogSource(Protocol):
    """Where the log is read from: the broker's API or an export file."""

    def latest_checkpoint(self) -> bytes: ...

    def entries(self, start: int, limit: int) -> list[dict[str, Any]]: ...

    def inclusion_proof(self, index: int, size: int) -> list[bytes]: ...

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]: ...


class ApiSource:
    """The broker's audit API, read with an oversight body's token."""

    def __init__(self, base_url: str, token: str, session: requests.Session | None = None) -> None:
        self.base = base_url.rstrip("/") + "/api/v1/audit"
        self.http = session or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get_json(self, path: str, **params: int) -> Any:
        """GET a path under /api/v1/audit; anything but 200 is an AuditVerificationError."""
        try:
            answer = self.http.get(self.base + path, params=params, timeout=30)
        except requests.RequestException as error:
            raise AuditVerificationError(f"cannot reach the broker: {error}") from error
        if answer.status_code != 200:
            try:
                detail = answer.json().get("detail", answer.text)
            except ValueError:
                detail = answer.text
            raise AuditVerificationError(f"GET {path} answered {answer.status_code}: {detail}")
        return answer.json()

    def latest_checkpoint(self) -> bytes:
        return self.get_json("/checkpoints/latest")["note"].encode()

    def entries(self, start: int, limit: int) -> list[dict[str, Any]]:
        return self.get_json("/entries", start=start, limit=limit)["entries"]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return [
            base64.b64decode(h) for h in self.get_json("/proofs/inclusion", index=index, size=size)["proof"]
        ]

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        answer = self.get_json("/proofs/consistency", old_size=old_size, new_size=new_size)
        return [base64.b64decode(h) for h in answer["proof"]]


class ExportSource:
    """An export file (`broker audit export`): proofs are computed here from its entries."""

    def __init__(self, document: dict[str, Any]) -> None:
        if document.get("format") != EXPORT_FORMAT or not isinstance(document.get("entries"), list):
            raise AuditVerificationError(f"not an audit export in the {EXPORT_FORMAT} format")
        if not document.get("checkpoints"):
            raise AuditVerificationError("the export holds no signed checkpoint")
        self.document = document

    def latest_checkpoint(self) -> bytes:
        return str(self.document["checkpoints"][-1]).encode()

    def entries(self, start: int, limit: int) -> list[dict[str, Any]]:
        return self.document["entries"][start : start + limit]

    def _hashes(self, size: int) -> list[bytes]:
        return [translog.leaf_hash(entry["leaf"].encode()) for entry in self.document["entries"][:size]]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return translog.inclusion_proof(self._hashes(size), index)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        return translog.consistency_proof(self._hashes(new_size), old_size)


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose signature verified, and what was checked against it."""

    checkpoint: translog.Checkpoint
    note: bytes
    checked: str


def open_latest(source: LogSource, vkey: str) -> tuple[translog.Checkpoint, bytes]:
    """The source's newest checkpoint, its signature checked with the broker's verifier key."""
    note = source.latest_checkpoint()
    try:
        return translog.open_checkpoint(note, vkey), note
    except translog.CheckpointError as error:
        raise AuditVerificationError(f"the checkpoint does not verify with the given key: {error}") from error


def verify_log(source: LogSource, vkey: str) -> Verified:
    """Recompute every entry's hash and the tree head, and compare it with the signed checkpoint."""
    checkpoint, note = open_latest(source, vkey)
    hashes = [hash_ for hash_ in _entry_hashes(source, checkpoint.size)]
    if len(hashes) != checkpoint.size:
        raise AuditVerificationError(
            f"the checkpoint covers {checkpoint.size} entries but the log holds {len(hashes)}: entries were deleted"
        )
    if translog.root_hash(hashes) != checkpoint.root:
        raise AuditVerificationError(
            "the entries do not produce the signed root: an entry was edited, reordered, inserted or removed"
        )
    return Verified(checkpoint, note, f"all {checkpoint.size} entries")


def verify_entry(source: LogSource, vkey: str, index: int) -> Verified:
    """Prove one entry is in the signed log."""
    checkpoint, note = open_latest(source, vkey)
    if not 0 <= index < checkpoint.size:
        raise AuditVerificationError(
            f"entry {index} is not covered by the checkpoint of size {checkpoint.size}"
        )
    page = source.entries(index, 1)
    entry = page[0] if page else None
    if not isinstance(entry, dict) or entry.get("index") != index:
        raise AuditVerificationError(f"entry {index} is missing from the log")
    leaf_hash = _checked_leaf_hash(entry, index)
    try:
        translog.verify_inclusion(
            leaf_hash, index, checkpoint.size, source.inclusion_proof(index, checkpoint.size), checkpoint.root
        )
    except translog.ProofError as error:
        raise AuditVerificationError(f"entry {index} is not in the signed log: {error}") from error
    return Verified(checkpoint, note, f"entry {index}: {json.loads(entry['leaf'])['action']}")


def verify_extends(source: LogSource, vkey: str, previous_note: bytes) -> Verified:
    """Prove the log's newest checkpoint extends one saved earlier: nothing before it was rewritten."""
    try:
        previous = translog.open_checkpoint(previous_note, vkey)
    except translog.CheckpointError as error:
        raise AuditVerificationError(f"the saved checkpoint does not verify: {error}") from error
    checkpoint, note = open_latest(source, vkey)
    if previous.size > checkpoint.size:
        raise AuditVerificationError(
            f"the log shrank: saved checkpoint has {previous.size} entries, the newest {checkpoint.size}"
        )
    if previous.size == checkpoint.size:
        if previous.root != checkpoint.root:
            raise AuditVerificationError(
                "two checkpoints of the same size have different roots: the log forked"
            )
    else:
        try:
            translog.verify_consistency(
                previous.size,
                checkpoint.size,
                previous.root,
                checkpoint.root,
                source.consistency_proof(previous.size, checkpoint.size),
            )
        except translog.ProofError as error:
            raise AuditVerificationError(
                f"the newest checkpoint does not extend the saved one of size {previous.size}: {error}"
            ) from error
    return Verified(checkpoint, note, f"extends the saved checkpoint of size {previous.size}")


def verify_case_file(case_file: dict[str, Any], vkey: str) -> Verified:
    """Prove every entry of an order's case file is in the checkpoint the case file carries."""
    checkpoint_document = case_file.get("checkpoint")
    if not checkpoint_document:
        raise AuditVerificationError("the case file carries no checkpoint to prove its entries against")
    note = str(checkpoint_document["note"]).encode()
    try:
        checkpoint = translog.open_checkpoint(note, vkey)
    except translog.CheckpointError as error:
        raise AuditVerificationError(f"the case file's checkpoint does not verify: {error}") from error
    proved = 0
    for entry in case_file.get("entries", []):
        index = entry.get("index")
        if entry.get("proof") is None:
            # Only entries recorded after the checkpoint may come without a proof.
            if isinstance(index, int) and index >= checkpoint.size:
                continue
            raise AuditVerificationError(
                f"entry {index} of the case file carries no proof, but the checkpoint of size "
                f"{checkpoint.size} must cover it"
            )
        leaf_hash = _checked_leaf_hash(entry, index)
        subject = json.loads(entry["leaf"]).get("object")
        if subject != {"type": "order", "id": case_file["order"]["id"]}:
            raise AuditVerificationError(f"entry {index} of the case file is about {subject}, not this order")
        try:
            translog.verify_inclusion(
                leaf_hash,
                index,
                checkpoint.size,
                [base64.b64decode(h) for h in entry["proof"]],
                checkpoint.root,
            )
        except (translog.ProofError, ValueError) as error:
            raise AuditVerificationError(
                f"entry {index} of the case file is not in the signed log: {error}"
            ) from error
        proved += 1
    return Verified(checkpoint, note, f"{proved} timeline entries of order {case_file['order']['id']}")


def _entry_hashes(source: LogSource, size: int) -> Iterator[bytes]:
    start = 0
    while start < size:
        page = source.entries(start, min(PAGE, size - start))
        if not page:
            return
        for entry in page:
            yield _checked_leaf_hash(entry, start)
            start += 1


def _checked_leaf_hash(entry: dict[str, Any], position: int) -> bytes:
    """The leaf hash recomputed from the entry's own bytes, after checking they say what they should."""
    if not isinstance(entry, dict):
        raise AuditVerificationError(f"entry {position} is not an object")
    leaf = entry.get("leaf")
    if not isinstance(leaf, str):
        raise AuditVerificationError(f"entry {position} has no leaf text")
    data = leaf.encode("utf-8")
    try:
        document = json.loads(data)
        canonical = crypto.canonicalize(document)
    except (ValueError, crypto.CanonicalizationError) as error:
        raise AuditVerificationError(f"entry {position} is not JSON: {error}") from error
    if canonical != data:
        raise AuditVerificationError(f"entry {position} is not in canonical form: it was edited")
    if document.get("index") != position or entry.get("index") != position:
        raise AuditVerificationError(
            f"entry at position {position} says it is entry {document.get('index')}: entries were reordered, "
            "inserted or removed"
        )
    leaf_hash = translog.leaf_hash(data)
    recorded = entry.get("leaf_hash")
    if recorded is None:
        return leaf_hash
    try:
        recorded_hash = base64.b64decode(recorded, validate=True)
    except (TypeError, ValueError) as error:
        raise AuditVerificationError(
            f"entry {position} has a leaf hash that is not base64: {error}"
        ) from error
    if recorded_hash != leaf_hash:
        raise AuditVerificationError(f"entry {position} does not match the hash recorded when it was logged")
    return leaf_hash
