"""The evidence manifest as a lifecycle message's guard: it must match the order and the uploaded bytes."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.evidence.models import EvidencePackage
from broker.orders.inbound import VerifiedMessage
from broker.orders.models import Order
from broker.parties.models import EncryptionRecipient
from broker.vocabulary import EvidenceState


def check(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """Every package named exists, was uploaded for this order, and is byte for byte what the manifest says."""
    body = message.body
    errors: dict[str, Any] = {}
    if order.deletion_required:
        raise problems.TransitionNotAllowed(
            "the data of this order must be deleted or restricted; no evidence can be delivered",
            state=order.state.value,
        )
    requested = set(order.certificate.get("data_categories", []))
    extra = sorted(set(body["data_categories"]) - requested)
    if extra:
        errors["data_categories"] = [f"not requested by the certificate: {', '.join(extra)}"]
    asked = order.certificate.get("time_range")
    if asked and not _within(body["time_range"], asked):
        errors["time_range"] = [f"must lie within the requested period {asked['start']} to {asked['end']}"]
    recipient = session.scalar(
        sa.select(EncryptionRecipient).where(
            EncryptionRecipient.organisation_id == order.issuing_authority_id,
            EncryptionRecipient.recipient == body["recipient"],
        )
    )
    if recipient is None or recipient.revoked_at is not None:
        errors["recipient"] = ["not a current encryption recipient of the issuing authority"]
    seen: set[str] = set()
    for position, produced in enumerate(body["files"]):
        problem = _package_problem(session, order, produced["package"], seen)
        if problem:
            errors.setdefault("files", {})[str(position)] = {"package": [problem]}
    if errors:
        raise problems.ValidationFailed(
            "the evidence manifest does not match the order or the uploaded packages", errors={"body": errors}
        )


def _package_problem(session: orm.Session, order: Order, named: dict[str, Any], seen: set[str]) -> str | None:
    if named["id"] in seen:
        return "named twice in this manifest"
    seen.add(named["id"])
    # Locked: two manifests naming one package, or the worker deleting it meanwhile, wait for each other.
    package = session.get(EvidencePackage, uuid.UUID(named["id"]), with_for_update=True)
    if package is None or package.order_id != order.id:
        return "no such package uploaded for this order"
    if package.state is not EvidenceState.UPLOADED:
        return f"the package is {package.state.value}; only a completely uploaded, unsealed package can be sealed"
    if (named["size"], named["sha256"]) != (package.size, package.sha256):
        return f"the broker measured {package.size} bytes with SHA-256 {package.sha256}"
    return None


def _within(produced: dict[str, str], asked: dict[str, str]) -> bool:
    start, end = datetime.fromisoformat(produced["start"]), datetime.fromisoformat(produced["end"])
    return datetime.fromisoformat(asked["start"]) <= start and end <= datetime.fromisoformat(asked["end"])
