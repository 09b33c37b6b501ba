"""The worker's part in custody: delete ciphertext the broker must no longer hold, and log each deletion."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from broker.clock import Clock
from broker.db import Database
from broker.evidence import operations
from broker.evidence import queries
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Keeper:
    """Where the worker finds evidence and how long it keeps it."""

    storage: Storage
    policy: EvidencePolicy


def delete_due(database: Database, clock: Clock, keeper: Keeper, say: Callable[[str], None]) -> int:
    """Delete every package whose retention ended, whose order imposes deletion, or that was abandoned.

    Each package goes in its own transaction that holds its row while the bytes are removed: the
    deletion is logged only once the bytes are gone, and a failure leaves the package for the next round.
    """
    with database.transaction() as session:
        due = queries.due_for_deletion(session, clock(), keeper.policy)
    deleted = 0
    for package_id, reason in due:
        try:
            with database.transaction() as session:
                transfer = operations.claim_deletion(session, clock, package_id, reason)
                if transfer is None:
                    continue  # another worker has it
                if transfer.upload_id:
                    keeper.storage.abort(transfer.storage_key, transfer.upload_id)
                keeper.storage.delete(transfer.storage_key)
        except sa.exc.OperationalError as error:
            log.warning("evidence deletion interrupted: %s", error.orig)
            break
        except Exception:
            log.exception("could not delete evidence package %s; it stays for the next round", package_id)
            continue
        say(f"evidence package {package_id} deleted: {reason}")
        deleted += 1
    return deleted
