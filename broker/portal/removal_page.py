"""A removal order (Regulation (EU) 2021/784) on its order page: Annex I in words, and its hour.

A removal order is not an EPOC: the page shows its statement of reasons, the exact URLs to remove,
redress and any withholding of information from the content provider instead of data categories and
targets. The hour of Art. 3(3) is the `removal` clock; its state and the order's tell the provider
whether the hour waits for delivery, runs (minutes left), is held (Art. 3(7)-(8)) or is over.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.portal.labels import label
from broker.vocabulary import OrderType
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import TerroristMaterial


@dataclass(frozen=True)
class RemovalOrder:
    """What the page shows of a removal order beside the frame every order has."""

    annex: dict[str, Any]  # the signed order's members (Annex I)
    materials: list[str]  # Annex I (b): the types of material of Art. 2(7), in words
    addressee_role: str  # Art. 15 contact point or Art. 17 legal representative, in words
    hour: OrderClock | None  # the one-hour clock, once the order is received

    @property
    def content(self) -> list[dict[str, str]]:
        """Annex I (c): each exact URL and what else identifies the content there."""
        content: list[dict[str, str]] = self.annex.get("content", [])
        return content


def of(order: Order, clocks: Iterable[OrderClock]) -> RemovalOrder | None:
    """The removal order's part of the page; None for a certificate."""
    if order.order_type is not OrderType.REMOVAL_ORDER:
        return None
    annex = order.certificate
    reasons = annex.get("reasons", {})
    return RemovalOrder(
        annex,
        [label(material, TerroristMaterial) for material in reasons.get("material_types", [])],
        label(annex.get("addressee", {}).get("addressee_type", ""), RemovalAddresseeType),
        next((clock for clock in clocks if clock.kind is Clock.REMOVAL), None),
    )
