"""What a running broker needs wherever it runs (app, CLI, demo, worker): database, clock, settings."""

from dataclasses import dataclass

from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.db import Database
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import Storage
from broker.orders.inbound import MessageWindow


@dataclass(frozen=True)
class Services:
    """Handed to operations explicitly; never read from a global inside the write path."""

    database: Database
    clock: Clock
    window: MessageWindow
    page_size_default: int
    page_size_max: int
    storage: Storage
    evidence: EvidencePolicy
    log_signer: LogSigner | None = None
