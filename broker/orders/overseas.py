"""UK overseas production orders (Crime (Overseas Production Orders) Act 2019) as drafts: completed from the
registry and legally checked.

An overseas production order rides the orders table beside the certificates; only its document, its
rules (broker.legal.overseas) and its route (broker.legal.routes.OVERSEAS) differ. The caseworker (the
appropriate officer's organisation) names the respondent's addressee by id; the broker fills in the
respondent's registered name and country. The checks run at draft, check and issue, as of the day they
run: an order whose 3 months to be served have passed is treated as quashed (s.9(1)) and is not issued.
"""

import copy
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from broker import legal
from broker import problems
from broker.legal.engine import finding
from broker.legal.model import Issue
from broker.legal.overseas import RULES
from broker.legal.overseas import check_overseas_order
from broker.legal.validation import InvalidCheckInput
from broker.parties.models import Addressee
from broker.vocabulary import MessageType
from broker.wire.registry import validate_body

VERSION = 1  # overseas-production-order.v1.json


def complete(draft: dict[str, Any], addressee: Addressee) -> dict[str, Any]:
    """The order a draft becomes: the respondent as the registry knows it, schema-checked."""
    order = copy.deepcopy(draft)
    order.pop("addressee", None)
    order["respondent"] = {"name": addressee.provider.name, "country": addressee.country}
    try:
        validate_body(MessageType.OVERSEAS_PRODUCTION_ORDER.value, VERSION, order)
    except ValidationError as error:
        raise problems.ValidationFailed(
            "the overseas production order is incomplete or invalid", errors=error.messages
        ) from error
    return order


def check(order: dict[str, Any], now: datetime) -> legal.Report:
    """check_overseas_order, and CO-06 as of `now`: an order the 3 months of s.9(1) have passed for is
    treated as quashed, so it cannot be served or issued."""
    try:
        report = check_overseas_order(order)
    except InvalidCheckInput as error:
        raise problems.ValidationFailed(
            "the overseas production order cannot be checked", errors=error.errors
        ) from error
    serve_by = datetime.fromisoformat(report.derived["serve_by"])
    if now > serve_by:
        late = Issue(
            f"The order was made on {order['made_on']} and could be served only until {serve_by.isoformat()} "
            "(3 months beginning with that day): it is treated as quashed. Apply for a new order.",
            ("made_on",),
        )
        return legal.Report(
            findings=(*report.findings, finding(RULES["CO-06"], late)), derived=report.derived
        )
    return report
