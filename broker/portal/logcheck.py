"""The portal's own check of the log's newest signed checkpoint, and exactly what it checked.

An oversight body's auditor sees on one page whether the log holds, without a command line. The
checks, in order, each a line on the page (`Step`):

1. signature: the note opens with the verifier key the broker publishes (GET /api/v1/audit/key)
   and names the log's origin (`translog.open_checkpoint`);
2. record: the size and root stored beside the note are the signed ones;
3. root: the root recomputed from the log's stored subtree hashes at that size is the signed root,
   so the entries the checkpoint covers are the ones the tables hold;
4. history: it extends the checkpoint signed before it (equal, or a consistency proof verifies),
   so nothing that checkpoint covered was rewritten since.

It runs inside the broker over the broker's database: it catches tables edited behind the broker's
back, not a broker that lies about its own key. Proof that trusts nothing but the published key is
`broker audit verify` run elsewhere (docs/audit.md); the page says so and shows the key to use.
"""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker import translog
from broker.audit import queries
from broker.audit.models import AuditCheckpoint


class Step(StrEnum):
    SIGNATURE = "signature"
    RECORD = "record"
    ROOT = "root"
    HISTORY = "history"


@dataclass(frozen=True)
class Check:
    """One step's outcome: passed, failed (with why, in the verifier's words), or None: nothing to check."""

    step: Step
    passed: bool | None
    problem: str | None = None


@dataclass(frozen=True)
class LogCheck:
    """The newest checkpoint, the one before it, the key used, the log's size now and each step's outcome."""

    checkpoint: AuditCheckpoint | None
    previous: AuditCheckpoint | None
    vkey: str | None
    log_size: int
    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        """Every step ran and none failed (a first checkpoint has no history to fail)."""
        return len(self.checks) == len(Step) and all(check.passed is not False for check in self.checks)

    @property
    def beyond(self) -> int:
        """Entries integrated since the checkpoint, which it does not cover yet."""
        return max(self.log_size - self.checkpoint.size, 0) if self.checkpoint else self.log_size


def check_latest(session: orm.Session, vkey: str | None) -> LogCheck:
    """Check the newest checkpoint with `vkey` (None: the broker publishes no key, nothing is checked)."""
    latest = queries.latest_checkpoint(session)
    size = queries.log_size(session)
    if latest is None or vkey is None:
        return LogCheck(latest, None, vkey, size, ())
    previous = session.scalar(
        sa.select(AuditCheckpoint)
        .where(AuditCheckpoint.id < latest.id)
        .order_by(AuditCheckpoint.id.desc())
        .limit(1)
    )
    try:
        signed = translog.open_checkpoint(latest.note.encode(), vkey)
    except translog.CheckpointError as error:
        return LogCheck(latest, previous, vkey, size, (Check(Step.SIGNATURE, False, str(error)),))
    checks = (
        Check(Step.SIGNATURE, True),
        _record(latest, signed),
        _root(session, size, signed),
        _history(session, vkey, previous, signed),
    )
    return LogCheck(latest, previous, vkey, size, checks)


def _record(stored: AuditCheckpoint, signed: translog.Checkpoint) -> Check:
    if stored.size != signed.size or stored.root_hash != signed.root:
        return Check(
            Step.RECORD,
            False,
            f"the stored size {stored.size} or root differs from the signed size {signed.size}",
        )
    return Check(Step.RECORD, True)


def _root(session: orm.Session, size: int, signed: translog.Checkpoint) -> Check:
    if signed.size > size:
        return Check(Step.ROOT, False, f"the log holds {size} entries, fewer than the {signed.size} signed")
    if signed.size == 0:
        return Check(Step.ROOT, True)  # the empty tree's root, which the signed note already checked
    try:
        computed = queries.root(session, signed.size)
    except LookupError as error:
        return Check(Step.ROOT, False, str(error))
    if computed != signed.root:
        return Check(Step.ROOT, False, "the log's stored hashes give another root than the signed one")
    return Check(Step.ROOT, True)


def _history(
    session: orm.Session, vkey: str, previous: AuditCheckpoint | None, signed: translog.Checkpoint
) -> Check:
    if previous is None:
        return Check(Step.HISTORY, None)
    try:
        old = translog.open_checkpoint(previous.note.encode(), vkey)
    except translog.CheckpointError as error:
        return Check(Step.HISTORY, False, f"the previous checkpoint does not verify: {error}")
    if old.size > signed.size:
        return Check(Step.HISTORY, False, f"the log shrank from {old.size} to {signed.size} entries")
    if old.size == signed.size or old.size == 0:
        forked = old.size == signed.size and old.root != signed.root
        return Check(Step.HISTORY, not forked, "two checkpoints of one size, two roots" if forked else None)
    try:
        proof = queries.consistency_proof(session, old.size, signed.size)
        translog.verify_consistency(old.size, signed.size, old.root, signed.root, proof)
    except (translog.ProofError, problems.InvalidRange, LookupError) as error:
        return Check(Step.HISTORY, False, str(error))
    return Check(Step.HISTORY, True)
