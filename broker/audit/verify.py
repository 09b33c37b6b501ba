"""Verifying the log from the outside, with only the broker's verifier key and the API or an export.

No Flask, no database: an oversight body runs this against what the broker serves (or exported)
and trusts nothing but the signature on the checkpoint and the hashes it recomputes itself. What
each function proves is in docs/audit.md; the pass over the entries is in `verify_scan`, case files
in `verify_casefile`, the sources in `verify_sources`.
"""

from broker import translog
from broker.audit.verify_casefile import check_timeline
from broker.audit.verify_casefile import verify_case_file
from broker.audit.verify_scan import DASH
from broker.audit.verify_scan import LogScan
from broker.audit.verify_scan import Verified
from broker.audit.verify_scan import check_recorded
from broker.audit.verify_scan import is_index
from broker.audit.verify_scan import parse_leaf
from broker.audit.verify_scan import read
from broker.audit.verify_sources import EXPORT_FORMAT
from broker.audit.verify_sources import PAGE
from broker.audit.verify_sources import ApiSource
from broker.audit.verify_sources import AuditVerificationError
from broker.audit.verify_sources import ExportSource
from broker.audit.verify_sources import LogSource
from broker.audit.verify_sources import open_latest
from broker.audit.verify_sources import open_note

__all__ = [
    "EXPORT_FORMAT",
    "PAGE",
    "ApiSource",
    "AuditVerificationError",
    "ExportSource",
    "LogScan",
    "LogSource",
    "Verified",
    "check_timeline",
    "open_latest",
    "verify_case_file",
    "verify_entry",
    "verify_extends",
    "verify_log",
    "verify_tail",
]


def verify_log(source: LogSource, vkey: str) -> Verified:
    """Verify every entry the newest checkpoint covers, and say how many the source holds past it.

    Each entry's bytes are hashed as stored into a streaming tree head that must equal the signed
    root; each names its own position and chains to the previous entry about its object (see
    `verify_scan`). Entries past the checkpoint cannot be proved by it: `verify_tail` asks the
    broker for a new checkpoint and proves them.
    """
    checkpoint, note = open_latest(source, vkey)
    scan = LogScan()
    read(source, scan, checkpoint.size, PAGE)
    if scan.root() != checkpoint.root:
        raise AuditVerificationError(
            "the entries do not produce the signed root: an entry was edited, reordered, inserted or removed"
        )
    signed_at, holds = source.signed_at(), source.size()
    size, beyond = checkpoint.size, max(holds - checkpoint.size, 0)
    against = f"against the {_checkpoint_name(source)} of size {size}{_at(signed_at)}"
    if not beyond:
        checked = f"all {size} entries"
        holder = "export" if isinstance(source, ExportSource) else "log"
        statement = f"{checked}{_span(0, size)} {against}; the {holder} holds none past it"
    elif isinstance(source, ExportSource):
        checked = f"entries{_span(0, size, bare=True)}"
        statement = (
            f"{checked} {against}; the export holds {beyond} entries past it ({_range(size, holds)}), "
            "which it cannot prove: export again after a new checkpoint, or verify them over the API with --tail"
        )
    else:
        checked = f"entries{_span(0, size, bare=True)}"
        statement = (
            f"{checked} {against}; the log has grown to {holds} entries since: run with --tail to verify "
            "them against a new checkpoint"
        )
    return Verified(checkpoint, note, checked, statement, signed_at, beyond, scan)


def verify_tail(source: ApiSource, vkey: str, verified: Verified) -> Verified:
    """Have the broker sign a checkpoint now, prove it extends `verified`'s, and verify the entries since.

    The pass carries on from where `verify_log` stopped, so the new entries are hashed into the same
    tree and chained to the entries before them; the broker's consistency proof is checked as well.
    """
    if verified.scan is None:
        raise ValueError("verify_tail carries on from the result of verify_log")
    old = verified.checkpoint
    note, signed_at = source.sign_checkpoint()
    new = open_note(note, vkey, "the new checkpoint does not verify with the given key")
    _require_extends(source, old, new, "checkpoint verified before", "the one verified before")
    scan = verified.scan.copy()
    read(source, scan, new.size, PAGE)
    if scan.root() != new.root:
        raise AuditVerificationError(
            f"entries {_range(old.size, new.size)} do not produce the new checkpoint's root: an entry was "
            "edited, reordered, inserted or removed"
        )
    beyond = max(source.size() - new.size, 0)
    against = f"against a new checkpoint of size {new.size}{_at(signed_at)}"
    if new.size == old.size:
        checked = "no new entries"
        statement = f"{checked}: the broker signed the same log again, size {new.size}"
    else:
        checked = f"entries{_span(old.size, new.size, bare=True)}"
        statement = (
            f"{checked} {against}, which extends the checkpoint of size {old.size} (consistency proof "
            "verified)"
        )
    if beyond:
        statement += f"; the log has grown to {new.size + beyond} entries since"
    return Verified(new, note, checked, statement, signed_at, beyond, scan)


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
    what = f"entry {index}"
    document, data = parse_leaf(entry.get("leaf"), what)
    if not is_index(document.get("index")) or document["index"] != index:
        raise AuditVerificationError(f"{what} says it is entry {document.get('index')}")
    leaf_hash = translog.leaf_hash(data)
    check_recorded(entry, what, leaf_hash)
    try:
        translog.verify_inclusion(
            leaf_hash, index, checkpoint.size, source.inclusion_proof(index, checkpoint.size), checkpoint.root
        )
    except translog.ProofError as error:
        raise AuditVerificationError(f"entry {index} is not in the signed log: {error}") from error
    return Verified(
        checkpoint,
        note,
        f"entry {index}: {document.get('action')}",
        f"entry {index} ({document.get('action')}) is in the checkpoint of size {checkpoint.size}"
        f"{_at(source.signed_at())} (inclusion proof verified)",
        source.signed_at(),
    )


def verify_extends(source: LogSource, vkey: str, previous_note: bytes) -> Verified:
    """Prove the log's newest checkpoint extends one saved earlier: nothing before it was rewritten."""
    previous = open_note(previous_note, vkey, "the saved checkpoint does not verify")
    checkpoint, note = open_latest(source, vkey)
    _require_extends(source, previous, checkpoint, "saved checkpoint", "the saved one")
    checked = f"extends the saved checkpoint of size {previous.size}"
    return Verified(
        checkpoint, note, checked, f"the checkpoint of size {checkpoint.size} {checked}", source.signed_at()
    )


def _require_extends(
    source: LogSource, old: translog.Checkpoint, new: translog.Checkpoint, name: str, what: str
) -> None:
    """Raise unless the checkpoint `new` extends `old` (equal, or a consistency proof verifies)."""
    if old.size > new.size:
        raise AuditVerificationError(f"the log shrank: {name} has {old.size} entries, the newest {new.size}")
    if old.size == new.size:
        if old.root != new.root:
            raise AuditVerificationError(
                "two checkpoints of the same size have different roots: the log forked"
            )
        return
    if old.size == 0:
        return  # every tree extends the empty one
    try:
        translog.verify_consistency(
            old.size, new.size, old.root, new.root, source.consistency_proof(old.size, new.size)
        )
    except translog.ProofError as error:
        raise AuditVerificationError(
            f"the newest checkpoint does not extend {what} of size {old.size}: {error}"
        ) from error


def describe(verified: Verified) -> str:
    """The line a command prints for a verification: the whole statement, or what was checked."""
    return f"verified: {verified.statement or verified.checked}"


def _checkpoint_name(source: LogSource) -> str:
    return "export's last checkpoint" if isinstance(source, ExportSource) else "checkpoint"


def _at(signed_at: str | None) -> str:
    return f" signed at {signed_at}" if signed_at else ""


def _range(start: int, end: int) -> str:
    """Entries [start, end) as `start`, an en dash and `end - 1`."""
    return f"{start}{DASH}{end - 1}" if end - start > 1 else str(start)


def _span(start: int, end: int, *, bare: bool = False) -> str:
    """` (0-28)` after a count, or ` 0-28` after the word "entries" (with an en dash); `none` if empty."""
    if end <= start:
        return " none" if bare else ""
    return f" {_range(start, end)}" if bare else f" ({_range(start, end)})"
