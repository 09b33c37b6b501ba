"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from broker.api.idempotency import IdempotencyRecord
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditPending
from broker.audit.models import AuditSubtree
from broker.clocks.models import OrderClock
from broker.evidence.models import EvidenceChunk
from broker.evidence.models import EvidencePackage
from broker.notify.models import DeliveryAttempt
from broker.notify.models import MailChoice
from broker.notify.models import MailMessage
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint
from broker.orders.models import Message
from broker.orders.models import Order
from broker.orders.models import OrderRead
from broker.parties.models import Addressee
from broker.parties.models import ApiToken
from broker.parties.models import EncryptionRecipient
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User
from broker.reports.models import Art28Tally
from broker.reports.models import CountedOrder
from broker.reports.models import TransparencyTally

__all__ = [
    "Addressee",
    "ApiToken",
    "Art28Tally",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditLogHead",
    "AuditPending",
    "AuditSubtree",
    "CountedOrder",
    "DeliveryAttempt",
    "EncryptionRecipient",
    "EvidenceChunk",
    "EvidencePackage",
    "IdempotencyRecord",
    "MailChoice",
    "MailMessage",
    "Message",
    "Order",
    "OrderClock",
    "OrderRead",
    "Organisation",
    "OutboxMessage",
    "SigningKey",
    "TransparencyTally",
    "User",
    "WebhookEndpoint",
]
