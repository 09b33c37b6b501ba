"""The order as the rules read it: named facts over a certificate the wire schema has accepted.

Optional members are read with .get, so a rule sees None for a fact the caseworker has not given
and can ask for it instead of failing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from broker.legal.model import CheckInput
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import OrderType

# Data the Regulation treats alike for issuing rules and thresholds (Art. 4(1), 5(3)).
IDENTIFYING = frozenset({DataCategory.SUBSCRIBER, DataCategory.USER_IDENTIFICATION})
# Data that need a judge's involvement, a higher threshold and possibly notification (Art. 4(2), 5(4), 8).
INTRUSIVE = frozenset({DataCategory.TRAFFIC, DataCategory.CONTENT})


@dataclass(frozen=True)
class Facts:
    """One order's facts; properties name what the Regulation and the treaties talk about."""

    order_type: OrderType
    instrument: Instrument
    certificate: Mapping[str, Any]
    categories: frozenset[DataCategory]
    issuing_date: date
    addressee_languages: tuple[str, ...]
    designated_states: tuple[str, ...] | None = None  # CheckInput.designated_states

    @classmethod
    def of(cls, order: CheckInput) -> "Facts":
        """Facts of a CheckInput that validate_check_input has accepted."""
        certificate = order.certificate
        return cls(
            order_type=OrderType(order.order_type),
            instrument=Instrument(certificate["instrument"]),
            certificate=certificate,
            categories=frozenset(DataCategory(c) for c in certificate["data_categories"]),
            issuing_date=order.issuing_date,
            addressee_languages=order.addressee_languages,
            designated_states=order.designated_states,
        )

    @property
    def production(self) -> bool:
        return self.order_type is OrderType.EPOC

    @property
    def intrusive(self) -> bool:
        """Traffic (other than for identification) or content data: the strictest rules apply to all."""
        return bool(self.categories & INTRUSIVE)

    @property
    def issuing_state(self) -> str:
        return str(self.certificate["issuing_authority"]["country"])

    @property
    def enforcing_state(self) -> str:
        """Where the addressee is: the enforcing State under the Regulation, the requested Party otherwise."""
        return str(self.certificate["addressee"]["country"])

    @property
    def addressee_type(self) -> AddresseeType:
        return AddresseeType(self.certificate["addressee"]["addressee_type"])

    @property
    def issuer_type(self) -> AuthorityType:
        return AuthorityType(self.certificate["issuing_authority"]["authority_type"])

    @property
    def validator(self) -> Mapping[str, Any] | None:
        return self.certificate.get("validating_authority")

    @property
    def validator_type(self) -> AuthorityType | None:
        return AuthorityType(self.validator["authority_type"]) if self.validator else None

    @property
    def emergency(self) -> bool:
        return bool(self.certificate.get("emergency", False))  # absent: a version 3 treaty certificate

    @property
    def offence(self) -> Mapping[str, Any]:
        offence: Mapping[str, Any] = self.certificate["offence"]
        return offence

    @property
    def sentence(self) -> Mapping[str, Any] | None:
        return self.certificate.get("sentence")

    @property
    def language(self) -> str:
        return str(self.certificate.get("language", ""))  # absent: a version 3 treaty certificate

    def get(self, member: str) -> Any:
        """A top-level certificate member, or None when absent."""
        return self.certificate.get(member)


def blank(text: Any) -> bool:
    """No words at all: the schema accepts "   ", a caseworker's statement must not be that."""
    return not isinstance(text, str) or not text.strip()
