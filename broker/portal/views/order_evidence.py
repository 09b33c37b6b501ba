"""The evidence packages of an order as its page shows them: what arrived, whether it held, what may happen now.

Read only, and exactly what the API's GET /orders/{id}/evidence lets the person know of
(`evidence.queries.list_packages`: the provider all of its uploads, the issuing authority and the
enforcing authority only sealed evidence). For each package: the broker's own measurement of the
ciphertext against what the provider declared, the signed manifest that sealed it, the issuing
authority's report after decrypting it, and, for the issuing authority, whether it may be fetched
now (`download_refusal`, the rule the download itself applies: a transfer hold, a deletion duty).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import orm

from broker.access import Actor
from broker.evidence import queries
from broker.evidence.models import EvidencePackage
from broker.orders.deadlines import transfer_held_until
from broker.orders.models import Order
from broker.problems import TransferHeld
from broker.vocabulary import EvidenceState
from broker.vocabulary import OrganisationKind


@dataclass(frozen=True)
class PackageStatus:
    """One package and what the page says of it."""

    package: EvidencePackage
    measured: bool | None  # the broker's size and SHA-256 equal the declared ones; None: not yet measured
    fetchable: bool | None  # for the issuing authority: may be fetched now; None: not the person's question
    held_until: datetime | None  # the enforcing authority may still object until then (Art. 12(1))


def packages(session: orm.Session, now: datetime, actor: Actor, order: Order) -> list[PackageStatus]:
    """The order's packages this person may know of, oldest first, with their status."""
    issuer = actor.kind is OrganisationKind.ISSUING_AUTHORITY
    shown = []
    for package in queries.list_packages(session, actor, order.id):
        refusal = queries.download_refusal(session, now, order, package) if issuer else None
        shown.append(
            PackageStatus(
                package,
                _measured(package),
                (refusal is None and package.state is EvidenceState.SEALED) if issuer else None,
                transfer_held_until(session, order, now) if isinstance(refusal, TransferHeld) else None,
            )
        )
    return shown


def _measured(package: EvidencePackage) -> bool | None:
    if package.size is None or package.sha256 is None:
        return None
    return package.size == package.declared_size and package.sha256 == package.declared_sha256
