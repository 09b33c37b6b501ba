"""Check a removal order (Regulation (EU) 2021/784) against its issuing-stage rules, before it leaves.

A removal order is not a certificate of Regulation (EU) 2023/1543, so broker.legal.check does not run
on it; this does, with the same Report and Finding. The engine stays pure: the instant of issuing and
what the registry and the order history know (where the addressee receives orders, earlier orders of
this authority to this provider, when it gave the provider its procedures) are passed in.
"""

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError

from broker.legal.engine import finding
from broker.legal.facts import blank
from broker.legal.model import Issue
from broker.legal.model import Report
from broker.legal.model import Rule
from broker.legal.rules import tco
from broker.legal.validation import InvalidCheckInput
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import RemovalMessageType
from broker.wire.registry import validate_removal_body

FIRST_ORDER_NOTICE = timedelta(hours=12)  # Art. 3(2) (UNCONFIRMED)
WITHHOLDING_AT_MOST = timedelta(weeks=6)  # Art. 11(3) (UNCONFIRMED)


@dataclass(frozen=True)
class RemovalCheckInput:
    """Everything the rules may know about one removal order; the caller injects time and history."""

    order: Mapping[str, Any]  # the removal-order body as it will be signed
    issued_at: datetime  # aware: the instant the order leaves
    # How the broker's registry knows the addressee: a RemovalAddresseeType value, or None when it does
    # not say (the registry of Directive (EU) 2023/1544 addressees has no TCO contact points yet).
    addressee_registered_as: str | None
    earlier_orders_to_provider: int  # removal orders this authority issued to this provider before
    procedures_notice_at: datetime | None  # when it gave the provider its procedures (Art. 3(2))


Check = Callable[[RemovalCheckInput], Iterator[Issue]]


def _first_order_notice(given: RemovalCheckInput) -> Iterator[Issue]:
    """TCO-04: a first order waits 12 hours after the notice of procedures, unless an emergency."""
    order = given.order
    if given.earlier_orders_to_provider > 0 or order["emergency"]:
        return
    if given.procedures_notice_at is None:
        yield Issue(
            "Needs data: this is your first removal order to this provider, and no notice of procedures and "
            "deadlines is recorded. Give the provider that information at least 12 hours before issuing "
            "(Art. 3(2)), or, in a duly justified emergency, set emergency with its justification.",
            ("emergency",),
            missing_data=True,
        )
        return
    ready = given.procedures_notice_at + FIRST_ORDER_NOTICE
    if given.issued_at < ready:
        yield Issue(
            f"This is your first removal order to this provider: issue it from {ready.isoformat()} on, 12 "
            "hours after you gave it the procedures and deadlines (Art. 3(2)), or, in a duly justified "
            "emergency, set emergency with its justification.",
            ("emergency",),
        )


def _annex_i(given: RemovalCheckInput) -> Iterator[Issue]:
    """TCO-05: the members the schema requires must say something, and each URL once."""
    order = given.order
    if blank(order["reasons"]["statement"]):
        yield Issue("State why the content is terrorist content (Annex I (b)).", ("reasons.statement",))
    if blank(order["redress"]):
        yield Issue(
            "Give the redress information, with its deadlines, for the provider and the content provider "
            "(Annex I (f)).",
            ("redress",),
        )
    if order["emergency"] and blank(order.get("emergency_justification")):
        yield Issue("Say why it is an emergency (Art. 3(2)).", ("emergency_justification",))
    urls = [location["url"] for location in order["content"]]
    repeated = sorted({url for url in urls if urls.count(url) > 1})
    if repeated:
        yield Issue(f"Name each URL once (Annex I (c)): {', '.join(repeated)}.", ("content",))


def _withholding(given: RemovalCheckInput) -> Iterator[Issue]:
    """TCO-17: withholding information from the content provider lasts at most 6 weeks at a time."""
    withholding = given.order.get("withholding")
    if withholding is None:
        return
    until = date.fromisoformat(withholding["until"])
    today = given.issued_at.date()
    if until <= today:
        yield Issue("The withholding must end after the day of issue (Art. 11(3)).", ("withholding.until",))
    elif until > today + WITHHOLDING_AT_MOST:
        yield Issue(
            f"Withhold the information at most 6 weeks at a time, until {(today + WITHHOLDING_AT_MOST).isoformat()}; "
            "renew it if it is still needed (Art. 11(3)).",
            ("withholding.until",),
        )
    if blank(withholding["reasons"]):
        yield Issue(
            "Give the public-security reasons for withholding (Art. 11(3)).", ("withholding.reasons",)
        )


def _addressee(given: RemovalCheckInput) -> Iterator[Issue]:
    """TCO-22: the order goes where the registry says the provider receives removal orders."""
    named = given.order["addressee"]["addressee_type"]
    registered = given.addressee_registered_as
    if registered is None:
        yield Issue(
            "Needs data: the registry does not say whether this addressee is the provider's contact point "
            "(Art. 15) or legal representative (Art. 17); register it as one before sending.",
            ("addressee.id",),
            missing_data=True,
        )
    elif registered not in set(RemovalAddresseeType):
        yield Issue(
            f"The registry knows this addressee as a {registered.replace('_', ' ')}, which does not receive "
            "removal orders: send it to the provider's contact point (Art. 15) or legal representative (Art. 17).",
            ("addressee.id",),
        )
    elif registered != named:
        yield Issue(
            f"The order calls the addressee a {named.replace('_', ' ')}, the registry a "
            f"{registered.replace('_', ' ')}: name it as registered.",
            ("addressee.addressee_type",),
        )


CHECKS: Mapping[str, Check] = {
    tco.TCO04.id: _first_order_notice,
    tco.TCO05.id: _annex_i,
    tco.TCO17.id: _withholding,
    tco.TCO22.id: _addressee,
}
RULES: Mapping[str, Rule] = {rule.id: rule for rule in tco.RULES}


def check_removal_order(given: RemovalCheckInput) -> Report:
    """Every finding for this removal order, and the clock the workflow starts on receipt.

    Raises InvalidCheckInput, naming the fields, for an order the wire schema refuses or an instant
    without its offset.
    """
    errors: dict[str, list[str]] = {}
    if given.issued_at.tzinfo is None:
        errors["issued_at"] = ["Must be aware: the instant the order leaves, with its offset."]
    if given.procedures_notice_at is not None and given.procedures_notice_at.tzinfo is None:
        errors["procedures_notice_at"] = ["Must be aware, with its offset."]
    try:
        validate_removal_body(RemovalMessageType.REMOVAL_ORDER.value, 1, dict(given.order))
    except ValidationError as error:
        errors["order"] = [str(error.messages)]
    if errors:
        raise InvalidCheckInput(errors)
    findings = tuple(
        finding(RULES[rule_id], issue) for rule_id, check in CHECKS.items() for issue in check(given)
    )
    host = given.order["addressee"]["country"]
    return Report(
        findings=findings,
        derived={
            "deadline": "removal_1_hour",
            "first_order": given.earlier_orders_to_provider == 0,
            # TCO-11, Art. 4(1): the State whose competent authority gets a copy, or None at home.
            "scrutiny_state": host if host != given.order["issuing_authority"]["country"] else None,
        },
    )
