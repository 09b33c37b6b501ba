"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from broker.api.idempotency import IdempotencyRecord
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditSubtree
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import Addressee
from broker.parties.models import ApiToken
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User

__all__ = [
    "Addressee",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditLogHead",
    "AuditSubtree",
    "IdempotencyRecord",
    "Message",
    "Order",
    "Organisation",
    "SigningKey",
    "User",
]
